/**
 * A feature's key record for commands: record `<avroName>Key` (the value record's namespace) with the
 * key fields in key order, Text → string, Long → long (bigint), Int → int, Boolean → boolean, Timestamp
 * → timestamp-millis (Date). Codegen writes its schema next to the value schema (`<name>.key.avsc`).
 *
 * The codec takes a manifest entry or the runtime catalog's feature (structurally: core/ does not know
 * the runtime); the catalog's has no avroName, so the name is derived from the full name exactly as the
 * generator derives it (avroNameOf). Values are checked here with messages naming the field (avsc's
 * would print the whole record); encoding is avsc's, decoding the strict reader's.
 */
import type avro from 'avsc';
import { isKeyColumnType, parseTypeLabel, typeLabel, type FieldType, type KeyColumnType } from '../field-types.ts';
import { avroNameOf } from '../naming.ts';
import { stringifyAvroSchema, type AvroSchemaJson } from '../serde/avro-json.ts';
import { parseAvroType } from '../serde/avro-types.ts';
import { isAvroLong } from '../serde/long-type.ts';
import { MAX_DATE_MILLIS } from '../serde/timestamp-type.ts';
import { BinaryReader } from './binary-reader.ts';
import { COMMAND_ERRORS, CommandEncodeError } from './command-errors.ts';

/** A key column value, as runtime/online/online-store.ts's KeyScalar. */
export type CommandKeyScalar = string | bigint | number | boolean | Date;
/** Key column values in key-field order (runtime/online's KeyValues). */
export type CommandKeyValues = readonly CommandKeyScalar[];

/** A manifest entry (core/manifest) or a runtime CatalogFeature: what the key record is derived from. */
export type CommandKeySource =
  | {
      readonly fullName: string;
      readonly avroName: string;
      readonly keyFields: readonly string[];
      readonly fields: readonly { readonly name: string; readonly type: FieldType }[];
    }
  | { readonly fullName: string; readonly keyFields: readonly { readonly name: string; readonly type: string }[] };

export interface CommandKeyCodec {
  /** The key record's schema as JSON text (two-space indent, as the generated .key.avsc). */
  readonly schemaText: string;
  readonly schema: AvroSchemaJson;
  /** Field names and types in key order. */
  readonly fields: readonly { readonly name: string; readonly type: KeyColumnType }[];
  /** Throws CommandEncodeError naming the field on a wrong count or a value not of its type. */
  encode(key: CommandKeyValues): Uint8Array;
  /** Throws CommandDecodeError on malformed, truncated or trailing bytes. */
  decode(bytes: Uint8Array): CommandKeyValues;
}

const FULL_NAME = /^([a-z][a-z0-9-]*)::([a-z][a-z0-9-]*)-v([1-9][0-9]*)$/;

const AVRO_TYPE: Readonly<Record<KeyColumnType, AvroSchemaJson>> = {
  Text: 'string',
  Long: 'long',
  Int: 'int',
  Boolean: 'boolean',
  Timestamp: { type: 'long', logicalType: 'timestamp-millis' },
};

const HINT: Readonly<Record<KeyColumnType, string>> = {
  Text: 'a Text is a string',
  Long: 'a Long is a bigint in the signed 64-bit range (5n or BigInt(text), never a number, which rounds above 2^53)',
  Int: 'an Int is a number: a 32-bit integer',
  Boolean: 'a Boolean is true or false',
  Timestamp: 'a Timestamp is a valid Date',
};

const VALID: Readonly<Record<KeyColumnType, (v: unknown) => boolean>> = {
  Text: (v) => typeof v === 'string',
  Long: isAvroLong,
  Int: (v) => typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647,
  Boolean: (v) => typeof v === 'boolean',
  Timestamp: (v) => v instanceof Date && Math.abs(v.getTime()) <= MAX_DATE_MILLIS,
};

