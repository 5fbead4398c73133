/** One `key = value` of a git config file, named as git names it. */
export interface GitConfigEntry {
  /** Lower-cased (`[Remote "origin"]` → `remote`). */
  section: string;
  /** Case kept for `[section "sub"]`; lower-cased for the old `[section.sub]` form; null without one. */
  subsection: string | null;
  /** Lower-cased. */
  key: string;
  /** The value after git's unquoting; null for a bare `key` (git's "true"). */
  value: string | null;
}

const SECTION_CHAR = /[A-Za-z0-9.-]/;
const KEY_START = /[A-Za-z]/;
const KEY_CHAR = /[A-Za-z0-9-]/;
const SPACE = /[ \t\r\f\v]/;

/**
 * The entries of a git config file (git-config(1) "CONFIGURATION FILE"), in file order:
 * `[section]`, `[section "subsection"]` (with `\"` and `\\`) and `[section.subsection]`
 * headers; `key = value` with double quotes, the escapes `\n \t \b \" \\`, a backslash at
 * the end of a line continuing the value, `#` and `;` comments outside quotes, and spaces
 * around a value trimmed. What git would reject is skipped rather than thrown: a reader of
 * someone else's file should get what it can. `include` sections are listed, not followed.
 */
export function parseGitConfig(source: string): GitConfigEntry[] {
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const entries: GitConfigEntry[] = [];
  let section: string | null = null;
  let subsection: string | null = null;
  let i = 0;
  const skipLine = () => {
    while (i < text.length && text[i] !== '\n') i++;
    i++;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n' || SPACE.test(c)) { i++; continue; }
    if (c === '#' || c === ';') { skipLine(); continue; }
    if (c === '[') {
      const header = parseHeader(text, i + 1);
      if (!header) { section = null; skipLine(); continue; }
      ({ section, subsection } = header);
      i = header.end; // a key may follow on the same line
      continue;
    }
    if (!KEY_START.test(c) || section === null) { skipLine(); continue; }
    let key = '';
    while (i < text.length && KEY_CHAR.test(text[i])) key += text[i++];
    while (i < text.length && SPACE.test(text[i])) i++;
    if (i >= text.length || text[i] === '\n' || text[i] === '#' || text[i] === ';') {
      entries.push({ section, subsection, key: key.toLowerCase(), value: null });
      skipLine();
      continue;
    }
    if (text[i] !== '=') { skipLine(); continue; }
    const value = parseValue(text, i + 1);
    i = value.end;
    entries.push({ section, subsection, key: key.toLowerCase(), value: value.text });
  }
  return entries;
}

function parseHeader(text: string, start: number): { section: string; subsection: string | null; end: number } | null {
  let i = start;
  let name = '';
  while (i < text.length && SECTION_CHAR.test(text[i])) name += text[i++];
  if (!name) return null;
  if (text[i] === ']') {
    const dot = name.indexOf('.');
    // The old form: `[section.sub]`, whose subsection git lower-cases.
    return dot < 0
      ? { section: name.toLowerCase(), subsection: null, end: i + 1 }
      : { section: name.slice(0, dot).toLowerCase(), subsection: name.slice(dot + 1).toLowerCase(), end: i + 1 };
  }
  if (!SPACE.test(text[i] ?? '')) return null;
  while (SPACE.test(text[i] ?? '')) i++;
  if (text[i] !== '"') return null;
  let sub = '';
  for (i++; i < text.length && text[i] !== '"'; i++) {
    if (text[i] === '\n') return null;
    if (text[i] === '\\' && i + 1 < text.length && text[i + 1] !== '\n') i++;
    sub += text[i];
  }
  if (text[i] !== '"' || text[i + 1] !== ']') return null;
  return { section: name.toLowerCase(), subsection: sub, end: i + 2 };
}

function parseValue(text: string, start: number): { text: string; end: number } {
  let out = '';
  let pending = ''; // whitespace outside quotes: kept only if something follows it
  let quoted = false;
  let i = start;
  while (SPACE.test(text[i] ?? '')) i++;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      if (quoted) continue; // git rejects an unclosed quote; take what there is
      break;
    }
    if (!quoted && (c === '#' || c === ';')) {
      while (i < text.length && text[i] !== '\n') i++;
      break;
    }
    if (!quoted && SPACE.test(c)) {
      if (out) pending += ' ';
      continue;
    }
    out += pending;
    pending = '';
    if (c === '"') { quoted = !quoted; continue; }
    if (c === '\\') {
      const n = text[++i];
      if (n === '\n') continue; // a continued line
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'b' ? '\b' : (n ?? '');
      continue;
    }
    out += c;
  }
  return { text: out, end: i + 1 };
}

/** The values of `section[.subsection].key` in file order (git's "last one wins" is the caller's to apply). */
export function gitConfigValues(entries: readonly GitConfigEntry[], section: string, subsection: string | null, key: string): Array<string | null> {
  const s = section.toLowerCase();
  const k = key.toLowerCase();
  return entries.filter((e) => e.section === s && e.subsection === subsection && e.key === k).map((e) => e.value);
}
