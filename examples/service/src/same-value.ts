/**
 * Exact comparison of feature values as the typed clients return them: bigints by value (never through
 * a number), Dates by their millisecond, byte arrays byte by byte, NaN equal to NaN. Returns where the
 * two differ, or null.
 */
export function difference(expected: unknown, actual: unknown, at = '$'): string | null {
  if (typeof expected === 'bigint' || typeof actual === 'bigint') {
    return typeof expected === typeof actual && expected === actual ? null : `${at}: expected ${show(expected)}, got ${show(actual)}`;
  }
  if (typeof expected === 'number' && typeof actual === 'number') {
    return Object.is(expected, actual) || expected === actual ? null : `${at}: expected ${expected}, got ${actual}`;
  }
  if (expected instanceof Date || actual instanceof Date) {
    return expected instanceof Date && actual instanceof Date && expected.getTime() === actual.getTime() ? null : `${at}: expected ${show(expected)}, got ${show(actual)}`;
  }
  if (expected instanceof Uint8Array || actual instanceof Uint8Array) {
    const same = expected instanceof Uint8Array && actual instanceof Uint8Array && expected.length === actual.length && expected.every((b, i) => b === actual[i]);
    return same ? null : `${at}: expected ${show(expected)}, got ${show(actual)}`;
  }
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual)) return `${at}: expected ${show(expected)}, got ${show(actual)}`;
    if (expected.length !== actual.length) return `${at}: expected ${expected.length} items, got ${actual.length}`;
    for (let i = 0; i < expected.length; i++) {
      const d = difference(expected[i], actual[i], `${at}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null) {
    const e = expected as Readonly<Record<string, unknown>>;
    const a = actual as Readonly<Record<string, unknown>>;
    const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
    for (const k of keys) {
      if (!(k in e) || !(k in a)) return `${at}.${k}: ${k in e ? 'missing' : 'unexpected'}`;
      const d = difference(e[k], a[k], `${at}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return expected === actual ? null : `${at}: expected ${show(expected)}, got ${show(actual)}`;
}

/** JSON with bigints as `123n`, Dates as ISO text and bytes as hex, for printing what was read. */
export function show(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`;
    return v;
  }) ?? String(value);
}
