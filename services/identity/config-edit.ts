import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, parse, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';

/** The `project:` fields spec-kitty writes, in the order it writes them. */
export interface ProjectFields {
  uuid: string;
  slug: string;
  node_id: string;
}

const FIELDS = ['uuid', 'slug', 'node_id'] as const;

interface Splice {
  start: number;
  end: number;
  text: string;
}

/**
 * `text` (parsed as `doc`, with `keepSourceTokens`) with its `project:` block set to `fields`,
 * changing only what has to change: a value that differs is replaced in place (keeping its
 * quotes and the comment after it), a missing field becomes one new line after the block's
 * last entry, and a missing block is appended at the end. Every other byte stays: other keys,
 * comments, blank lines, quoting, CRLF line endings, a missing final newline.
 *
 * The edit is checked by parsing it back: if the result does not hold exactly `fields` and
 * every other key unchanged (a shape this does not know how to splice), the whole document is
 * re-serialised by the yaml library instead, which keeps keys and comments but not spacing.
 */
export function setProjectFields(text: string, doc: Document, fields: ProjectFields): string {
  let edited: string | null = null;
  try {
    edited = apply(text, splicesFor(text, doc, fields));
  } catch {
    edited = null;
  }
  if (edited !== null && holds(edited, doc, fields)) return edited;
  return reserialised(doc, fields);
}

function reserialised(doc: Document, fields: ProjectFields): string {
  const copy = doc.clone();
  if (!isMap(copy.get('project', true))) copy.set('project', copy.createNode({}));
  for (const key of FIELDS) {
    if (copy.getIn(['project', key]) !== fields[key]) copy.setIn(['project', key], fields[key]);
  }
  return copy.toString();
}

/** True when `edited` parses to `fields` under `project` and to what `before` held elsewhere. */
function holds(edited: string, before: Document, fields: ProjectFields): boolean {
  const after = parseDocument(edited);
  if (after.errors.length > 0 || (after.contents !== null && !isMap(after.contents))) return false;
  const project = after.get('project', true);
  if (!isMap(project)) return false;
  for (const key of FIELDS) if (project.get(key) !== fields[key]) return false;
  const others = (d: Document) => {
    const js = (d.toJS() ?? {}) as Record<string, unknown>;
    const { project: _, ...rest } = js;
    return rest;
  };
  const wasProject = before.get('project', true);
  if (isMap(wasProject)) {
    const old = wasProject.toJSON() as Record<string, unknown>;
    const now = project.toJSON() as Record<string, unknown>;
    for (const key of Object.keys(old)) {
      if (!(FIELDS as readonly string[]).includes(key) && !isDeepStrictEqual(old[key], now[key])) return false;
    }
  }
  return isDeepStrictEqual(others(after), others(before));
}

function apply(text: string, splices: Splice[]): string {
  let out = text;
  for (const s of [...splices].sort((a, b) => b.start - a.start || b.end - a.end)) {
    out = out.slice(0, s.start) + s.text + out.slice(s.end);
  }
  return out;
}

function splicesFor(text: string, doc: Document, fields: ProjectFields): Splice[] {
  const eol = /\r\n/.test(text.slice(0, text.indexOf('\n') + 1)) ? '\r\n' : '\n';
  const root = doc.contents;
  const block = (indent: number) => FIELDS.map((key) => `${' '.repeat(indent)}${key}: ${scalar(fields[key])}`);
  const flow = () => `{${FIELDS.map((key) => `${key}: ${scalar(fields[key])}`).join(', ')}}`;

  if (root === null || root === undefined) return [linesAfter(text, text.length, ['project:', ...block(2)], eol)];
  if (!isMap(root)) throw new Error('not a mapping');
  const pair = root.items.find((item) => isScalar(item.key) && item.key.value === 'project') as Pair<Node, Node | null> | undefined;

  if (!pair) {
    if (isFlow(root)) return [intoFlowMap(text, root, [`project: ${flow()}`])];
    const indent = columnOf(text, range(root)[0]);
    return [linesAfter(text, text.length, [`${' '.repeat(indent)}project:`, ...block(indent + 2)], eol)];
  }

  const value = pair.value;
  if (isMap(value)) return fieldSplices(text, value, fields, eol);

  // Null or not a mapping: the value goes, a block of the three fields takes its place.
  if (isFlow(root)) {
    if (!value || range(value)[0] === range(value)[1]) throw new Error('no value to replace');
    return [{ start: range(value)[0], end: contentEnd(text, range(value)[1]), text: flow() }];
  }
  const colon = colonAfter(root, pair);
  const end = value ? Math.max(colon, contentEnd(text, range(value)[1])) : colon;
  return [
    { start: colon, end, text: '' },
    linesAfter(text, end, block(columnOf(text, range(pair.key as Node)[0]) + 2), eol),
  ];
}

