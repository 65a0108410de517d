/**
 * What generated accessors write through, next to FeatureReader: keys arrive as KeyValues from the
 * feature's key codec and values as checked by the generated zod schema (see accessors.ts), so an
 * implementation encodes and writes without checking either again. The runtime's readers
 * (`runtime.reader(consumer)`) implement both interfaces; the HTTP client does not write.
 */
import type { KeyValues } from '../online/online-store.ts';
import type { FeatureReader, HistoryFeatureDescriptor, ObjectFeatureDescriptor } from '../read/feature-reader.ts';

export interface TypedRow<V> {
  readonly key: KeyValues;
  readonly value: V;
}

export interface FeatureWriter {
  /** Object features: insert or replace each key's value. */
  put<K, V>(feature: ObjectFeatureDescriptor<K, V>, rows: readonly TypedRow<V>[]): Promise<void>;
  /** History features: add each event (its event time is the descriptor's eventTimeField). */
  append<K, V>(feature: HistoryFeatureDescriptor<K, V>, rows: readonly TypedRow<V>[]): Promise<void>;
}

/** A reader that also writes: what `runtime.reader(consumer)` returns. */
export type FeatureClient = FeatureReader & FeatureWriter;

export function isFeatureWriter(reader: FeatureReader): reader is FeatureClient {
  const r = reader as Partial<FeatureWriter>;
  return typeof r.put === 'function' && typeof r.append === 'function';
}
