/**
 * How a message names a value the user wrote: by its source text where there is one, because the
 * parsed value can say something else entirely. `1e400` and `.nan` parse to Infinity and NaN (which
 * JSON.stringify prints as `null`), `1e3` parses to 1000, and `!!set` parses to a Set, which is an
 * object like a mapping is.
 */

/**
 * `number 1e3`, `string "yes"`, `a list`, `a set (!!set)`...
 * @param source the scalar as written in the YAML, when the value is a scalar and its text is known
 */
export function describeValue(value: unknown, source?: string): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Set) return 'a set (!!set)';
  if (value instanceof Map) return 'an ordered mapping (!!omap)';
  if (value instanceof Uint8Array) return 'binary data (!!binary)';
  if (value instanceof Date) return `a timestamp (${value.toISOString()})`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  const text = source?.trim() || String(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return `${text} (not a number)`;
    if (!Number.isFinite(value)) return /^[-+]?\.inf$/i.test(text) ? `${text} (infinity)` : `number ${text} (too large: it reads as infinity)`;
    return `number ${text}`;
  }
  return `${typeof value} ${text}`;
}

/** A number as written (`1e3`), else as JavaScript prints it. */
export function numberText(value: number, source?: string): string {
  return source?.trim() || String(value);
}
