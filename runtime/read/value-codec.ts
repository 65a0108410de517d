/**
 * Feature values ↔ Avro bytes, for the store-backed readers and writers. Generated types use camelCase
 * properties (`tsName`), Avro records the YAML field names (`name`); values are checked with the
 * descriptor's zod schema before encoding so errors name the feature and field, not an avsc internal.
 */
import type avro from 'avsc';
import { parseAvroType, type AvroSchemaJson } from '../../core/serde/index.ts';
import type { FeatureDescriptor, FieldDescriptor } from './feature-reader.ts';

export const CODEC_ERRORS = {
  invalidValue: (feature: string, problems: readonly string[]) =>
    `invalid value for feature ${feature}: ${problems.join('; ')}`,
} as const;

type Resolver = ReturnType<avro.Type['createResolver']>;
const resolvers = new WeakMap<avro.Type, WeakMap<avro.Type, Resolver>>();

/** Avro bytes of `value`, written with `descriptor.avroSchema` (whose id is `descriptor.fingerprint`). */
export function encodeFeatureValue<K, V>(descriptor: FeatureDescriptor<K, V>, value: V): Buffer {
  const checked = descriptor.valueSchema.safeParse(value);
  if (!checked.success) {
    const problems = checked.error.issues.map((i) => `${i.path.length ? `field "${i.path.join('.')}": ` : ''}${i.message}`);
    throw new TypeError(CODEC_ERRORS.invalidValue(descriptor.fullName, problems));
  }
  return encodeCheckedValue(descriptor, checked.data);
}

/** The same for a value the descriptor's zod schema has already accepted (the typed write path). */
export function encodeCheckedValue<K, V>(descriptor: FeatureDescriptor<K, V>, value: V): Buffer {
  const source = value as Readonly<Record<string, unknown>>;
  const record: Record<string, unknown> = {};
  for (const field of descriptor.valueFields) record[field.name] = toAvro(field, source[field.tsName]);
  return parseAvroType(descriptor.avroSchema).toBuffer(record);
}

/**
 * The value in `bytes`, written with `writerSchema` (default: the descriptor's own schema) and read
 * into the descriptor's current shape: fields the writer lacked get their defaults (Avro resolution).
 */
export function decodeFeatureValue<K, V>(
  descriptor: FeatureDescriptor<K, V>,
  bytes: Uint8Array,
  writerSchema: AvroSchemaJson = descriptor.avroSchema,
): V {
  const reader = parseAvroType(descriptor.avroSchema);
  const writer = parseAvroType(writerSchema);
  const resolver = writer === reader ? undefined : resolverFor(reader, writer);
  const record = reader.fromBuffer(asBuffer(bytes), resolver) as Readonly<Record<string, unknown>>;
  const value: Record<string, unknown> = {};
  for (const field of descriptor.valueFields) value[field.tsName] = record[field.name];
  return value as V;
}

function resolverFor(reader: avro.Type, writer: avro.Type): Resolver {
  let byWriter = resolvers.get(reader);
  if (!byWriter) resolvers.set(reader, (byWriter = new WeakMap()));
  let resolver = byWriter.get(writer);
  if (!resolver) byWriter.set(writer, (resolver = reader.createResolver(writer)));
  return resolver;
}

// avsc's bytes type only accepts Buffers; generated types promise any Uint8Array.
function toAvro(field: FieldDescriptor, value: unknown): unknown {
  if (field.type === 'Bytes' && value instanceof Uint8Array) return asBuffer(value);
  if (field.type === 'List<Bytes>' && Array.isArray(value)) {
    return value.map((v: unknown) => (v instanceof Uint8Array ? asBuffer(v) : v));
  }
  return value;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
