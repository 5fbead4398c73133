/** batch-sync's `validateOptions`: the compiled schema of options.ts, with its defaults. */
import { optionsValidator } from '../../contract/check-options.js';
import { defaults, validate } from './options.check.js';
import type { BatchSyncOptions } from './options.js';

export const validateOptions = optionsValidator<BatchSyncOptions>(validate, defaults);
