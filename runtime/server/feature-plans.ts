/**
 * Per-feature work done once at startup, so a request only runs prepared closures: the key parser of
 * the HTTP boundary with its error messages, and the JSON writer of a value (no intermediate object,
 * one string). Keys come out as the runtime's KeyValues (key column values in key-field order), which
 * the runtime's checked reads take without validating again. Avro responses carry the runtime's bytes
 * as they are, Object and History values alike: nothing here encodes Avro.
 */
import { isKeyColumnType } from '../../core/field-types.ts';
import type { KeyScalar, KeyValues } from '../online/online-store.ts';
import type { FieldRecord, RuntimeFeatureInfo, RuntimeFieldInfo } from '../read/online-runtime.ts';
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
   * A JSON key object as the runtime's KeyValues. `strict`: a field that is not a key field is an error
   * (single-feature routes); off for get-online-features, where key objects serve several features.
   */
  parseKey(raw: unknown, path: string, strict: boolean): KeyValues;
  /** The value record as JSON text, or `null`. */
  writeValue(value: FieldRecord | null): string;
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

  const parseKey = (raw: unknown, path: string, strict: boolean): KeyValues => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw invalidKey(fullName, undefined, SERVER_ERRORS.keyNotObject(path, keyFieldNames, describeJsonType(raw)));
    }
    const source = raw as Record<string, unknown>;
    const key = new Array<KeyScalar>(keyFields.length);
    for (let i = 0; i < keyFields.length; i++) {
      const field = keyFields[i]!;
      // Own properties only: a key must never be found on a (polluted) prototype.
      const value = Object.hasOwn(source, field.name) ? source[field.name] : undefined;
      if (value === undefined) throw invalidKey(fullName, field.name, SERVER_ERRORS.keyFieldMissing(path, field.name));
      const parsed = field.parse(value);
      if (!parsed.ok) {
        throw invalidKey(fullName, field.name, SERVER_ERRORS.keyFieldType(`${path}.${field.name}`, parsed.expected, describeJsonType(value)));
      }
      key[i] = parsed.value as KeyScalar;
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
