/**
 * The online store on Cassandra / ScyllaDB (cassandra-driver).
 *
 * - Prepared statements only (`prepare: true`): the driver prepares each text once per connection pool
 *   and caches it, and the prepared metadata names the partition-key columns, so the driver computes the
 *   routing key itself (composite keys included) and its default policy, token-aware, sends each read
 *   to a replica that owns the partition: no extra coordinator hop.
 * - Multi-key reads are one single-partition SELECT per key, at most `maxConcurrency` in flight. Not
 *   `WHERE k IN (...)`: an IN across partitions makes one coordinator fan out to the replicas of every
 *   key and wait for the slowest, holds the whole result in its heap, cannot be token-routed, and one
 *   slow replica fails the lot; separate token-aware queries spread the load and fail independently.
 * - Consistency: LOCAL_QUORUM for reads and writes by default. With R + W > RF a read after a write sees
 *   it, which the cache relies on: a write deletes the cached entry, and the miss that follows must not
 *   fetch the old value from a lagging replica and cache it again for a whole TTL. LOCAL_ONE is faster
 *   and fine without a cache or with stale-tolerant features; pass `consistency: 'localOne'` then.
 * - Last-writer-wins: every write carries `USING TIMESTAMP` from the row's `updatedAt`
 *   (../write-timestamp.ts), so Cassandra itself keeps the newest value, on every replica, whatever
 *   order writes arrive in; a superseded write is not reported (WriteReport.superseded is null): telling
 *   would cost a read per write.
 * - Writes go as UNLOGGED batches of rows whose partitions share their first replica (the driver's
 *   token map), at most `maxBatchRows` rows and ~4 KiB of values each (under Cassandra's 5 KiB
 *   batch_size_warn_threshold), sent to that replica: one request instead of one per row, and the
 *   coordinator applies the mutations it owns with no extra hop. Not LOGGED: the batchlog buys
 *   atomicity across partitions, which a write of independent rows does not need; every statement keeps
 *   its own USING TIMESTAMP, so a retried or partly applied batch converges like single writes do.
 *   Measured on one node with the bench (scripts/bench-downsync.ts): see the README's figures.
 * - TTL: every online table has `default_time_to_live` (from the feature's retention), which applies to
 *   every write, so statements carry no `USING TTL`.
 * - History: `latest n` is one slice (`LIMIT n`, clustered newest first); appends are not trimmed to
 *   maxEvents (that needs a read before every write and range tombstones); reads never serve more than
 *   maxEvents and older events expire with the TTL (TimeWindowCompactionStrategy drops them whole).
 */
import cassandra from 'cassandra-driver';
import type { CassandraSettings } from '../../connect/cassandra-settings.ts';
import { cassandraClientOptions } from '../../connect/cassandra.ts';
import { mapBounded } from '../bounded-map.ts';
import type { KeyScalar, KeyValues, OnlineStore, OnlineTable, StoredEvent, StoredValue, WriteReport } from '../online-store.ts';
import { writeTimestampMicros } from '../write-timestamp.ts';
import { CQL_TYPE_CODE, RoutingKeys } from './routing-keys.ts';

/** Cassandra cannot say which writes lost to a newer timestamp (see above). */
const UNKNOWN: WriteReport = { superseded: null };

export type CassandraConsistency = keyof typeof cassandra.types.consistencies;

export const DEFAULT_CASSANDRA_CONSISTENCY: CassandraConsistency = 'localQuorum';
export const DEFAULT_CASSANDRA_MAX_CONCURRENCY = 32;
export const DEFAULT_CASSANDRA_MAX_BATCH_ROWS = 16;
/** A batch's size, estimated: Cassandra warns about batches over 5 KiB (batch_size_warn_threshold_in_kb). */
const BATCH_BYTES = 4_096;
/** What a row adds to a batch besides its value and key bytes (timestamps, schema id, framing), roughly. */
const ROW_OVERHEAD_BYTES = 32;

export const CASSANDRA_STORE_ERRORS = {
  unknownConsistency: (name: string) =>
    `unknown Cassandra consistency level "${name}" (one of ${Object.keys(cassandra.types.consistencies).filter((k) => Number.isNaN(Number(k))).join(', ')})`,
  badConcurrency: (n: number) => `maxConcurrency must be a positive integer, got ${n}`,
  badBatchRows: (n: number) => `maxBatchRows must be a positive integer, got ${n}`,
} as const;

export interface CassandraOnlineStoreOptions {
  readonly client: cassandra.Client;
  readonly keyspace: string;
  /** cassandra-driver consistency name for reads and writes; default localQuorum (see above). */
  readonly consistency?: string;
  /** Single-partition reads, or write batches, in flight per multi-key call; default 32. */
  readonly maxConcurrency?: number;
  /** Rows per UNLOGGED write batch (1: one INSERT per row); default 16. */
  readonly maxBatchRows?: number;
  /** Shut the client down on close(); true when the store created the client. */
  readonly ownsClient?: boolean;
}

