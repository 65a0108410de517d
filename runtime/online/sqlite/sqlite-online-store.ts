/**
 * The embedded online store: one SQLite file (better-sqlite3), so the whole stack runs with no servers
 * (development, tests, small deployments, edge caches). Same contract as Cassandra:
 *
 * - Tables are created from the manifest on open (CREATE TABLE IF NOT EXISTS), keys as typed columns
 *   (Long as INTEGER bound and read as bigint, Int as INTEGER, Boolean as 0/1, Timestamp as epoch
 *   millis), STRICT so a mistyped bind fails instead of being stored as text, WITHOUT ROWID so the
 *   primary key is the table's own B-tree and a key lookup is one seek.
 * - WAL journal: readers never block the writer and the reverse; synchronous=NORMAL, because the online
 *   store is rebuilt from the offline store and the stream, so losing the last commits on power loss
 *   (never corrupting the file) is the right trade for write throughput.
 * - TTL as in Cassandra: each write stores its expiry (now + the table's TTL); reads skip expired rows,
 *   and expired rows are purged lazily, at most once per `purgeIntervalMs` per table, on the write path.
 * - Last-writer-wins as in Cassandra (../write-timestamp.ts): a conditional upsert applies a row only
 *   when its (updatedAt, tie-break slot) is not older than the stored row's, and counts the rows it did
 *   not apply (WriteReport.superseded). The slot of the stored row comes from a deterministic SQL
 *   function registered on this connection, evaluated only on a same-millisecond tie.
 * - History: newest first with LIMIT; like the Cassandra store, appends are not trimmed to maxEvents.
 */
import Database from 'better-sqlite3';
import type { KeyColumnType } from '../../../core/field-types.ts';
import type { KeyScalar, KeyValues, OnlineStore, OnlineTable, StoredEvent, StoredValue, WriteReport } from '../online-store.ts';
import { tieBreakSlot } from '../write-timestamp.ts';

/** The SQL function the upsert compares same-millisecond writes with. */
const TIE_BREAK_FUNCTION = 'fs_tie_break';

export const DEFAULT_SQLITE_PURGE_INTERVAL_MS = 60_000;

export interface SqliteOnlineStoreOptions {
  /** A file path, or `:memory:`. */
  readonly path: string;
  /** Tables to create now; others are created on first use. */
  readonly tables?: readonly OnlineTable[];
  /** Epoch milliseconds, for TTLs; tests pass a fake clock. */
  readonly now?: () => number;
  readonly purgeIntervalMs?: number;
}

type Db = Database.Database;
type Statement = Database.Statement<unknown[], SqliteRow>;

interface SqliteRow {
  readonly fs_value: Buffer;
  readonly fs_schema_id: bigint;
  readonly fs_updated_at: bigint;
  readonly fs_event_time?: bigint;
}

interface TableStatements {
  readonly get: Statement;
  readonly put: Database.Statement<unknown[]>;
  /** Parameters of `put`: the keys, the event time (History), value, schema id, updated at, expires at. */
  readonly parameters: number;
  readonly latest: Statement | null;
  readonly range: Statement | null;
  readonly purge: Database.Statement<unknown[]>;
  lastPurge: number;
}

const SQL_TYPE: Record<KeyColumnType, string> = { Text: 'TEXT', Long: 'INTEGER', Int: 'INTEGER', Boolean: 'INTEGER', Timestamp: 'INTEGER' };

export class SqliteOnlineStore implements OnlineStore {
  private readonly db: Db;
  private readonly now: () => number;
  private readonly purgeIntervalMs: number;
  private readonly tables = new Map<string, TableStatements>();

  constructor(options: SqliteOnlineStoreOptions) {
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // Another process (a sync job) may hold the write lock briefly: wait rather than fail.
    this.db.pragma('busy_timeout = 5000');
    // Every INTEGER comes back as bigint: exact for Long keys, schema ids and millis alike.
    this.db.defaultSafeIntegers(true);
    this.db.function(TIE_BREAK_FUNCTION, { deterministic: true, safeIntegers: true }, (bytes: unknown, schemaId: unknown) =>
      tieBreakSlot(bytes as Uint8Array, schemaId as bigint),
    );
    this.now = options.now ?? Date.now;
    this.purgeIntervalMs = options.purgeIntervalMs ?? DEFAULT_SQLITE_PURGE_INTERVAL_MS;
    this.db.transaction(() => {
      for (const table of options.tables ?? []) this.statementsOf(table);
    })();
  }

