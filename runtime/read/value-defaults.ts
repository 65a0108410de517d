/**
 * The one "fill in defaults" of the runtime: Avro schema resolution. A field a value lacks takes the
 * default its reader schema declares, as avsc parsed it (Long a bigint, Timestamp a Date, Bytes a
 * Buffer, lists of those) — the very values avsc's resolver fills in when it decodes a row written
 * before the field existed. Writes by name that leave fields out, and JSON answers of an older server
 * that lack a field, take theirs from here; decoding resolves through the resolver itself. So a default
 * means the same everywhere, and none of them is converted from JSON by hand (where 2^53 + 1 or a
 * Bytes default would be one conversion away from a different value).
 */
import type avro from 'avsc';

/** Per field with a default: a function returning a fresh copy (callers may hold on to lists). */
export type FieldDefaults = ReadonlyMap<string, () => unknown>;

const byType = new WeakMap<avro.Type, FieldDefaults>();

/** The defaults of a record type's fields; fields without one (required on write) are absent. */
export function fieldDefaults(recordType: avro.Type): FieldDefaults {
  let defaults = byType.get(recordType);
  if (!defaults) {
    const map = new Map<string, () => unknown>();
    for (const field of (recordType as avro.types.RecordType).fields) {
      // avsc answers undefined when the schema gives no default; each call returns a fresh copy.
      if (field.defaultValue() !== undefined) map.set(field.name, () => field.defaultValue());
    }
    byType.set(recordType, (defaults = map));
  }
  return defaults;
}