type Read = (r: BinaryReader, what: string) => CommandKeyScalar;
const READ: Readonly<Record<KeyColumnType, Read>> = {
  Text: (r, w) => r.string(w),
  Long: (r, w) => r.long(w),
  Int: (r, w) => r.int(w),
  Boolean: (r, w) => r.boolean(w),
  Timestamp: (r, w) => r.timestamp(w),
};

/** The Avro full name of the feature's key record. */
export function keyRecordNameOf(feature: CommandKeySource): string {
  return `${valueRecordName(feature)}Key`;
}

function valueRecordName(feature: CommandKeySource): string {
  if ('avroName' in feature) return feature.avroName;
  const m = FULL_NAME.exec(feature.fullName);
  if (!m) throw new CommandEncodeError(COMMAND_ERRORS.badFullName(feature.fullName));
  return avroNameOf(m[1] ?? '', m[2] ?? '', Number(m[3]));
}

function keyFieldsOf(feature: CommandKeySource): { name: string; type: KeyColumnType }[] {
  const labelled: { name: string; label: string }[] =
    'avroName' in feature
      ? feature.keyFields.map((name) => {
          const field = feature.fields.find((f) => f.name === name);
          if (!field) throw new CommandEncodeError(COMMAND_ERRORS.missingKeyField(feature.fullName, name));
          return { name, label: typeLabel(field.type) };
        })
      : feature.keyFields.map((f) => ({ name: f.name, label: f.type }));
  return labelled.map(({ name, label }) => {
    if (!isKeyColumnType(label) || parseTypeLabel(label)?.kind !== 'scalar') {
      throw new CommandEncodeError(COMMAND_ERRORS.unsupportedKeyType(feature.fullName, name, label));
    }
    return { name, type: label };
  });
}

/** The key record's schema (as data), deterministic: a function of the full name and key fields only. */
export function keySchemaOf(feature: CommandKeySource): AvroSchemaJson {
  const full = keyRecordNameOf(feature);
  const dot = full.lastIndexOf('.');
  return {
    type: 'record',
    name: full.slice(dot + 1),
    namespace: full.slice(0, dot),
    doc: `Key of ${feature.fullName} in downsync commands (FeatureCommand.key and the Kafka record key).`,
    fields: keyFieldsOf(feature).map((f) => ({ name: f.name, type: AVRO_TYPE[f.type] })),
  };
}

const codecs = new WeakMap<object, CommandKeyCodec>();

/** The key codec of a feature, built once per feature object. */
export function keyCodecForCommands(feature: CommandKeySource): CommandKeyCodec {
  let codec = codecs.get(feature);
  if (!codec) {
    codec = buildCodec(feature);
    codecs.set(feature, codec);
  }
  return codec;
}

function buildCodec(feature: CommandKeySource): CommandKeyCodec {
  const fields = keyFieldsOf(feature);
  const schema = keySchemaOf(feature);
  const names = fields.map((f) => f.name);
  const subject = `the key of ${feature.fullName}`;
  let avscType: avro.Type | undefined;
  return {
    schema,
    schemaText: `${stringifyAvroSchema(schema, 2)}\n`,
    fields,
    encode(key) {
      if (!Array.isArray(key) || key.length !== fields.length) {
        throw new CommandEncodeError(COMMAND_ERRORS.keyArity(feature.fullName, names, Array.isArray(key) ? key.length : 0));
      }
      const record: Record<string, CommandKeyScalar> = {};
      fields.forEach((f, i) => {
        const v: unknown = key[i];
        if (!VALID[f.type](v)) throw new CommandEncodeError(COMMAND_ERRORS.keyField(feature.fullName, f.name, f.type, v, HINT[f.type]));
        record[f.name] = v as CommandKeyScalar;
      });
      avscType ??= parseAvroType(schema);
      return avscType.toBuffer(record);
    },
    decode(bytes) {
      const r = new BinaryReader(bytes, subject);
      const out = fields.map((f) => READ[f.type](r, f.name));
      r.end();
      return out;
    },
  };
}
