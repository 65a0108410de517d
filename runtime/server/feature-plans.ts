/**
 * Per-feature work done once at startup, so a request only runs prepared closures: the key parser with
 * its error messages, the JSON writer of a value (no intermediate object, one string), and the Avro type
 * of the value for History responses.
 */
import type avro from 'avsc';
import { isKeyColumnType } from '../../core/field-types.ts';
import type { FieldRecord, RuntimeFeatureInfo, RuntimeFieldInfo } from '../read/online-runtime.ts';
import { parseAvroType, type AvroSchemaJson } from '../../core/serde/index.ts';
import { describeJsonType, invalidKey, SERVER_ERRORS } from './http-errors.ts';
import { jsonWriterFor, KEY_PARSERS, type ScalarParser } from './json-scalars.ts';
import { sanitizeInput } from './quoted-input.ts';

export interface FeaturePlan {
  readonly info: RuntimeFeatureInfo;
  readonly fullName: string;
  /** `"live::hakuna-host-stat-v1"`, JSON-quoted once. */
  readonly nameJson: string;
  readonly keyFieldNames: readonly string[];
  /**
   * A JSON key object as the runtime's key record. `strict`: a field that is not a key field is an error
   * (single-feature routes); off for get-online-features, where key objects serve several features.
   */
  parseKey(raw: unknown, path: string, strict: boolean): FieldRecord;
  /** The value record as JSON text, or `null`. */
  writeValue(value: FieldRecord | null): string;
  /** The value as Avro binary of the current reader schema (History responses; Object reads come encoded). */
  encodeAvro(value: FieldRecord): Buffer;
}

interface KeyField {
  readonly name: string;
  readonly parse: ScalarParser;
  readonly type: string;
}

export function buildFeaturePlans(features: ReadonlyMap<string, RuntimeFeatureInfo>): ReadonlyMap<string, FeaturePlan> {
  const plans = new Map<string, FeaturePlan>();
  for (const [name, info] of features) plans.set(name, buildFeaturePlan(info));
  return plans;
}

export function buildFeaturePlan(info: RuntimeFeatureInfo): FeaturePlan {
  const keyFields: KeyField[] = info.keyFields.map((f) => {
    if (!isKeyColumnType(f.type)) throw new Error(`${info.fullName}: key field ${f.name} has type ${f.type}, which the Read API cannot take in JSON`);
    return { name: f.name, parse: KEY_PARSERS[f.type], type: f.type };
  });
  const keyFieldNames = keyFields.map((f) => f.name);
  const keySet = new Set(keyFieldNames);
  const fullName = info.fullName;

  const parseKey = (raw: unknown, path: string, strict: boolean): FieldRecord => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw invalidKey(fullName, undefined, SERVER_ERRORS.keyNotObject(path, keyFieldNames, describeJsonType(raw)));
    }
    const source = raw as Record<string, unknown>;
    const key: Record<string, unknown> = {};
    for (const field of keyFields) {
      // Own properties only: a key must never be found on a (polluted) prototype.
      const value = Object.hasOwn(source, field.name) ? source[field.name] : undefined;
      if (value === undefined) throw invalidKey(fullName, field.name, SERVER_ERRORS.keyFieldMissing(path, field.name));
      const parsed = field.parse(value);
      if (!parsed.ok) {
        throw invalidKey(fullName, field.name, SERVER_ERRORS.keyFieldType(`${path}.${field.name}`, parsed.expected, describeJsonType(value)));
      }
      key[field.name] = parsed.value;
    }
    if (strict) {
      for (const name in source) {
        if (!keySet.has(name)) throw invalidKey(fullName, sanitizeInput(name), SERVER_ERRORS.keyFieldUnknown(path, name, keyFieldNames));
      }
    }
    return key;
  };

  return {
    info,
    fullName,
    nameJson: JSON.stringify(fullName),
    keyFieldNames,
    parseKey,
    writeValue: compileJsonWriter(info.valueFields),
    encodeAvro: compileAvroEncoder(info),
  };
}

/** `{"a":…,"b":…}` with the field prefixes quoted once. */
function compileJsonWriter(fields: readonly RuntimeFieldInfo[]): (value: FieldRecord | null) => string {
  const parts = fields.map((f, i) => ({
    name: f.name,
    prefix: `${i === 0 ? '{' : ','}${JSON.stringify(f.name)}:`,
    write: jsonWriterFor(f.type, f.nullable),
  }));
  return (value) => {
    if (value === null) return 'null';
    let out = '';
    for (const part of parts) out += part.prefix + part.write(value[part.name]);
    return parts.length === 0 ? '{}' : out + '}';
  };
}

function compileAvroEncoder(info: RuntimeFeatureInfo): (value: FieldRecord) => Buffer {
  let type: avro.Type | undefined;
  const bytesFields = info.valueFields.filter((f) => f.type === 'Bytes' || f.type === 'List<Bytes>');
  return (value) => {
    // Parsed lazily: most deployments never ask for Avro History responses.
    type ??= parseAvroType(JSON.parse(info.avroSchemaText) as AvroSchemaJson);
    if (bytesFields.length === 0) return type.toBuffer(value);
    // avsc's bytes type takes Buffers only; the runtime may hand out plain Uint8Arrays.
    const copy: Record<string, unknown> = { ...value };
    for (const f of bytesFields) copy[f.name] = asBuffers(copy[f.name]);
    return type.toBuffer(copy);
  };
}

function asBuffers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asBuffers);
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}