/** The splices that set `fields` in an existing `project` mapping. */
function fieldSplices(text: string, map: YAMLMap, fields: ProjectFields, eol: string): Splice[] {
  const splices: Splice[] = [];
  const missing: string[] = [];
  for (const key of FIELDS) {
    const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key) as Pair<Node, Node | null> | undefined;
    if (!pair) {
      missing.push(key);
      continue;
    }
    const value = pair.value;
    if (isScalar(value) && value.value === fields[key]) continue;
    const [start, end] = value ? range(value) : [0, 0];
    if (!value || start === end) {
      // `key:` with nothing after it (maybe a comment): the value goes right after the colon.
      splices.push({ start: colonAfter(map, pair), end: colonAfter(map, pair), text: ` ${scalar(fields[key])}` });
    } else {
      const style = isScalar(value) ? value.type : undefined;
      splices.push({ start, end: Math.max(start, contentEnd(text, end)), text: scalar(fields[key], style) });
    }
  }
  if (missing.length === 0) return splices;
  if (isFlow(map)) {
    splices.push(intoFlowMap(text, map, missing.map((key) => `${key}: ${scalar(fields[key as keyof ProjectFields])}`)));
    return splices;
  }
  const last = map.items[map.items.length - 1];
  const lastNode = (last.value ?? last.key) as Node;
  const indent = columnOf(text, range(map)[0]);
  splices.push(linesAfter(text, contentEnd(text, range(lastNode)[1]), missing.map((key) => `${' '.repeat(indent)}${key}: ${scalar(fields[key as keyof ProjectFields])}`), eol));
  return splices;
}

/** Inserts `lines` after the line holding `offset`, in the file's line endings; a file without a final newline keeps that. */
function linesAfter(text: string, offset: number, lines: string[], eol: string): Splice {
  const block = lines.map((l) => l + eol).join('');
  // At the end of a file that ends in a newline (or is empty): nothing on this line yet.
  if (offset === text.length && (offset === 0 || text[offset - 1] === '\n')) return { start: offset, end: offset, text: block };
  const newline = text.indexOf('\n', offset);
  if (newline >= 0) return { start: newline + 1, end: newline + 1, text: block };
  // The last line, without a final newline: the new lines go before the end, joined, and none after.
  return { start: text.length, end: text.length, text: lines.map((l) => eol + l).join('') };
}

/**
 * Inserts `pairs` into a flow mapping: after its last entry (before any trailing comma, and
 * never inside a comment), or just inside the `{` of an empty one.
 */
function intoFlowMap(text: string, map: YAMLMap, pairs: string[]): Splice {
  const last = map.items[map.items.length - 1];
  if (last) {
    const at = contentEnd(text, range((last.value ?? last.key) as Node)[1]);
    return { start: at, end: at, text: `, ${pairs.join(', ')}` };
  }
  const token = map.srcToken;
  if (!token || token.type !== 'flow-collection') throw new Error('no source tokens');
  const at = token.start.offset + 1;
  return { start: at, end: at, text: pairs.join(', ') };
}

/** The offset just after the `:` of `pair` in `map`, from the concrete syntax tree. */
function colonAfter(map: YAMLMap, pair: Pair): number {
  const token = map.srcToken;
  if (!token || (token.type !== 'block-map' && token.type !== 'flow-collection')) throw new Error('no source tokens');
  const keyStart = range(pair.key as Node)[0];
  for (const item of token.items) {
    if (!item.key || !('offset' in item.key) || item.key.offset !== keyStart) continue;
    const colon = item.sep?.find((t) => t.type === 'map-value-ind');
    if (colon) return colon.offset + 1;
  }
  throw new Error('no colon');
}

function isFlow(map: YAMLMap): boolean {
  return map.srcToken?.type === 'flow-collection';
}

function range(node: Node): [number, number, number] {
  if (!node.range) throw new Error('no source range');
  return node.range;
}

/** `offset` moved back over trailing spaces and line breaks. */
function contentEnd(text: string, offset: number): number {
  let end = offset;
  while (end > 0 && /[ \t\r\n]/.test(text[end - 1])) end--;
  return end;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** A value as YAML source: in the quotes it replaces, plain when it reads back as itself, else double-quoted. */
function scalar(value: string, style?: string | null): string {
  if (style === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value) && parse(value) === value ? value : JSON.stringify(value);
}
