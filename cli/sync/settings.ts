import { readFileSync } from 'node:fs';
import { isMap } from 'yaml';
import { configPath, readConfig } from '../../services/identity/config-file.js';

/** How a command syncs, from the project's `.kittify/config.yaml` `sync:` keys and the environment. */
export interface SyncSettings {
  /** False: no sync runtime (no batch sync, no live socket, no background drain). */
  enabled: boolean;
  /** Why sync is off, as `plugins list` and `sync status` say it; null when on. */
  offBecause: string | null;
  /** True: what a command could not send is drained by a detached process after it exits. */
  background: boolean;
  /** With `background: false`, how long a command may spend sending at exit. */
  exitFlushMs: number;
}

export const DEFAULT_EXIT_FLUSH_MS = 1_500;
const MAX_EXIT_FLUSH_MS = 60_000;
const OFF_VALUES = new Set(['off', '0', 'false', 'no']);

/**
 * The settings for a command run in `projectRoot` (null outside a project). A value of the wrong
 * type is reported through `warn` and the default is used: a typo must not silently stop sync.
 */
export function readSyncSettings(projectRoot: string | null, env: NodeJS.ProcessEnv = process.env, warn: (line: string) => void = () => {}): SyncSettings {
  const settings: SyncSettings = { enabled: true, offBecause: null, background: true, exitFlushMs: DEFAULT_EXIT_FLUSH_MS };
  const sync = projectRoot ? syncSection(projectRoot) : undefined;
  const file = projectRoot ? configPath(projectRoot) : '';
  const flag = (key: string): boolean | undefined => {
    const value = sync?.[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    warn(`${file}: sync.${key} must be true or false (got ${JSON.stringify(value)}); using the default`);
    return undefined;
  };
  if (flag('auto_start') === false) settings.offBecause = `sync.auto_start: false in ${file}`;
  settings.background = flag('background') ?? true;
  const flush = sync?.exit_flush_ms;
  if (flush !== undefined && flush !== null) {
    if (typeof flush === 'number' && Number.isInteger(flush) && flush >= 0 && flush <= MAX_EXIT_FLUSH_MS) settings.exitFlushMs = flush;
    else warn(`${file}: sync.exit_flush_ms must be a whole number of ms from 0 to ${MAX_EXIT_FLUSH_MS} (got ${JSON.stringify(flush)}); using ${DEFAULT_EXIT_FLUSH_MS}`);
  }
  const variable = env.SPEC_KITTY_SYNC?.trim().toLowerCase();
  if (variable && OFF_VALUES.has(variable)) settings.offBecause = `SPEC_KITTY_SYNC=${env.SPEC_KITTY_SYNC}`;
  settings.enabled = settings.offBecause === null;
  return settings;
}

/** The `sync:` mapping as plain values; undefined when there is none, or the file cannot be read (identity reports that). */
function syncSection(root: string): Record<string, unknown> | undefined {
  let read;
  try {
    // Most configs have no sync section: a look at the text spares every command a second parse.
    if (!/^sync\s*:/m.test(readFileSync(configPath(root), 'utf8'))) return undefined;
    read = readConfig(configPath(root));
  } catch {
    return undefined;
  }
  if (read.kind !== 'ok') return undefined;
  const node = read.doc.get('sync', true);
  return isMap(node) ? (node.toJSON() as Record<string, unknown>) : undefined;
}
