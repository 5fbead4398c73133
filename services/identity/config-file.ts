import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { KITTIFY_DIR } from './project-root.js';

export const CONFIG_FILE = 'config.yaml';
export const configPath = (root: string) => join(root, KITTIFY_DIR, CONFIG_FILE);

/** What a new config.yaml starts with; edits of an existing file keep the user's text instead. */
export const CONFIG_HEADER = `# spec-kitty project settings: commit this file.
# project.uuid identifies this project on your team's hub; never change it.
# project.slug is a readable name; project.node_id is the machine that created the identity.
`;

/** What is wrong with a file, and where: line and column count from 1. */
export interface YamlProblem {
  line: number;
  column: number;
  /** What is wrong, e.g. `not valid YAML (…)` or `the top level is a list, not a mapping of keys to values`. */
  message: string;
}

export type ConfigRead =
  | { kind: 'missing' }
  /** `config.yaml` is a folder: nothing can be read from it or written to it. */
  | { kind: 'directory' }
  | { kind: 'ok'; text: string; doc: Document }
  | { kind: 'corrupt'; text: string; problem: YamlProblem };

/** The raw `project:` fields as written (unvalidated). */
export interface RawProject {
  uuid?: unknown;
  slug?: unknown;
  node_id?: unknown;
  /** False when `project` exists but is not a mapping. */
  isMapping: boolean;
  /** The `project` value and `project.uuid` value as parsed, for saying where a problem is. */
  projectNode?: Node;
  uuidNode?: Node;
}

export function readConfig(path: string): ConfigRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'EISDIR') return { kind: 'directory' };
    throw err;
  }
  // Source tokens let an edit splice the user's text instead of re-serialising it (config-edit.ts).
  const doc = parseDocument(text, { prettyErrors: true, keepSourceTokens: true });
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    return { kind: 'corrupt', text, problem: { line: at?.line ?? 1, column: at?.col ?? 1, message: `not valid YAML (${firstLine(error.message)})` } };
  }
  // An empty file (or only comments) is a fine start; a list or a scalar is not a config.
  if (doc.contents !== null && !isMap(doc.contents)) {
    return { kind: 'corrupt', text, problem: { ...positionOf(text, doc.contents), message: `the top level is ${describeNode(doc.contents)}, not a mapping of keys to values` } };
  }
  return { kind: 'ok', text, doc };
}

/** Where `node` starts in `text` (1-based line and column); 1:1 when the parser kept no range. */
export function positionOf(text: string, node: Node | null | undefined): { line: number; column: number } {
  return node?.range ? lineColumn(text, node.range[0]) : { line: 1, column: 1 };
}

/** `a list`, `the number 5`, `the text "abc"`, …: what a node holds, for messages. */
export function describeNode(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isAlias(node)) return `an alias (*${node.source})`;
  const value = isScalar(node) ? node.value : node;
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'bigint') return `the number ${String(value)}`;
  if (typeof value === 'boolean') return `the boolean ${String(value)}`;
  return `the value ${JSON.stringify(String(value))}`;
}

export function rawProject(doc: Document): RawProject {
  const node = doc.get('project', true);
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return { isMapping: true };
  if (!isMap(node)) return { isMapping: false, projectNode: node as Node };
  const uuidNode = node.get('uuid', true);
  return {
    uuid: node.get('uuid'), slug: node.get('slug'), node_id: node.get('node_id'), isMapping: true,
    projectNode: node, uuidNode: uuidNode === undefined || uuidNode === null ? undefined : uuidNode as Node,
  };
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
