import type { Lane } from '../../contract/index.js';

/** One transition as recorded at the end of a WP file. */
export interface ActivityEntry {
  at: Date;
  actor: string;
  lane: Lane;
  note: string;
}

const HEADING = /^##[ \t]+Activity Log[ \t]*\r?$/im;
const NEXT_HEADING = /^#{1,2}[ \t]+\S/m;
// The en dash separator is what spec-kitty 0.11 writes; its tooling splits on it.
const SEP = ' – ';

/** Second precision, like spec-kitty 0.11 logs: `2025-01-31T09:15:00Z`. */
export const utcStamp = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

// A log line is one line: a newline in a note would start a fake entry.
const oneLine = (s: string) => s.replace(/\s*[\r\n]+\s*/g, ' ').trim();

export function formatActivityLine(e: ActivityEntry): string {
  return `- ${utcStamp(e.at)}${SEP}${oneLine(e.actor)}${SEP}lane=${e.lane}${SEP}${oneLine(e.note)}`;
}

/**
 * The text with one more log line. Existing lines are never touched: the line goes after the
 * last entry of the `## Activity Log` section (created at the end if missing).
 */
export function appendActivity(text: string, entry: ActivityEntry): string {
  const line = formatActivityLine(entry);
  const heading = HEADING.exec(text);
  if (!heading) {
    const base = text.length === 0 || text.endsWith('\n') ? text : text + '\n';
    return `${base}\n## Activity Log\n\n${line}\n`;
  }
  const sectionStart = heading.index + heading[0].length;
  const rest = text.slice(sectionStart);
  const next = NEXT_HEADING.exec(rest);
  const sectionEnd = next ? sectionStart + next.index : text.length;
  const section = text.slice(sectionStart, sectionEnd);
  const trimmed = section.replace(/\s+$/, '');
  // An empty section gets a blank line after the heading, as spec-kitty writes it.
  const body = trimmed.length === 0 ? `\n\n${line}\n` : `${trimmed}\n${line}\n`;
  const tail = text.slice(sectionEnd);
  return text.slice(0, sectionStart) + body + (tail ? '\n' + tail : '');
}

const LINE = /^- (\S+) – (.*?) – lane=(\S+) – (.*)$/;

/** The entries of the Activity Log section, oldest first; lines in other formats are skipped. */
export function parseActivityLog(text: string): Array<Omit<ActivityEntry, 'lane'> & { lane: string }> {
  const heading = HEADING.exec(text);
  if (!heading) return [];
  const rest = text.slice(heading.index + heading[0].length);
  const next = NEXT_HEADING.exec(rest);
  const section = next ? rest.slice(0, next.index) : rest;
  const out: Array<Omit<ActivityEntry, 'lane'> & { lane: string }> = [];
  for (const raw of section.split(/\r?\n/)) {
    const m = LINE.exec(raw.trim());
    if (m) out.push({ at: new Date(m[1]), actor: m[2], lane: m[3], note: m[4] });
  }
  return out;
}