/**
 * The one client factory's options (runtime/connect/cassandra.ts: contact points, credentials, bigint
 * longs), tuned for the online store: reads are tiny and latency-bound, so fail over to another
 * replica rather than wait the schema client's 60 s.
 */
export function createOnlineCassandraClient(settings: CassandraSettings, keyspace?: string): cassandra.Client {
  return new cassandra.Client({ ...cassandraClientOptions(settings, keyspace), socketOptions: { connectTimeout: 5_000, readTimeout: 2_000 } });
}

interface Statements {
  /** The CQL type codes of the partition key columns, for routing keys (./routing-keys.ts). */
  readonly keyTypeCodes: readonly number[];
  readonly get: string;
  readonly put: string;
  readonly latest: string;
  readonly range: string;
  readonly append: string;
}

type Row = cassandra.types.Row;

/** A row's bound parameters (the key columns first) and its value's size. */
interface PendingWrite {
  readonly params: unknown[];
  readonly valueBytes: number;
}

export class CassandraOnlineStore implements OnlineStore {
  private readonly client: cassandra.Client;
  private readonly keyspace: string;
  private readonly consistency: number;
  private readonly maxConcurrency: number;
  private readonly maxBatchRows: number;
  private readonly ownsClient: boolean;
  private readonly bigintLongs: boolean;
  private readonly routing: RoutingKeys;
  private readonly statements = new Map<string, Statements>();

  constructor(options: CassandraOnlineStoreOptions) {
    this.client = options.client;
    this.keyspace = options.keyspace;
    this.consistency = consistencyOf(options.consistency ?? DEFAULT_CASSANDRA_CONSISTENCY);
    this.maxConcurrency = options.maxConcurrency ?? DEFAULT_CASSANDRA_MAX_CONCURRENCY;
    if (!Number.isSafeInteger(this.maxConcurrency) || this.maxConcurrency < 1) {
      throw new RangeError(CASSANDRA_STORE_ERRORS.badConcurrency(this.maxConcurrency));
    }
    this.maxBatchRows = options.maxBatchRows ?? DEFAULT_CASSANDRA_MAX_BATCH_ROWS;
    if (!Number.isSafeInteger(this.maxBatchRows) || this.maxBatchRows < 1) {
      throw new RangeError(CASSANDRA_STORE_ERRORS.badBatchRows(this.maxBatchRows));
    }
    this.ownsClient = options.ownsClient ?? false;
    // `options` is public in the driver but missing from its typings.
    const clientOptions = (this.client as unknown as { options?: { encoding?: { useBigIntAsLong?: boolean } } }).options;
    this.bigintLongs = clientOptions?.encoding?.useBigIntAsLong === true;
    this.routing = new RoutingKeys(cassandra, this.client);
  }

  async getMany(table: OnlineTable, keys: readonly KeyValues[]): Promise<(StoredValue | null)[]> {
    const cql = this.statementsOf(table).get;
    return mapBounded(keys, this.maxConcurrency, async (key) => {
      const row = (await this.client.execute(cql, this.params(table, key), this.options(1))).first() as Row | null;
      return row ? this.storedValue(row) : null;
    });
  }

  async latest(table: OnlineTable, key: KeyValues, n: number): Promise<StoredEvent[]> {
    const result = await this.client.execute(this.statementsOf(table).latest, [...this.params(table, key), n], this.options(n));
    return result.rows.map((row) => this.storedEvent(row));
  }

  async range(table: OnlineTable, key: KeyValues, from: Date, to: Date, limit: number): Promise<StoredEvent[]> {
    const params = [...this.params(table, key), from, to, limit];
    const result = await this.client.execute(this.statementsOf(table).range, params, this.options(limit));
    return result.rows.map((row) => this.storedEvent(row));
  }

  async putMany(table: OnlineTable, rows: readonly { readonly key: KeyValues; readonly value: StoredValue }[]): Promise<WriteReport> {
    const cql = this.statementsOf(table).put;
    await this.writeBatched(
      table,
      cql,
      rows.map(({ key, value }) => ({ params: [...this.params(table, key), ...this.valueParams(value)], valueBytes: value.value.byteLength })),
    );
    return UNKNOWN;
  }

  async appendMany(table: OnlineTable, rows: readonly { readonly key: KeyValues; readonly event: StoredEvent }[]): Promise<WriteReport> {
    const cql = this.statementsOf(table).append;
    await this.writeBatched(
      table,
      cql,
      rows.map(({ key, event }) => ({ params: [...this.params(table, key), event.eventTime, ...this.valueParams(event)], valueBytes: event.value.byteLength })),
    );
    return UNKNOWN;
  }

