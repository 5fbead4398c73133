import { useColor } from '../lib/logger.js';
import { isTerminal, writeFd } from './launcher/stdio.js';

/** Machine-readable output: one JSON document on stdout, nothing else. */
export function printJson(value: unknown): void {
  writeFd(1, JSON.stringify(value, null, 2) + '\n');
}

export function print(line = ''): void {
  writeFd(1, line + '\n');
}

// Decided once, on first use, as the logger does for stderr.
let decided: boolean | undefined;
const color = () => (decided ??= useColor(() => isTerminal(1)));
export const bold = (s: string) => (color() ? `\x1b[1m${s}\x1b[0m` : s);
export const dim = (s: string) => (color() ? `\x1b[2m${s}\x1b[0m` : s);

/** Left-aligned columns sized to their widest cell. */
export function table(rows: string[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths = all[0]?.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length))) ?? [];
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  const lines = rows.map(fmt);
  return (header ? [bold(fmt(header)), ...lines] : lines).join('\n');
}
