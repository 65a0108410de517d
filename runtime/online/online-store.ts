/**
 * The online store interface: one small contract that Cassandra/ScyllaDB and the embedded SQLite
 * store implement, and the only way the Read API, upsync and downsync touch online data.
 * It moves Avro bytes tagged with their writer-schema id; decoding is the reader's job.
 */
import type { KeyColumnType } from '../../core/field-types.ts';

/** A key column value: Text → string, Long → bigint, Int → number, Boolean → boolean, Timestamp → Date. */
export type KeyScalar = string | bigint | number | boolean | Date;

/** Key column values in the feature's key-field order. */
export type KeyValues = readonly KeyScalar[];

/** What an adapter needs to know about a feature's table (from the generated manifest). */
export interface OnlineTable {
  readonly featureName: string;
  readonly tableName: string;
  readonly keyColumns: readonly { readonly name: string; readonly type: KeyColumnType }[];
  /** History features: the clustering column; null for Object features. */
  readonly eventTimeColumn: string | null;
  /** History features: events kept per key; null = unbounded. */
  readonly maxEvents: number | null;
  /** Row time-to-live in seconds (0 = forever). */
  readonly ttlSeconds: number;
}

/**
 * A value as every read returns it: Avro binary of the value record and the fingerprint of its writer
 * schema. That is all a cache in front of the store keeps (runtime/cache/with-cache.ts), so it is all a
 * reader may rely on; the adapters return StoredValues, which also say when the value was written.
 */
export interface TaggedValue {
  readonly value: Uint8Array;
  readonly schemaId: bigint;
}

/** A History event as reads return it. */
export interface TaggedEvent extends TaggedValue {
  readonly eventTime: Date;
}

/**
 * A value as written: the tagged bytes and when they were written (`fs_updated_at`), the timestamp a
 * last-writer-wins rule compares.
 */
export interface StoredValue extends TaggedValue {
  readonly updatedAt: Date;
}

export interface StoredEvent extends StoredValue {
  readonly eventTime: Date;
}

/** What a write did. */
export interface WriteReport {
  /**
   * Rows not applied because the store held a newer value (last-writer-wins); null when the store
   * cannot tell without reading first (Cassandra applies `USING TIMESTAMP` silently, and a read per
   * write would halve the sync jobs' throughput).
   */
  readonly superseded: number | null;
}

export const NOTHING_WRITTEN: WriteReport = { superseded: 0 };

/** Sums reports: unknown (null) if any part is unknown. */
export function addWriteReports(a: WriteReport, b: WriteReport): WriteReport {
  return { superseded: a.superseded === null || b.superseded === null ? null : a.superseded + b.superseded };
}

export interface OnlineStore {
  /** Object features: one result per key, in input order; null where absent. */
  getMany(table: OnlineTable, keys: readonly KeyValues[]): Promise<(TaggedValue | null)[]>;
  /** History features: the newest `n` events of a key, newest first. */
  latest(table: OnlineTable, key: KeyValues, n: number): Promise<TaggedEvent[]>;
  /** History features: events with from <= eventTime < to, newest first, at most `limit`. */
  range(table: OnlineTable, key: KeyValues, from: Date, to: Date, limit: number): Promise<TaggedEvent[]>;
  /**
   * Object features: insert or replace the value of each key, last-writer-wins by `updatedAt`: a row
   * older than the stored value is not applied (write-timestamp.ts has the rule, ties included).
   */
  putMany(table: OnlineTable, rows: readonly { readonly key: KeyValues; readonly value: StoredValue }[]): Promise<WriteReport>;
  /** History features: add events; an event with the same key and time replaces the stored one unless that one is newer (as putMany). */
  appendMany(table: OnlineTable, rows: readonly { readonly key: KeyValues; readonly event: StoredEvent }[]): Promise<WriteReport>;
  /** Answers a trivial query: for readiness probes. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
