import { InvalidArgumentError } from 'commander';
import { normalizeWpId, slugify } from '../workflow/slug.js';

// Argument and option parsers for the command definitions. Input that is malformed, whatever the
// project holds, is a commander InvalidArgumentError: exit 2 with the command's usage hint. Input
// that is well formed but names nothing (no such WP, no such feature) is the command's to refuse
// (exit 1).

/** A work package id as users type it ("WP01", "wp1", "1"), given back canonical ("WP01"). */
export function parseWpId(value: string): string {
  const id = normalizeWpId(value);
  if (!id) throw new InvalidArgumentError(`"${value}" is not a work package id; use the form WP01.`);
  return id;
}

/** A comma-separated list of WP ids (`--deps WP01,WP02`), given back canonical and without repeats. */
export function parseWpIds(value: string): string {
  const ids: string[] = [];
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const id = normalizeWpId(part);
    if (!id) throw new InvalidArgumentError(`"${part}" is not a work package id; use e.g. --deps WP01,WP02.`);
    if (!ids.includes(id)) ids.push(id);
  }
  return ids.join(',');
}

/** A name or title that must hold some letters or digits, e.g. a feature name (it becomes a folder name). */
export const nameWithLetters = (what: string, example: string) => (value: string): string => {
  if (!value.trim()) throw new InvalidArgumentError(`the ${what} is empty; e.g.: ${example}`);
  if (!slugify(value)) throw new InvalidArgumentError(`the ${what} "${value}" has no letters or digits; e.g.: ${example}`);
  return value;
};

/** Any text that is not empty or blank, e.g. `--feature` or `--project`. */
export const nonEmpty = (what: string) => (value: string): string => {
  if (!value.trim()) throw new InvalidArgumentError(`${what} is empty.`);
  return value;
};

/** A whole number ≥ 0. */
export const wholeNumber = (message: string) => (value: string): number => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(message);
  return Number(value);
};
