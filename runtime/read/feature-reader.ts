/**
 * What generated code binds to: a descriptor per feature (pure data plus zod schemas) and the small
 * FeatureReader interface the store-backed readers (Cassandra/SQLite + Redis) implement.
 */
import type { z } from 'zod';
import type { FieldTypeLabel, ScalarType } from '../../core/field-types.ts';
import type { KeyValues } from '../online/online-store.ts';
import type { AvroSchemaJson } from '../../core/serde/index.ts';

/** Scalar field types of the YAML format: the contract's (core/field-types.ts), under the runtime's public names. */
export type FeatureScalarType = ScalarType;
export type FeatureFieldType = FieldTypeLabel;

/** One field of a feature, as the reader maps Avro/column names to TypeScript properties. */
export interface FieldDescriptor {
  /** Column and Avro field name, as written in YAML (snake_case). */
  readonly name: string;
  /** Property name in the generated TypeScript types (camelCase). */
  readonly tsName: string;
  readonly type: FeatureFieldType;
  readonly nullable: boolean;
}

interface FeatureDescriptorBase<K, V> {
  /** `<namespace>::<name>-v<N>`. */
  readonly fullName: string;
  readonly namespace: string;
  readonly version: number;
  /** Online (CQL) and offline (BigQuery) table name. */
  readonly tableName: string;
  /** Partition key fields, in declaration order. */
  readonly keyFields: readonly FieldDescriptor[];
  /** Fields of the value record (every non-key field), in declaration order. */
  readonly valueFields: readonly FieldDescriptor[];
  /** Avro record of the value (Avro field names, i.e. `FieldDescriptor.name`). */
  readonly avroSchema: AvroSchemaJson;
  /** CRC-64-AVRO fingerprint of `avroSchema`'s canonical form: the writer-schema id stored with values. */
  readonly fingerprint: bigint;
  readonly keySchema: z.ZodType<K>;
  readonly valueSchema: z.ZodType<V>;
  /** Redis TTL in milliseconds; null = not cached. */
  readonly cacheTtlMs: number | null;
}

export interface ObjectFeatureDescriptor<K, V> extends FeatureDescriptorBase<K, V> {
  readonly kind: 'Object';
}

export interface HistoryFeatureDescriptor<K, V> extends FeatureDescriptorBase<K, V> {
  readonly kind: 'History';
  /** The value field holding the event time (a Timestamp); rows are clustered by it, newest first. */
  readonly eventTimeField: FieldDescriptor;
  /** How many events per key are kept and served at most; null = unbounded. */
  readonly maxEvents: number | null;
}

export type FeatureDescriptor<K, V> = ObjectFeatureDescriptor<K, V> | HistoryFeatureDescriptor<K, V>;

/** Any descriptor, for registries keyed by name (`featureDescriptors` in generated/ts/index.ts). */
export type AnyFeatureDescriptor = FeatureDescriptor<unknown, unknown>;

/**
 * Reads decoded feature values. Keys reach it as KeyValues (the key column values in key-field order)
 * made by the feature's key codec at the accessor, and counts and time ranges checked there too
 * (accessors.ts): implementations trust their arguments and never validate them again. They decode Avro
 * with the writer schema named by the stored fingerprint.
 */
export interface FeatureReader {
  /** The value of one key, or null when the store has none. */
  get<K, V>(feature: ObjectFeatureDescriptor<K, V>, key: KeyValues): Promise<V | null>;
  /** One result per key, in input order (null where the store has none). */
  getMany<K, V>(feature: ObjectFeatureDescriptor<K, V>, keys: readonly KeyValues[]): Promise<(V | null)[]>;
  /** The `n` most recent events of a key, newest first. */
  latest<K, V>(feature: HistoryFeatureDescriptor<K, V>, key: KeyValues, n: number): Promise<V[]>;
  /** Events of a key with `from <= eventTime < to`, newest first. */
  range<K, V>(feature: HistoryFeatureDescriptor<K, V>, key: KeyValues, from: Date, to: Date): Promise<V[]>;
}
