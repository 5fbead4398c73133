/** Small validators for plugin options: each throws a message naming the option. */
export function optionalNumber(raw: Record<string, unknown>, key: string, fallback: number, min = 0): number {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new Error(`option "${key}" must be a number ≥ ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function optionalEnum<T extends string>(raw: Record<string, unknown>, key: string, allowed: readonly T[], fallback: T): T {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new Error(`option "${key}" must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

export function rejectUnknown(raw: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new Error(`unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} (known: ${known.join(', ') || 'none'})`);
  }
}
