/**
 * Kebab-case slug for folder and file names. Diacritics are folded so "Café" and "Cafe"
 * give the same folder, which keeps names portable across file systems.
 */
export function slugify(text: string, maxLength = 48): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= maxLength) return slug;
  // Cut at a word boundary so a long title does not end in half a word.
  const cut = slug.slice(0, maxLength);
  const lastDash = cut.lastIndexOf('-');
  return (lastDash > maxLength / 2 ? cut.slice(0, lastDash) : cut).replace(/-+$/, '');
}

/** Feature numbers are three digits ("001"), as in spec-kitty 0.11 projects. */
export const formatFeatureNumber = (n: number): string => String(n).padStart(3, '0');

/** WP ids are "WP" and two digits. */
export const formatWpId = (n: number): string => `WP${String(n).padStart(2, '0')}`;

/** Accepts what users type ("wp1", "WP01", "1") and gives the canonical id, or null. */
export function normalizeWpId(input: string): string | null {
  const m = /^(?:wp)?0*(\d{1,2})$/i.exec(input.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 1 ? formatWpId(n) : null;
}

/** The next number after the highest in use: gaps left by deleted items are never reused. */
export function nextNumber(used: Iterable<number>): number {
  let max = 0;
  for (const n of used) if (n > max) max = n;
  return max + 1;
}
