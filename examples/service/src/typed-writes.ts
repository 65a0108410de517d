/**
 * Typed writes over the runtime's writer API (`runtime.put` / `runtime.append`, which take YAML field
 * names): each value is checked with the generated zod schema, then mapped from the generated camelCase
 * properties to field names through the descriptor. The runtime enforces the ACL (`access.write`) and
 * encodes Avro. The generated accessors have no `put`/`append` of their own yet; when they do, these
 * two functions go away.
 */
import type { FieldDescriptor, FieldRecord, HistoryFeatureDescriptor, ObjectFeatureDescriptor, OnlineRuntime } from 'featurestore/runtime';

export interface Row<K, V> {
  readonly key: K;
  readonly value: V;
}

export async function putTyped<K, V>(runtime: OnlineRuntime, consumer: string, feature: ObjectFeatureDescriptor<K, V>, rows: readonly Row<K, V>[]): Promise<void> {
  await runtime.put(consumer, feature.fullName, rows.map((row) => byFieldName(feature, row)));
}

export async function appendTyped<K, V>(runtime: OnlineRuntime, consumer: string, feature: HistoryFeatureDescriptor<K, V>, rows: readonly Row<K, V>[]): Promise<void> {
  await runtime.append(consumer, feature.fullName, rows.map((row) => byFieldName(feature, row)));
}

function byFieldName<K, V>(feature: ObjectFeatureDescriptor<K, V> | HistoryFeatureDescriptor<K, V>, row: Row<K, V>): { key: FieldRecord; value: FieldRecord } {
  return {
    key: rename(feature.keyFields, feature.keySchema.parse(row.key)),
    value: rename(feature.valueFields, feature.valueSchema.parse(row.value)),
  };
}

function rename(fields: readonly FieldDescriptor[], value: unknown): FieldRecord {
  const source = value as Readonly<Record<string, unknown>>;
  return Object.fromEntries(fields.map((f) => [f.name, source[f.tsName]]));
}
