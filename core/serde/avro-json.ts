/**
 * Avro schemas as plain data. Long (and timestamp-millis) defaults are carried as `bigint`, because a
 * JS number silently rounds beyond 2^53 and the schema is the contract for every stored value.
 */

/** A JSON value that may also hold a `bigint` (printed as a bare JSON integer). */
export type AvroJsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | readonly AvroJsonValue[]
  | { readonly [key: string]: AvroJsonValue };

/** An Avro schema: a type name, a union (array) or a type object; defaults may hold bigints. */
export type AvroSchemaJson = AvroJsonValue;

/**
 * JSON text of a schema with bigints as exact integers (for .avsc files, a schema registry, cache keys).
 * `JSON.stringify` throws on bigint, and converting to number first would round. Same layout as
 * `JSON.stringify(value, null, indent)`.
 */
export function stringifyAvroSchema(schema: AvroSchemaJson, indent = 0): string {
  return write(schema, indent > 0 ? ' '.repeat(indent) : '', '');
}

function write(value: AvroJsonValue, step: string, current: string): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = current + step;
  const open = step ? `\n${inner}` : '';
  const sep = step ? `,\n${inner}` : ',';
  const close = step ? `\n${current}` : '';
  if (isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${open}${value.map((v) => write(v, step, inner)).join(sep)}${close}]`;
  }
  const colon = step ? ': ' : ':';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    // Like JSON.stringify, an undefined property is left out rather than written as null.
    if (v !== undefined) parts.push(`${JSON.stringify(k)}${colon}${write(v, step, inner)}`);
  }
  if (parts.length === 0) return '{}';
  return `{${open}${parts.join(sep)}${close}}`;
}

// Array.isArray does not narrow readonly arrays out of a union.
function isArray(value: object): value is readonly AvroJsonValue[] {
  return Array.isArray(value);
}
