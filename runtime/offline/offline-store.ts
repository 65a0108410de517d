/**
 * The offline store interface: the one contract BigQuery and the embedded DuckDB store implement, and
 * the only way upsync (offline → online) and downsync's sampler (stream → offline) touch offline data.
 * A feature's offline table has one typed column per field plus `fs_updated_at` (the generated BigQuery
 * DDL; DuckDB gets the equivalent), so rows here are typed values, not Avro bytes.
 *
 * Four methods, and the trade-offs they fix:
 *
 * - `read` yields pages of rows whose `fs_updated_at` lies in [since, until), oldest first. Pages, not
 *   one row at a time: every backend answers in pages anyway (BigQuery's getQueryResults, DuckDB's
 *   2,048-row chunks), and a page is the natural unit for batched online writes. Never the whole
 *   table: at most one page (plus the driver's own buffer) is in memory. `since` is INCLUSIVE: rows
 *   written in the same millisecond as the last one read, but committed after the read, are read again
 *   next time instead of being lost; re-reading a row is harmless because online writes are idempotent
 *   by update time. The order (update time, then the key columns, then the event time) is what lets a
 *   caller advance its watermark to the last row of each page it has fully written. The price of the
 *   order: the backend sorts the window (BigQuery sorts in its workers; DuckDB spills to disk).
 * - `append` adds rows idempotently by the row's identity — key + `fs_updated_at` for Object features
 *   (the table is a log of snapshots), key + event time for History features — so a redelivered batch
 *   never duplicates a row: rows whose identity is already stored (or repeated within the batch) are
 *   skipped and counted. For Object rows the caller must therefore give a deterministic update time
 *   (the command's event time, the upsync run's time), not "now at flush time".
 * - `ping` answers a trivial request: readiness probes and fail-fast start-up.
 * - `close` releases connections; reads still open end with OFFLINE_STORE_CLOSED.
 *
 * Table creation is not here: BigQuery tables come from `featurestore migrate`; the DuckDB adapter
 * creates the tables it is given when it opens (it is the embedded default, with nobody to migrate it).
 */

import type { FieldType, ScalarType } from '../../core/field-types.ts';

/** Field types as the contract (core/) spells them. */
export type OfflineScalarType = ScalarType;
export type OfflineFieldType = FieldType;

/** Text → string, Long → bigint (never a number: ids are 64-bit), Int/Double/Float → number, Timestamp → Date (ms), Bytes → Uint8Array. */
export interface OfflineScalarValues {
  Text: string;
  Long: bigint;
  Int: number;
  Double: number;
  Float: number;
  Boolean: boolean;
  Timestamp: Date;
  Bytes: Uint8Array;
}

export type OfflineScalar = OfflineScalarValues[OfflineScalarType];
/**
 * A column value. Lists are never null: BigQuery REPEATED columns have no NULL (a NULL reads back as
 * an empty array), so both adapters store and return `[]` for "no list", and refuse null elements.
 */
export type OfflineValue = OfflineScalar | readonly OfflineScalar[] | null;
/** A row's field values by field name (the YAML name, which is the column name). */
export type OfflineValues = { readonly [field: string]: OfflineValue };

export interface OfflineColumn {
  readonly name: string;
  readonly type: OfflineFieldType;
  /** Key fields and the event time: NOT NULL in the DDL. Every other column is NULLABLE (fields can be added later). */
  readonly required: boolean;
}

export type OfflineValueOf<T extends OfflineFieldType> = T extends { readonly kind: 'list'; readonly element: infer E extends OfflineScalarType }
  ? readonly OfflineScalarValues[E][]
  : T extends { readonly kind: 'scalar'; readonly scalar: infer S extends OfflineScalarType }
    ? OfflineScalarValues[S]
    : never;

