/**
 * The Avro record of a feature's value (non-key fields), as data with bigint long defaults: the one
 * builder behind the .avsc files, the schema constants of the TypeScript clients and the writer-schema
 * id (its canonical form's fingerprint), so the three can never disagree.
 */
import type { AvroJsonValue, AvroSchemaJson } from '../../../core/serde/index.ts';
import type { FieldType, ScalarType } from '../../../core/field-types.ts';
import type { DefaultScalar, DefaultValue, FeatureIR, FieldIR } from '../../ir/types.ts';
import { valueFields } from '../../ir/types.ts';

const AVRO_SCALAR: Record<ScalarType, AvroSchemaJson> = {
  Text: 'string',
  Long: 'long',
  Int: 'int',
  Double: 'double',
  Float: 'float',
  Boolean: 'boolean',
  Timestamp: { type: 'long', logicalType: 'timestamp-millis' },
  Bytes: 'bytes',
};

export function avroFieldType(type: FieldType): AvroSchemaJson {
  return type.kind === 'scalar' ? AVRO_SCALAR[type.scalar] : { type: 'array', items: AVRO_SCALAR[type.element] };
}

/**
 * IR default → Avro JSON default. Long and Timestamp defaults are decimal strings in the IR and become
 * bigints (exact; printed as bare integers); Bytes are base64 in the IR and Avro JSON wants a string of
 * \u0000-\u00FF code points, one per byte.
 */
export function avroDefault(scalar: ScalarType, value: DefaultScalar): AvroJsonValue {
  switch (scalar) {
    case 'Long':
    case 'Timestamp':
      return exactInteger(value);
    case 'Bytes':
      return Buffer.from(String(value), 'base64').toString('latin1');
    default:
      return value;
  }
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function exactInteger(value: DefaultScalar): bigint {
  let n: bigint;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) n = BigInt(value);
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else throw new Error(`long default ${JSON.stringify(value)} is not an integer`);
  if (n < LONG_MIN || n > LONG_MAX) throw new Error(`long default ${n} is out of range`);
  return n;
}

function fieldDefault(field: FieldIR, value: DefaultValue): AvroJsonValue {
  if (value === null) return null;
  if (field.type.kind === 'list') {
    if (!Array.isArray(value)) throw new Error(`internal: list default of ${field.name} is not an array`);
    const element = field.type.element;
    return value.map((v: DefaultScalar) => avroDefault(element, v));
  }
  if (Array.isArray(value)) throw new Error(`internal: scalar default of ${field.name} is an array`);
  return avroDefault(field.type.scalar, value as DefaultScalar);
}

/**
 * A nullable field is `["null", T]` with default null — unless it has a non-null default, which Avro
 * requires to match the first branch, so then it is `[T, "null"]`. Attribute order: name, type, doc, default.
 */
export function avroField(field: FieldIR): { readonly [key: string]: AvroJsonValue } {
  const base = avroFieldType(field.type);
  const value = field.defaultValue;
  const hasValue = value !== undefined && value !== null;
  const out: Record<string, AvroJsonValue> = {
    name: field.name,
    type: !field.nullable ? base : hasValue ? [base, 'null'] : ['null', base],
  };
  // Docs exactly as the Avro emitter writes them (untrimmed; absent when empty).
  if (field.description !== '') out['doc'] = field.description;
  if (field.nullable) out['default'] = hasValue ? fieldDefault(field, value) : null;
  else if (value !== undefined) out['default'] = fieldDefault(field, value);
  return out;
}

/** The record: `feature.avroName` split into name and namespace; fields are the non-key fields. */
export function avroValueSchema(feature: FeatureIR): AvroSchemaJson {
  const dot = feature.avroName.lastIndexOf('.');
  const out: Record<string, AvroJsonValue> = { type: 'record', name: feature.avroName.slice(dot + 1) };
  if (dot >= 0) out['namespace'] = feature.avroName.slice(0, dot);
  if (feature.description !== '') out['doc'] = feature.description;
  out['fields'] = valueFields(feature).map((field) => {
    try {
      return avroField(field);
    } catch (e) {
      // The validator should have refused this default; name exactly where it came from.
      throw new Error(`internal: ${feature.fullName} field ${field.name}: ${(e as Error).message}`);
    }
  });
  return out;
}
