/**
 * Keys and values of one feature, as callers name them (YAML field names), checked and converted for
 * the store (key column values in key order) and for Avro (the value record, defaults filled in).
 * Every error is an InvalidInputError naming the feature and the field.
 */
import type avro from 'avsc';
import type { CatalogFeature, CatalogField } from '../manifest/feature-catalog.ts';
import type { KeyScalar, KeyValues } from '../online/online-store.ts';
import { coerceField, FieldProblem, INPUT_ERRORS } from './field-coercion.ts';
import { InvalidInputError } from './online-runtime.ts';

type Defaults = ReadonlyMap<string, () => unknown>;
const defaultsByFeature = new WeakMap<CatalogFeature, Defaults>();

/** The key column values of `key`, in key-field order. `where` locates the key in a request (` at keys[3]`). */
export function coerceKey(feature: CatalogFeature, key: unknown, where = ''): KeyValues {
  const record = asRecord(feature, key, 'the key', feature.keyFields, where);
  return feature.keyFields.map((field) => convert(feature, field, record[field.name], where) as KeyScalar);
}

/** The Avro value record of `value`: every value field, defaults for the ones left out. */
export function coerceValue(feature: CatalogFeature, value: unknown, where = ''): Record<string, unknown> {
  const record = asRecord(feature, value, 'the value', feature.valueFields, where);
  const defaults = defaultsOf(feature);
  const out: Record<string, unknown> = {};
  for (const field of feature.valueFields) {
    const given = record[field.name];
    const fill = given === undefined ? defaults.get(field.name) : undefined;
    out[field.name] = fill ? fill() : convert(feature, field, given, where);
  }
  return out;
}

function convert(feature: CatalogFeature, field: CatalogField, value: unknown, where: string): unknown {
  try {
    return coerceField(field.type, field.nullable, value);
  } catch (e) {
    const path = e instanceof FieldProblem ? e.path : '';
    throw new InvalidInputError(feature.fullName, `${field.name}${path}`, `${(e as Error).message}${where}`);
  }
}

function asRecord(
  feature: CatalogFeature,
  value: unknown,
  what: string,
  fields: readonly CatalogField[],
  where: string,
): Readonly<Record<string, unknown>> {
  const names = fields.map((f) => f.name);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new InvalidInputError(feature.fullName, undefined, `${INPUT_ERRORS.notAnObject(what, names)}${where}`);
  }
  const record = value as Readonly<Record<string, unknown>>;
  for (const name of Object.keys(record)) {
    if (!names.includes(name)) throw new InvalidInputError(feature.fullName, name, `${INPUT_ERRORS.unknownField(names)}${where}`);
  }
  return record;
}

function defaultsOf(feature: CatalogFeature): Defaults {
  let defaults = defaultsByFeature.get(feature);
  if (!defaults) {
    const map = new Map<string, () => unknown>();
    for (const field of (feature.serde.readerType as avro.types.RecordType).fields) {
      // avsc answers undefined when the schema gives no default; each call returns a fresh copy.
      if (field.defaultValue() !== undefined) map.set(field.name, () => field.defaultValue());
    }
    defaultsByFeature.set(feature, (defaults = map));
  }
  return defaults;
}
