/** identity-injection's `validateOptions`: it takes no options, so any key is an error. */
import { optionsValidator } from '../../contract/check-options.js';
import { defaults, validate } from './options.check.js';

export const validateOptions = optionsValidator<Record<string, never>>(validate, defaults);
