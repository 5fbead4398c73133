import { Document, LineCounter, isMap, isScalar, parseDocument, type Scalar, type YAMLSeq } from 'yaml';
import { UserError } from '../../core/errors.js';
import { WP_LANES, type Lane } from '../../contract/index.js';
import { normalizeWpId } from './slug.js';

/** A WP file as read from disk: the parsed fields plus what is needed to edit it in place. */
export interface WpFile {
  /** Absolute path. */
  path: string;
  /** Path as shown to users (relative to the project root). */
  displayPath: string;
  text: string;
  id: string;
  title: string;
  lane: Lane;
  dependencies: string[];
  /** Offsets of the YAML between the `---` fences. */
  yamlStart: number;
  yamlEnd: number;
  doc: Document;
}

/** A WP file that cannot be read; the message names the file, line and column. */
export class WpFileError extends UserError {
  constructor(displayPath: string, line: number, col: number | null, detail: string) {
    super(`${displayPath}:${line}${col ? `:${col}` : ''}: ${detail}\nFix the file (or restore it from git) and run the command again.`);
    this.name = 'UserError';
  }
}

const FENCE = /^---[ \t]*\r?$/;
const CLOSING = /^(---|\.\.\.)[ \t]*\r?$/;

/** Finds the frontmatter fences; line numbers are 1-based in the file. */
function locateFrontmatter(text: string, displayPath: string): { yamlStart: number; yamlEnd: number } {
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  const firstEnd = text.indexOf('\n', bom);
  if (firstEnd < 0 || !FENCE.test(text.slice(bom, firstEnd))) {
    throw new WpFileError(displayPath, 1, null, 'missing YAML frontmatter: a WP file starts with a "---" line');
  }
  const yamlStart = firstEnd + 1;
  let pos = yamlStart;
  while (pos < text.length) {
    const next = text.indexOf('\n', pos);
    const lineEnd = next < 0 ? text.length : next;
    if (CLOSING.test(text.slice(pos, lineEnd))) return { yamlStart, yamlEnd: pos };
    pos = lineEnd + 1;
  }
  throw new WpFileError(displayPath, 1, null, 'unterminated YAML frontmatter: no closing "---" line');
}

export function parseWpFile(text: string, path: string, displayPath: string, id: string): WpFile {
  const { yamlStart, yamlEnd } = locateFrontmatter(text, displayPath);
  const source = text.slice(yamlStart, yamlEnd);
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  // The YAML starts on the file's second line.
  const fileLine = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line + 1, col: p.col };
  };
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const { line, col } = fileLine(err.pos[0]);
    // The parser's own positions count from the frontmatter; only the file's line and column are shown.
    const detail = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new WpFileError(displayPath, line, col, `invalid YAML frontmatter: ${detail}`);
  }
  if (!isMap(doc.contents)) {
    throw new WpFileError(displayPath, 2, null, 'the frontmatter must be a mapping of keys to values (e.g. "lane: planned")');
  }
  const at = (key: string) => {
    const node = doc.get(key, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? fileLine(node.range[0]) : { line: 2, col: 1 };
  };

  let data: Record<string, unknown>;
  try {
    data = doc.toJS() as Record<string, unknown>;
  } catch (err) {
    throw new WpFileError(displayPath, 2, null, `invalid YAML frontmatter: ${(err as Error).message}`);
  }

  // spec-kitty 0.11 always writes a lane; a file without one has never been moved.
  const lane = data.lane ?? 'planned';
  if (typeof lane !== 'string' || !(WP_LANES as readonly string[]).includes(lane)) {
    const { line, col } = at('lane');
    throw new WpFileError(displayPath, line, col, `lane ${JSON.stringify(lane)} is not one of ${WP_LANES.join(', ')}`);
  }

  const rawDeps = data.dependencies ?? [];
  const depList = typeof rawDeps === 'string' ? rawDeps.split(',').filter((s) => s.trim()) : rawDeps;
  if (!Array.isArray(depList)) {
    const { line, col } = at('dependencies');
    throw new WpFileError(displayPath, line, col, 'dependencies must be a list of WP ids, e.g. [WP01, WP02]');
  }
  const dependencies: string[] = [];
  for (const dep of depList) {
    const norm = typeof dep === 'string' || typeof dep === 'number' ? normalizeWpId(String(dep)) : null;
    if (!norm) {
      const { line, col } = at('dependencies');
      throw new WpFileError(displayPath, line, col, `dependency ${JSON.stringify(dep)} is not a WP id like WP01`);
    }
    if (!dependencies.includes(norm)) dependencies.push(norm);
  }

  const title = typeof data.title === 'string' && data.title.trim() ? data.title : id;
  return { path, displayPath, text, id, title, lane: lane as Lane, dependencies, yamlStart, yamlEnd, doc };
}

/**
 * The file text with only the lane changed. The lane's value is spliced into the original
 * text, so every other byte (unknown keys, comments, quoting, key order) stays as it was.
 */
export function withLane(wp: WpFile, lane: Lane): string {
  const { text, yamlStart, yamlEnd, doc } = wp;
  const pair = isMap(doc.contents) ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'lane') : undefined;
  const value = pair?.value as Scalar | null | undefined;
  if (pair && isScalar(value) && value.range) {
    const quoted = value.type === 'QUOTE_DOUBLE' ? `"${lane}"` : value.type === 'QUOTE_SINGLE' ? `'${lane}'`
      : value.type === 'PLAIN' ? lane : null;
    if (quoted !== null) {
      const [start, end] = value.range;
      return text.slice(0, yamlStart + start) + quoted + text.slice(yamlStart + end);
    }
  }
  if (!pair) {
    const before = text.slice(0, yamlEnd);
    const sep = before.endsWith('\n') ? '' : '\n';
    return before + sep + `lane: ${lane}\n` + text.slice(yamlEnd);
  }
  // An unusual lane value (block scalar, empty): re-serialize the frontmatter; comments survive.
  const copy = doc.clone();
  copy.set('lane', lane);
  return text.slice(0, yamlStart) + copy.toString({ flowCollectionPadding: false }) + text.slice(yamlEnd);
}

export interface NewWp {
  id: string;
  title: string;
  dependencies: string[];
}

/** The text of a new WP file in the spec-kitty 0.11 layout; the activity log is added by the caller. */
export function renderNewWp(wp: NewWp): string {
  const doc = new Document({ work_package_id: wp.id, title: wp.title, lane: 'planned', dependencies: wp.dependencies });
  (doc.get('dependencies', true) as YAMLSeq).flow = true;
  const yaml = doc.toString({ flowCollectionPadding: false });
  return `---\n${yaml}---\n\n# ${wp.id} – ${wp.title}\n`;
}
