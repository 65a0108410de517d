/**
 * The Avro record of a feature's value (all non-key fields, in declaration order), as a JSON tree
 * whose 64-bit defaults are exact (`RawJson`).
 */
import type { DefaultScalar, DefaultValue, FeatureIR, FieldIR, FieldType, ScalarType } from '../../ir/types.ts';
import { valueFields } from '../../ir/types.ts';
import { JSON_NOTICE } from '../../write/preamble.ts';
import { RawJson, type JsonValue } from './json-text.ts';

const PRIMITIVE: Record<ScalarType, JsonValue> = {
  Text: 'string',
  Long: 'long',
  Int: 'int',
  Double: 'double',
  Float: 'float',
  Boolean: 'boolean',
  Timestamp: { type: 'long', logicalType: 'timestamp-millis' },
  Bytes: 'bytes',
};

export function avroType(type: FieldType): JsonValue {
  return type.kind === 'scalar' ? PRIMITIVE[type.scalar] : { type: 'array', items: PRIMITIVE[type.element] };
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const LONG_RANGE = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const INT_RANGE = [-(2n ** 31n), 2n ** 31n - 1n] as const;

class DefaultError extends Error {}

/** An integer default as exact JSON text; never goes through a JS number unless it already is one. */
function integerJson(value: DefaultScalar, [min, max]: readonly [bigint, bigint]): RawJson {
  let n: bigint;
  if (typeof value === 'string' && INTEGER.test(value)) n = BigInt(value);
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else throw new DefaultError(`${JSON.stringify(value)} is not an integer`);
  if (n < min || n > max) throw new DefaultError(`${n} is out of range [${min}, ${max}]`);
  return new RawJson(n.toString());
}

/** Avro's JSON form of bytes: a string whose code points U+0000–U+00FF are the bytes. */
function bytesJson(value: DefaultScalar): RawJson {
  if (typeof value !== 'string' || !BASE64.test(value)) throw new DefaultError(`${JSON.stringify(value)} is not base64`);
  let text = '"';
  for (const byte of Buffer.from(value, 'base64')) {
    // Printable ASCII stays readable; everything else is \u00XX so the file is pure ASCII.
    if (byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c) text += String.fromCharCode(byte);
    else text += `\\u${byte.toString(16).padStart(4, '0')}`;
  }
  return new RawJson(`${text}"`);
}

function scalarDefault(scalar: ScalarType, value: DefaultScalar): JsonValue {
  switch (scalar) {
    case 'Text':
      if (typeof value === 'string') return value;
      break;
    case 'Long':
    case 'Timestamp': // epoch millis, a decimal string in the IR
      return integerJson(value, LONG_RANGE);
    case 'Int':
      return integerJson(value, INT_RANGE);
    case 'Double':
    case 'Float':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'string' && JSON_NUMBER.test(value)) return new RawJson(value);
      break;
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'Bytes':
      return bytesJson(value);
  }
  throw new DefaultError(`${JSON.stringify(value)} is not a ${scalar}`);
}

function defaultJson(type: FieldType, value: Exclude<DefaultValue, null>): JsonValue {
  if (type.kind === 'scalar') {
    if (Array.isArray(value)) throw new DefaultError('a list is not a scalar');
    return scalarDefault(type.scalar, value as DefaultScalar);
  }
  if (!Array.isArray(value)) throw new DefaultError('a scalar is not a list');
  return (value as readonly DefaultScalar[]).map((v) => scalarDefault(type.element, v));
}

function fieldJson(feature: FeatureIR, field: FieldIR): JsonValue {
  const base = avroType(field.type);
  const doc = field.description === '' ? undefined : field.description;
  const dv = field.defaultValue;
  try {
    if (field.nullable) {
      // A union's default must match its first branch, so a non-null default puts T before "null".
      if (dv === undefined || dv === null) return { name: field.name, type: ['null', base], doc, default: null };
      return { name: field.name, type: [base, 'null'], doc, default: defaultJson(field.type, dv) };
    }
    if (dv === null) throw new DefaultError('null default on a non-nullable field');
    return { name: field.name, type: base, doc, default: dv === undefined ? undefined : defaultJson(field.type, dv) };
  } catch (e) {
    if (!(e instanceof DefaultError)) throw e;
    // The validator should have rejected this; say exactly where, not just "bad default".
    throw new Error(`internal: ${feature.fullName} field ${field.name}: invalid default: ${e.message}`);
  }
}

/** The .avsc tree. Unknown top-level attributes (`x-…`) are allowed by the Avro spec and ignored by parsers. */
export function avroSchemaOf(feature: FeatureIR): JsonValue {
  const dot = feature.avroName.lastIndexOf('.');
  return {
    'x-generated-by': JSON_NOTICE,
    'x-source': feature.location.file,
    'x-feature': feature.fullName,
    type: 'record',
    name: dot < 0 ? feature.avroName : feature.avroName.slice(dot + 1),
    namespace: dot < 0 ? undefined : feature.avroName.slice(0, dot),
    doc: feature.description === '' ? undefined : feature.description,
    fields: valueFields(feature).map((f) => fieldJson(feature, f)),
  };
}