  /** Rows grouped by first replica into batches (see above), at most maxConcurrency batches in flight. */
  private async writeBatched(table: OnlineTable, cql: string, rows: readonly PendingWrite[]): Promise<void> {
    if (this.maxBatchRows === 1) {
      await mapBounded(rows, this.maxConcurrency, async ({ params }) => {
        await this.client.execute(cql, params, this.options(1));
      });
      return;
    }
    const { keyTypeCodes } = this.statementsOf(table);
    const width = keyTypeCodes.length;
    // The key columns are the first parameters, already bound (Longs as the client takes them).
    const batches = this.routing.groupByReplica(this.keyspace, rows, (row) => this.routing.of(row.params.slice(0, width), keyTypeCodes), {
      maxItems: this.maxBatchRows,
      maxBytes: BATCH_BYTES,
      sizeOf: (row, routingKey) => row.valueBytes + routingKey.length + ROW_OVERHEAD_BYTES,
    });
    await mapBounded(batches, this.maxConcurrency, async ({ routingKey, items }) => {
      if (items.length === 1) await this.client.execute(cql, items[0]!.params, this.options(1));
      else await this.client.batch(items.map(({ params }) => ({ query: cql, params })), { ...this.options(1), logged: false, routingKey });
    });
  }

  async ping(): Promise<void> {
    await this.client.execute('SELECT release_version FROM system.local', [], { prepare: true, consistency: cassandra.types.consistencies.localOne });
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.shutdown();
  }

  private options(fetchSize: number): cassandra.QueryOptions {
    // Idempotent: reads, and writes of a fixed value, may be retried or sent speculatively.
    return { prepare: true, consistency: this.consistency, isIdempotent: true, fetchSize: Math.max(1, fetchSize) };
  }

  private params(table: OnlineTable, key: KeyValues): unknown[] {
    return table.keyColumns.map((column, i) => this.bind(key[i] as KeyScalar, column.type));
  }

  private valueParams(value: StoredValue): unknown[] {
    // The last one binds `USING TIMESTAMP ?`.
    return [asBuffer(value.value), this.long(value.schemaId), value.updatedAt, this.long(writeTimestampMicros(value))];
  }

  private bind(value: KeyScalar, type: OnlineTable['keyColumns'][number]['type']): unknown {
    return type === 'Long' ? this.long(value as bigint) : value;
  }

  private long(value: bigint): unknown {
    // A client without useBigIntAsLong only takes its own Long type (same bytes on the wire).
    return this.bigintLongs ? value : cassandra.types.Long.fromString(value.toString());
  }

  private storedValue(row: Row): StoredValue {
    return { value: row['fs_value'] as Buffer, schemaId: toBigint(row['fs_schema_id']), updatedAt: row['fs_updated_at'] as Date };
  }

  private storedEvent(row: Row): StoredEvent {
    return { ...this.storedValue(row), eventTime: row['fs_event_time'] as Date };
  }

  private statementsOf(table: OnlineTable): Statements {
    let s = this.statements.get(table.tableName);
    if (!s) this.statements.set(table.tableName, (s = buildStatements(this.keyspace, table)));
    return s;
  }
}

function buildStatements(keyspace: string, table: OnlineTable): Statements {
  const from = `${ident(keyspace)}.${ident(table.tableName)}`;
  const keys = table.keyColumns.map((c) => ident(c.name));
  const where = keys.map((k) => `${k} = ?`).join(' AND ');
  const values = 'fs_value, fs_schema_id, fs_updated_at';
  const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
  const keyTypeCodes = table.keyColumns.map((c) => CQL_TYPE_CODE[c.type]);
  const put = `INSERT INTO ${from} (${keys.join(', ')}, ${values}) VALUES (${marks(keys.length + 3)}) USING TIMESTAMP ?`;
  if (table.eventTimeColumn === null) {
    const get = `SELECT ${values} FROM ${from} WHERE ${where}`;
    return { keyTypeCodes, get, put, latest: get, range: get, append: put };
  }
  const at = ident(table.eventTimeColumn);
  const events = `SELECT ${at} AS fs_event_time, ${values} FROM ${from} WHERE ${where}`;
  return {
    keyTypeCodes,
    get: events,
    put,
    // Clustered newest first, so the first rows of the partition are the newest events.
    latest: `${events} LIMIT ?`,
    range: `${events} AND ${at} >= ? AND ${at} < ? LIMIT ?`,
    append: `INSERT INTO ${from} (${keys.join(', ')}, ${at}, ${values}) VALUES (${marks(keys.length + 4)}) USING TIMESTAMP ?`,
  };
}

/** Always quoted: generated names may be reserved words (`select`, `order`); quoting a lower-case name is a no-op. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function consistencyOf(name: string): number {
  const consistencies = cassandra.types.consistencies as unknown as Record<string, number>;
  const level = Object.hasOwn(consistencies, name) && Number.isNaN(Number(name)) ? consistencies[name] : undefined;
  if (level === undefined) throw new RangeError(CASSANDRA_STORE_ERRORS.unknownConsistency(name));
  return level;
}

function toBigint(value: unknown): bigint {
  return typeof value === 'bigint' ? value : BigInt(String(value));
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
