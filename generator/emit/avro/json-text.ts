/**
 * JSON text with exact integers. `JSON.stringify` can only print JS numbers, which lose precision
 * beyond 2^53; Avro defaults of `long` fields (and timestamp-millis) need all 64 bits, so they are
 * carried as `RawJson` and spliced in verbatim. Output matches `JSON.stringify(value, null, 2)`.
 */

/** A JSON fragment printed verbatim (already valid JSON, e.g. `9223372036854775807`). */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * An object whose members print in the given order. Plain JS objects move integer-like keys
 * (`"42"`) to the front, which would make output order depend on the names in it.
 */
export class JsonEntries {
  constructor(readonly entries: readonly (readonly [string, JsonValue])[]) {}
}

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | RawJson
  | JsonEntries
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

export function jsonText(value: JsonValue, indent = ''): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`internal: ${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (value instanceof RawJson) return value.text;
  const inner = `${indent}  `;
  if (isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + jsonText(v, inner)).join(',\n')}\n${indent}]`;
  }
  // Insertion order is the output order; `undefined` members are dropped as JSON.stringify does.
  const entries =
    value instanceof JsonEntries
      ? value.entries
      : Object.entries(value).filter((e): e is [string, JsonValue] => e[1] !== undefined);
  if (entries.length === 0) return '{}';
  const body = entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${jsonText(v, inner)}`).join(',\n');
  return `{\n${body}\n${indent}}`;
}

function isArray(value: JsonValue): value is readonly JsonValue[] {
  return Array.isArray(value);
}
