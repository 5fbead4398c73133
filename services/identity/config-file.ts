import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import { KITTIFY_DIR } from './project-root.js';

export const CONFIG_FILE = 'config.yaml';
export const configPath = (root: string) => join(root, KITTIFY_DIR, CONFIG_FILE);

/** What a new config.yaml starts with; edits of an existing file keep the user's text instead. */
export const CONFIG_HEADER = `# spec-kitty project settings: commit this file.
# project.uuid identifies this project on your team's hub; never change it.
# project.slug is a readable name; project.node_id is the machine that created the identity.
`;

export interface YamlProblem {
  line: number;
  column: number;
  message: string;
}

export type ConfigRead =
  | { kind: 'missing' }
  | { kind: 'ok'; text: string; doc: Document }
  | { kind: 'corrupt'; text: string; problem: YamlProblem };

/** The raw `project:` fields as written (unvalidated). */
export interface RawProject {
  uuid?: unknown;
  slug?: unknown;
  node_id?: unknown;
  /** False when `project` exists but is not a mapping. */
  isMapping: boolean;
}

export function readConfig(path: string): ConfigRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw err;
  }
  const doc = parseDocument(text, { prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    return { kind: 'corrupt', text, problem: { line: at?.line ?? 1, column: at?.col ?? 1, message: firstLine(error.message) } };
  }
  // An empty file (or only comments) is a fine start; a list or a scalar is not a config.
  if (doc.contents !== null && !isMap(doc.contents)) {
    const range = doc.contents.range;
    const pos = range ? lineColumn(text, range[0]) : { line: 1, column: 1 };
    return { kind: 'corrupt', text, problem: { ...pos, message: 'the document is not a mapping of keys to values' } };
  }
  return { kind: 'ok', text, doc };
}

export function rawProject(doc: Document): RawProject {
  const node = doc.get('project', true);
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return { isMapping: true };
  if (!isMap(node)) return { isMapping: false };
  return { uuid: node.get('uuid'), slug: node.get('slug'), node_id: node.get('node_id'), isMapping: true };
}

const UUID_AFTER_KEY = /\buuid\b["']?\s*[:=]\s*["']?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;
const ANY_UUID = /\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/i;

/** A uuid recognizable in a broken file: one written after a `uuid` key, else the first uuid-looking text. */
export function salvageUuid(text: string): string | null {
  const m = UUID_AFTER_KEY.exec(text) ?? ANY_UUID.exec(text);
  return m ? m[1].toLowerCase() : null;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').trim();
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}
