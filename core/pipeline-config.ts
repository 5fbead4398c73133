import { readFileSync } from 'node:fs';
import { pipelineEntryViolations, type ProjectPipelineFileEntry } from '../contract/index.js';
import { PluginConfigError } from './errors.js';

export type PluginSource = 'built-in' | 'package' | 'path';

/** One plugin of the effective pipeline, after the project's adjustments. */
export interface PipelineEntry {
  use: string;
  enabled: boolean;
  /** A required plugin that cannot load stops the command (queue-persist); others are skipped. */
  required: boolean;
  options: Record<string, unknown>;
  source: PluginSource;
  /** The file that added the entry, and the one that last adjusted it. */
  definedIn: string;
  adjustedIn?: string;
}

export interface ConfigProblem {
  plugin: string | null;
  file: string;
  message: string;
}

type RawEntry = ProjectPipelineFileEntry;

export function sourceOf(use: string, builtins: readonly string[]): PluginSource {
  if (use.startsWith('.') || use.startsWith('/') || /^[A-Za-z]:[\\/]/.test(use)) return 'path';
  return builtins.includes(use) ? 'built-in' : 'package';
}

/** JSON.parse reports a character offset; people want line and column. */
function jsonError(text: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const pos = /position (\d+)/.exec(msg);
  if (!pos) return msg;
  const before = text.slice(0, Number(pos[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${msg.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}

function readEntries(file: string, text: string, allowPosition: boolean): { entries: RawEntry[]; problems: ConfigProblem[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { entries: [], problems: [{ plugin: null, file, message: `invalid JSON: ${jsonError(text, err)}` }] };
  }
  const list = (doc as { plugins?: unknown } | null)?.plugins;
  if (typeof doc !== 'object' || doc === null || !Array.isArray(list)) {
    return { entries: [], problems: [{ plugin: null, file, message: 'expected an object with a "plugins" array' }] };
  }
  const entries: RawEntry[] = [];
  const problems: ConfigProblem[] = [];
  list.forEach((raw, i) => {
    // Each entry on its own: a bad one is reported (every violation, with its path) and the rest still load.
    const violations = pipelineEntryViolations(raw, { allowPosition, where: `plugins[${i}]` });
    if (violations.length === 0) {
      entries.push(raw as RawEntry);
      return;
    }
    const use = (raw as { use?: unknown } | null)?.use;
    const plugin = typeof use === 'string' && use !== '' ? use : null;
    for (const message of violations) problems.push({ plugin, file, message });
  });
  return { entries, problems };
}

/**
 * The effective pipeline: the package's plugins.json, adjusted by the project's
 * `.kittify/plugins.json`, whose entries either adjust a listed plugin (same `use`) or add
 * one at `before`/`after` a listed plugin (default: the end). Project problems are reported
 * and skipped, so a bad project file never costs the default pipeline.
 */
export function readPipeline(
  defaultsFile: string,
  projectFile: string | null,
  builtins: readonly string[],
  read: (file: string) => string | null = readIfExists,
): { entries: PipelineEntry[]; problems: ConfigProblem[] } {
  const defaultsText = read(defaultsFile);
  if (defaultsText === null) throw new PluginConfigError('*', defaultsFile, 'default pipeline file is missing');
  const defaults = readEntries(defaultsFile, defaultsText, false);
  if (defaults.problems.length) {
    const p = defaults.problems[0];
    throw new PluginConfigError(p.plugin ?? '*', defaultsFile, p.message);
  }
  const entries: PipelineEntry[] = defaults.entries.map((e) => ({
    use: e.use,
    enabled: e.enabled ?? true,
    required: e.required ?? false,
    options: e.options ?? {},
    source: sourceOf(e.use, builtins),
    definedIn: defaultsFile,
  }));

  const problems: ConfigProblem[] = [];
  const projectText = projectFile ? read(projectFile) : null;
  if (projectFile && projectText !== null) {
    const project = readEntries(projectFile, projectText, true);
    problems.push(...project.problems);
    for (const e of project.entries) {
      const existing = entries.find((x) => x.use === e.use);
      if (existing) {
        if (e.before !== undefined || e.after !== undefined) {
          problems.push({ plugin: e.use, file: projectFile, message: 'a listed plugin cannot be moved; disable it and add it again under another path' });
          continue;
        }
        if (e.enabled === false && existing.required) {
          // A required plugin is what makes events durable: without it a command would change files and record nothing.
          problems.push({ plugin: e.use, file: projectFile, message: 'is required and cannot be disabled; it stays enabled' });
        } else if (e.enabled !== undefined) {
          existing.enabled = e.enabled;
        }
        // Lowering `required` would let a project silently stop queueing; only raising is allowed.
        if (e.required) existing.required = true;
        if (e.options) existing.options = { ...existing.options, ...e.options };
        existing.adjustedIn = projectFile;
        continue;
      }
      const anchor = e.before ?? e.after;
      let at = entries.length;
      if (anchor !== undefined) {
        const i = entries.findIndex((x) => x.use === anchor);
        if (i < 0) {
          problems.push({ plugin: e.use, file: projectFile, message: `"${e.before ? 'before' : 'after'}" names "${anchor}", which is not in the pipeline` });
          continue;
        }
        at = e.before !== undefined ? i : i + 1;
      }
      entries.splice(at, 0, {
        use: e.use,
        enabled: e.enabled ?? true,
        required: e.required ?? false,
        options: e.options ?? {},
        source: sourceOf(e.use, builtins),
        definedIn: projectFile,
      });
    }
  }
  return { entries, problems };
}

function readIfExists(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