  async getMany(table: OnlineTable, keys: readonly KeyValues[]): Promise<(StoredValue | null)[]> {
    const { get } = this.statementsOf(table);
    const now = this.now();
    const read = () =>
      keys.map((key) => {
        const row = get.get(...bindKey(table, key), now);
        return row ? storedValue(row) : null;
      });
    // Several keys: one read transaction, so all are read from the same snapshot.
    return keys.length > 1 ? this.db.transaction(read)() : read();
  }

  async latest(table: OnlineTable, key: KeyValues, n: number): Promise<StoredEvent[]> {
    const { latest } = this.statementsOf(table);
    if (!latest) return [];
    return latest.all(...bindKey(table, key), this.now(), n).map(storedEvent);
  }

  async range(table: OnlineTable, key: KeyValues, from: Date, to: Date, limit: number): Promise<StoredEvent[]> {
    const { range } = this.statementsOf(table);
    if (!range) return [];
    return range.all(...bindKey(table, key), this.now(), from.getTime(), to.getTime(), limit).map(storedEvent);
  }

  async putMany(table: OnlineTable, rows: readonly { readonly key: KeyValues; readonly value: StoredValue }[]): Promise<WriteReport> {
    const expiresAt = this.expiresAt(table);
    return this.write(table, rows.length, (i, params) => {
      const { key, value } = rows[i]!;
      bindValue(params, bindKeyInto(params, table, key), value, expiresAt);
    });
  }