/** The row values of a table whose columns are known at compile time (see defineOfflineTable). */
export type OfflineValuesOf<C extends readonly OfflineColumn[]> = {
  readonly [K in C[number] as K['name']]: K['required'] extends true
    ? OfflineValueOf<K['type']>
    : K['type'] extends { readonly kind: 'list' }
      ? OfflineValueOf<K['type']>
      : OfflineValueOf<K['type']> | null;
};

declare const ROW_TYPE: unique symbol;

/** What an adapter needs to know about a feature's offline table (from the generated manifest). */
export interface OfflineTable<V extends OfflineValues = OfflineValues> {
  readonly featureName: string;
  readonly featureType: 'Object' | 'History';
  readonly tableName: string;
  /** Every field, in field order (the DDL's column order); `fs_updated_at` is implied. */
  readonly columns: readonly OfflineColumn[];
  /** Key field names, in key order. */
  readonly keyColumns: readonly string[];
  /** History features: the event-time field; null for Object features. */
  readonly eventTimeColumn: string | null;
  /** Compile-time only: the row type this table holds. Never present at run time. */
  readonly [ROW_TYPE]?: V;
}

export interface OfflineRow<V extends OfflineValues = OfflineValues> {
  /** One value per field (History rows: the event time is `values[table.eventTimeColumn]`). */
  readonly values: V;
  /** `fs_updated_at`: when the row was written; the watermark column, millisecond precision. */
  readonly updatedAt: Date;
}

export interface OfflineReadOptions {
  /** Rows with `fs_updated_at >= since` (inclusive, see above); null reads from the beginning (full). */
  readonly since: Date | null;
  /** Rows with `fs_updated_at < until` (exclusive): a stable upper edge for one run. Default: none. */
  readonly until?: Date;
  /**
   * Rows per page at most (default DEFAULT_OFFLINE_PAGE_SIZE); no page is empty. Pages are usually full
   * until the last, but a backend may cut one short (BigQuery caps a response at 10 MB).
   */
  readonly pageSize?: number;
  /**
   * Only the rows whose key hashes to `index` modulo `count` (0 <= index < count), computed in the
   * backend's SQL: n readers with indices 0..n-1 together read every row of the window exactly once.
   * Deterministic for a given backend (DuckDB version, BigQuery), not across backends.
   */
  readonly shard?: OfflineShard;
  /**
   * What a stored value the feature's type cannot hold does to the read: 'fail' (the default) ends it
   * with OFFLINE_UNREADABLE_ROW; 'yield' puts an UnreadableOfflineRow in the page in its place and
   * reads on (upsync's quarantine). Missing columns fail the read at its start either way.
   */
  readonly unreadable?: 'fail' | 'yield';
}

export interface OfflineShard {
  readonly index: number;
  readonly count: number;
}

/**
 * A stored row the feature's type cannot hold, yielded instead of ending the read when the read asks
 * with `unreadable: 'yield'`. Page order is kept: it sits where the row would have been.
 */
export interface UnreadableOfflineRow {
  readonly kind: 'unreadable';
  /** Every column read, JSON-safe: bigint → decimal string, bytes → base64, times → ISO text, NaN/±Infinity → text. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** The first column (in field order, then fs_updated_at) whose value could not be read. */
  readonly column: string;
  readonly reason: string;
  /** `fs_updated_at`, when that at least is readable. */
  readonly updatedAt: Date | null;
}

export type OfflineReadItem<V extends OfflineValues = OfflineValues> = OfflineRow<V> | UnreadableOfflineRow;

export function isUnreadableRow(row: OfflineReadItem<OfflineValues>): row is UnreadableOfflineRow {
  return (row as { readonly kind?: unknown }).kind === 'unreadable';
}

export interface AppendResult {
  /** Rows written. */
  readonly appended: number;
  /** Rows skipped because their identity was stored already or repeated within the batch. */
  readonly duplicates: number;
}

