/** queue-persist's `validateOptions`: the compiled schema of options.ts, with its defaults; softCap floored. */
import { optionsValidator } from '../../contract/check-options.js';
import { defaults, validate } from './options.check.js';
import type { QueuePersistOptions } from './options.js';

export const validateOptions = optionsValidator<QueuePersistOptions>(validate, defaults,
  (o) => ({ ...o, softCap: Math.floor(o.softCap) }));
