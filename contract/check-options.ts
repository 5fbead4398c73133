/** Checking a plugin's options with its compiled schema (plugins/<name>/options.check.js). */
import type { CompiledValidator } from './validator.js';
import { describeViolations } from './violations.js';

/** One message per bad option: `option "scope" must be one of "command", "window", got "forever"`. */
export function optionsViolations(check: CompiledValidator, raw: unknown): string[] {
  if (check(raw)) return [];
  return describeViolations(check.errors, {
    root: 'options',
    name: (path) => `option ${JSON.stringify(path)}`,
    unknown: (keys, _path, known) => [
      `unknown option${keys.length > 1 ? 's' : ''} ${keys.map((k) => JSON.stringify(k)).join(', ')} (known: ${known.join(', ') || 'none'})`,
    ],
    got: true,
    order: ['(unknown)', '*'],
  });
}

/**
 * A plugin's `validateOptions`: checks the raw options, throws one Error listing every violation
 * (`; `-joined), else returns them with the schema's defaults filled in, then `finish`ed.
 */
export function optionsValidator<T, I extends object = Partial<T>>(
  check: CompiledValidator<I>,
  defaults: Required<I> | Record<string, never>,
  finish: (options: Required<I>) => T = (o) => o as unknown as T,
): (raw: Record<string, unknown>) => T {
  return (raw) => {
    const violations = optionsViolations(check, raw);
    if (violations.length > 0) throw new Error(violations.join('; '));
    const present = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
    return finish({ ...defaults, ...present } as Required<I>);
  };
}