  async appendMany(table: OnlineTable, rows: readonly { readonly key: KeyValues; readonly event: StoredEvent }[]): Promise<WriteReport> {
    const expiresAt = this.expiresAt(table);
    return this.write(table, rows.length, (i, params) => {
      const { key, event } = rows[i]!;
      const at = bindKeyInto(params, table, key);
      params[at] = event.eventTime.getTime();
      bindValue(params, at + 1, event, expiresAt);
    });
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /**
   * One transaction; `bind(i, params)` fills row i's parameters into one array reused for every row
   * (better-sqlite3 copies them when it binds), so the write path allocates nothing per row.
   */
  private write(table: OnlineTable, count: number, bind: (i: number, params: unknown[]) => void): WriteReport {
    const statements = this.statementsOf(table);
    const now = this.now();
    const params: unknown[] = new Array(statements.parameters);
    return this.db.transaction(() => {
      let superseded = 0;
      for (let i = 0; i < count; i++) {
        bind(i, params);
        if (statements.put.run(params).changes === 0) superseded++;
      }
      if (now - statements.lastPurge >= this.purgeIntervalMs) {
        statements.purge.run(now);
        statements.lastPurge = now;
      }
      return { superseded };
    })();
  }

  /** The expiry of rows written now (null: no TTL), the same for every row of one call. */
  private expiresAt(table: OnlineTable): number | null {
    return table.ttlSeconds > 0 ? this.now() + table.ttlSeconds * 1000 : null;
  }

  private statementsOf(table: OnlineTable): TableStatements {
    let s = this.tables.get(table.tableName);
    if (!s) this.tables.set(table.tableName, (s = this.prepareTable(table)));
    return s;
  }

  private prepareTable(table: OnlineTable): TableStatements {
    const name = ident(table.tableName);
    const keys = table.keyColumns.map((c) => ident(c.name));
    const at = table.eventTimeColumn === null ? null : ident(table.eventTimeColumn);
    const columns = [...table.keyColumns.map((c) => `${ident(c.name)} ${SQL_TYPE[c.type]} NOT NULL`)];
    if (at) columns.push(`${at} INTEGER NOT NULL`);
    columns.push('fs_value BLOB NOT NULL', 'fs_schema_id INTEGER NOT NULL', 'fs_updated_at INTEGER NOT NULL', 'fs_expires_at INTEGER');
    const primaryKey = at ? [...keys, `${at} DESC`] : keys;
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS ${name} (${columns.join(', ')}, PRIMARY KEY (${primaryKey.join(', ')})) STRICT, WITHOUT ROWID;` +
        `CREATE INDEX IF NOT EXISTS ${ident(`${table.tableName}__fs_expires_at`)} ON ${name} (fs_expires_at) WHERE fs_expires_at IS NOT NULL;`,
    );
    const where = `${keys.map((k) => `${k} = ?`).join(' AND ')} AND (fs_expires_at IS NULL OR fs_expires_at > ?)`;
    const values = 'fs_value, fs_schema_id, fs_updated_at';
    const written = [...keys, ...(at ? [at] : []), values, 'fs_expires_at'];
    const marks = Array.from({ length: keys.length + (at ? 1 : 0) + 4 }, () => '?').join(', ');
    const events = at ? `SELECT ${at} AS fs_event_time, ${values} FROM ${name} WHERE ${where}` : null;
    return {
      get: this.db.prepare(`SELECT ${values} FROM ${name} WHERE ${where}`),
      put: this.db.prepare(
        `INSERT INTO ${name} (${written.join(', ')}) VALUES (${marks}) ON CONFLICT (${[...keys, ...(at ? [at] : [])].join(', ')}) DO UPDATE SET ` +
          'fs_value = excluded.fs_value, fs_schema_id = excluded.fs_schema_id, fs_updated_at = excluded.fs_updated_at, fs_expires_at = excluded.fs_expires_at ' +
          `WHERE excluded.fs_updated_at > ${name}.fs_updated_at OR (excluded.fs_updated_at = ${name}.fs_updated_at AND ` +
          `${TIE_BREAK_FUNCTION}(excluded.fs_value, excluded.fs_schema_id) >= ${TIE_BREAK_FUNCTION}(${name}.fs_value, ${name}.fs_schema_id))`,
      ),
      latest: events ? this.db.prepare(`${events} ORDER BY ${at} DESC LIMIT ?`) : null,
      range: events ? this.db.prepare(`${events} AND ${at} >= ? AND ${at} < ? ORDER BY ${at} DESC LIMIT ?`) : null,
      parameters: keys.length + (at ? 1 : 0) + 4,
      purge: this.db.prepare(`DELETE FROM ${name} WHERE fs_expires_at IS NOT NULL AND fs_expires_at <= ?`),
      lastPurge: this.now(),
    };
  }
}

function bindKey(table: OnlineTable, key: KeyValues): unknown[] {
  return table.keyColumns.map((column, i) => bindScalar(key[i] as KeyScalar, column.type));
}

/** The key's parameters written into `params` from index 0; returns the next index. */
function bindKeyInto(params: unknown[], table: OnlineTable, key: KeyValues): number {
  const columns = table.keyColumns;
  for (let i = 0; i < columns.length; i++) params[i] = bindScalar(key[i] as KeyScalar, columns[i]!.type);
  return columns.length;
}

/** Value, schema id, updated at and expiry, from index `at`. */
function bindValue(params: unknown[], at: number, value: StoredValue, expiresAt: number | null): void {
  params[at] = asBuffer(value.value);
  params[at + 1] = value.schemaId;
  params[at + 2] = value.updatedAt.getTime();
  params[at + 3] = expiresAt;
}

function bindScalar(value: KeyScalar, type: KeyColumnType): unknown {
  if (type === 'Boolean') return value ? 1 : 0;
  if (type === 'Timestamp') return (value as Date).getTime();
  return value;
}

function storedValue(row: SqliteRow): StoredValue {
  return { value: row.fs_value, schemaId: row.fs_schema_id, updatedAt: new Date(Number(row.fs_updated_at)) };
}

function storedEvent(row: SqliteRow): StoredEvent {
  return { ...storedValue(row), eventTime: new Date(Number(row.fs_event_time)) };
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
