/** Checking one entry of a plugins.json file, so a file's good entries survive its bad ones. */
import { validatePipelineEntry, validateProjectPipelineEntry } from './pipeline-file.check.js';
import { describeViolations } from './violations.js';

export interface PipelineEntryCheck {
  /** A project's file may place a plugin `before`/`after` another; the package defaults may not. */
  allowPosition: boolean;
  /** Names the entry in every message, e.g. `plugins[2]` → `plugins[2]: "enabled" must be true or false`. */
  where?: string;
}

const ORDER = ['(unknown)', 'use', 'enabled', 'required', 'options', '*'];

export function pipelineEntryViolations(entry: unknown, { allowPosition, where }: PipelineEntryCheck): string[] {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return [`${where ?? 'entry'} must be an object`];
  const check = allowPosition ? validateProjectPipelineEntry : validatePipelineEntry;
  if (check(entry)) return [];
  const messages = describeViolations(check.errors, {
    root: where ?? 'entry',
    name: (path) => JSON.stringify(path),
    unknown: (keys) => [`unknown key ${keys.map((k) => JSON.stringify(k)).join(', ')}`],
    order: ORDER,
  });
  return where ? messages.map((m) => `${where}: ${m}`) : messages;
}
