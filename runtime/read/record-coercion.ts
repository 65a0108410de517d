/**
 * Values of one feature, as the by-name API names them (YAML field names), checked and converted for
 * Avro: the value record, defaults filled in (value-defaults.ts, the defaults of Avro resolution) for
 * the fields left out. Every error is an InvalidInputError naming the feature and the field. Keys go
 * through the feature's key codec (key-codec.ts).
 */
import type { CatalogFeature, CatalogField } from '../manifest/feature-catalog.ts';
import { coerceField, FieldProblem, INPUT_ERRORS } from './field-coercion.ts';
import { InvalidInputError } from './online-runtime.ts';
import { fieldDefaults } from './value-defaults.ts';

/** The Avro value record of `value`: every value field, defaults for the ones left out. */
export function coerceValue(feature: CatalogFeature, value: unknown, where = ''): Record<string, unknown> {
  const record = asRecord(feature, value, 'the value', feature.valueFields, where);
  const defaults = fieldDefaults(feature.serde.readerType);
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