export interface OfflineStore {
  read<V extends OfflineValues>(table: OfflineTable<V>, options: OfflineReadOptions & { readonly unreadable: 'yield' }): AsyncIterable<readonly OfflineReadItem<V>[]>;
  read<V extends OfflineValues>(table: OfflineTable<V>, options: OfflineReadOptions & { readonly unreadable?: 'fail' }): AsyncIterable<readonly OfflineRow<V>[]>;
  append<V extends OfflineValues>(table: OfflineTable<V>, rows: readonly OfflineRow<V>[]): Promise<AppendResult>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_OFFLINE_PAGE_SIZE = 1_000;
/** The column every offline table has besides its fields (BQ_UPDATED_AT in the BigQuery emitter). */
export const OFFLINE_UPDATED_AT = 'fs_updated_at';

export const OFFLINE_STORE_UNREACHABLE = 'OFFLINE_STORE_UNREACHABLE';
export const OFFLINE_TABLE_NOT_FOUND = 'OFFLINE_TABLE_NOT_FOUND';
export const OFFLINE_INVALID_ROW = 'OFFLINE_INVALID_ROW';
export const OFFLINE_UNREADABLE_ROW = 'OFFLINE_UNREADABLE_ROW';
export const OFFLINE_STORE_CLOSED = 'OFFLINE_STORE_CLOSED';
export const OFFLINE_INVALID_OPTIONS = 'OFFLINE_INVALID_OPTIONS';
/** The table lacks a column the feature has (or fs_updated_at is missing or not a timestamp): no row could be read. */
export const OFFLINE_SCHEMA_MISMATCH = 'OFFLINE_SCHEMA_MISMATCH';

export type OfflineErrorCode =
  | typeof OFFLINE_STORE_UNREACHABLE
  | typeof OFFLINE_TABLE_NOT_FOUND
  | typeof OFFLINE_INVALID_ROW
  | typeof OFFLINE_UNREADABLE_ROW
  | typeof OFFLINE_STORE_CLOSED
  | typeof OFFLINE_INVALID_OPTIONS
  | typeof OFFLINE_SCHEMA_MISMATCH;

export const OFFLINE_ERRORS = {
  unreachable: (store: string, where: string, reason: string) => `cannot reach the ${store} offline store at ${where}: ${reason}`,
  tableNotFound: (store: string, table: string, where: string) =>
    `offline table ${table} does not exist in ${store} ${where} (run featurestore migrate --target bigquery, or open the DuckDB store with the table)`,
  unknownTable: (table: string) => `offline table ${table} is not one this store was opened with`,
  closed: (store: string) => `the ${store} offline store is closed`,
  pageSize: (value: unknown) => `pageSize must be an integer from 1 to 100000, got ${String(value)}`,
  window: (since: unknown, until: unknown) => `expected valid Dates with since < until, got ${String(since)} .. ${String(until)}`,
  shard: (value: unknown) => `shard must be { index, count } with integers 0 <= index < count <= 100000, got ${describeShard(value)}`,
  unreadableOption: (value: unknown) => `unreadable must be 'fail' or 'yield', got ${String(value)}`,
  missingColumn: (store: string, table: string, column: string) => `offline table ${table} in ${store} has no column ${column} (the feature's fields and fs_updated_at must all be columns)`,
  updatedAtType: (store: string, table: string, type: string) => `offline table ${table} in ${store}: fs_updated_at is ${type}, not a TIMESTAMP`,
  invalidRow: (table: string, index: number, problem: string) => `${table}: row ${index}: ${problem}`,
  unreadableRow: (table: string, column: string, problem: string) => `${table}.${column}: a stored value cannot be read as the feature's type: ${problem}`,
} as const;

function describeShard(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  const { index, count } = value as { readonly index?: unknown; readonly count?: unknown };
  return `{ index: ${String(index)}, count: ${String(count)} }`;
}

/**
 * Every failure an adapter reports on purpose: a code to branch on, the driver's error as `cause`.
 * (A driver package that is not installed is the runtime's MissingDriverError, as for the online stores.)
 */
export class OfflineStoreError extends Error {
  override readonly name = 'OfflineStoreError';
  constructor(
    readonly code: OfflineErrorCode,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}
