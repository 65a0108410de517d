/**
 * The offline store in an embedded DuckDB file (@duckdb/node-api, loaded on first open, never by
 * importing the runtime): the default when no BigQuery is configured, and what the tests and the
 * upsync benchmark run without servers.
 *
 * - Tables are created when the store opens (duckdb-ddl.ts), as the embedded SQLite online store does.
 * - Writes go through one connection, one append at a time, each in a transaction: a batch is written
 *   whole or not at all. Rows already stored are skipped by the identity PRIMARY KEY (`ON CONFLICT DO
 *   NOTHING`), so a redelivered batch writes nothing twice, whichever process wrote it first.
 * - Each read streams on a connection of its own: DuckDB ends a streaming result when its connection
 *   runs another statement, and a read is consumed at the caller's pace (one page, written to the online
 *   store, the next page). The read sees the snapshot of its start (MVCC), so rows appended meanwhile
 *   wait for the next read instead of shifting pages.
 * - A read decodes each chunk column by column (duckdb-values.ts `chunkColumns`): measured on the
 *   upsync bench (1M rows, 5 columns), building a row array per row through the driver's getRows()
 *   cost about as much as decoding the cells.
 * - DuckDB allows one read-write process per file: a second process fails to open it
 *   (OFFLINE_STORE_UNREACHABLE, naming the lock). Run upsync and downsync against one DuckDB file in one
 *   process, or use BigQuery.
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { loadDriver } from '../../connect/optional-drivers.ts';
import { checkRows } from '../offline-row-check.ts';
import { admit, checkReadOptions, countSql, matchColumns, type CheckedReadOptions, RowDecoder, selectSql, StoreState, type ReadDialect, type ReadPages, type RowPages, type StoredColumn } from '../offline-read.ts';
import {
  OFFLINE_ERRORS,
  OFFLINE_STORE_UNREACHABLE,
  OFFLINE_TABLE_NOT_FOUND,
  OFFLINE_UPDATED_AT,
  OfflineStoreError,
  type AppendResult,
  type OfflineReadItem,
  type OfflineReadOptions,
  type OfflineRow,
  type OfflineStore,
  type OfflineTable,
  type OfflineValue,
  type OfflineValues,
} from '../offline-store.ts';
import { uniqueRows } from '../offline-table.ts';
import { duckdbCreateTable, duckdbIdent, duckdbTablePath } from './duckdb-ddl.ts';
import { chunkColumns, DUCKDB_CELLS, duckdbKind, duckdbTypeOf, timeToDuckDb, toDuckDb, type DuckDbDriver } from './duckdb-values.ts';

const STORE = 'DuckDB';
/** Named by MissingDriverError when @duckdb/node-api is not installed. */
export const DUCKDB_OFFLINE_USE = "the DuckDB offline store (openOfflineStore({ kind: 'duckdb' }))";
/** Rows per INSERT statement: large enough to amortise planning, small enough to bind quickly. */
const ROWS_PER_STATEMENT = 256;
/** A read sorts at most about this many rows at once (segments): bounded memory whatever the table size. */
export const DEFAULT_SORT_SEGMENT_ROWS = 100_000;

export interface DuckDbOfflineStoreOptions {
  /** The database file (created when missing), or ':memory:'. */
  readonly path: string;
  /** Tables to create when missing. */
  readonly tables: readonly OfflineTable[];
  /**
   * An instance the process already holds on the file (DuckDB lets one process open a file once):
   * the store then shares it, and close() leaves it open for its owner. `path` still names it in errors.
   */
  readonly instance?: DuckDBInstance;
  /** Rows per sorted segment of a read (see DuckDbOfflineStore.segments). Default: DEFAULT_SORT_SEGMENT_ROWS. */
  readonly sortSegmentRows?: number;
  /** How @duckdb/node-api is imported (tests replace it to see the missing-driver error). */
  readonly importDriver?: () => Promise<DuckDbDriver>;
}

export async function openDuckDbOfflineStore(options: DuckDbOfflineStoreOptions): Promise<DuckDbOfflineStore> {
  // A missing package is a MissingDriverError naming it and the version to install.
  const driver = await loadDriver('@duckdb/node-api', DUCKDB_OFFLINE_USE, options.importDriver ?? (() => import('@duckdb/node-api')));
  let instance: DuckDBInstance;
  const owned = options.instance === undefined;
  try {
    instance = options.instance ?? (await driver.DuckDBInstance.create(options.path));
  } catch (e) {
    throw new OfflineStoreError(OFFLINE_STORE_UNREACHABLE, OFFLINE_ERRORS.unreachable(STORE, options.path, reason(e)), { cause: e });
  }
  try {
    const connection = await instance.connect();
    for (const table of options.tables) await connection.run(duckdbCreateTable(table));
    return new DuckDbOfflineStore(driver, instance, connection, options.path, owned, options.sortSegmentRows ?? DEFAULT_SORT_SEGMENT_ROWS);
  } catch (e) {
    if (owned) instance.closeSync();
    throw new OfflineStoreError(OFFLINE_STORE_UNREACHABLE, OFFLINE_ERRORS.unreachable(STORE, options.path, reason(e)), { cause: e });
  }
}

interface InsertPlan {
  readonly sql: (rows: number) => string;
  readonly types: readonly DuckDBType[];
  prepared: DuckDBPreparedStatement | null;
}

export class DuckDbOfflineStore implements OfflineStore {
  private readonly state = new StoreState(STORE);
  /** Appends and pings, one at a time on the write connection. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly readers = new Set<DuckDBConnection>();
  private readonly plans = new Map<string, InsertPlan>();
  /** Sorted SELECTs run by reads so far (one per segment): diagnostics, and what the tests check. */
  segmentQueries = 0;

  constructor(
    private readonly driver: DuckDbDriver,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly path: string,
    private readonly ownsInstance: boolean = true,
    private readonly sortSegmentRows: number = DEFAULT_SORT_SEGMENT_ROWS,
  ) {}

  read<V extends OfflineValues>(table: OfflineTable<V>, options: OfflineReadOptions & { readonly unreadable: 'yield' }): ReadPages<V>;
  read<V extends OfflineValues>(table: OfflineTable<V>, options: OfflineReadOptions & { readonly unreadable?: 'fail' }): RowPages<V>;
  read<V extends OfflineValues>(table: OfflineTable<V>, options: OfflineReadOptions): ReadPages<V> {
    return this.pages(table, options);
  }

  /**
   * How many rows `read(table, options)` would return now (unreadable ones included): one COUNT over
   * the same window and shard, cheap on DuckDB's columnar storage. Upsync's progress shows an ETA with it.
   */
  async count(table: OfflineTable, options: OfflineReadOptions): Promise<number> {
    const checked = checkReadOptions(options);
    const { connection, columns, release } = await this.reader(table);
    try {
      const { dialect, values, types } = this.dialect(table, columns);
      const sql = countSql(table, columns, checked, dialect);
      const result = await this.guard(table, () => connection.runAndReadAll(sql, values, types));
      return Number(result.getRows()[0]?.[0] ?? 0);
    } finally {
      release();
    }
  }

  /**
   * A connection of the read's own (see the header) and the table's columns as stored; `release` ends
   * it, unless close() has disconnected it already.
   */
  private async reader(table: OfflineTable): Promise<{ connection: DuckDBConnection; columns: ReturnType<typeof matchColumns>; release: () => void }> {
    this.state.assertOpen();
    const connection = await this.instance.connect();
    this.readers.add(connection);
    const release = () => {
      if (this.readers.delete(connection)) connection.disconnectSync();
    };
    try {
      return { connection, columns: matchColumns(STORE, table, await this.storedColumns(connection, table)), release };
    } catch (e) {
      release();
      throw e;
    }
  }

  private dialect(table: OfflineTable, columns: ReturnType<typeof matchColumns>): { dialect: ReadDialect; values: DuckDBValue[]; types: DuckDBType[] } {
    const values: DuckDBValue[] = [];
    const types: DuckDBType[] = [];
    const zoned = columns.updatedAt.kind.sqlType === 'TIMESTAMP WITH TIME ZONE';
    const dialect: ReadDialect = {
      ident: duckdbIdent,
      tablePath: duckdbTablePath(table),
      time: (ms) => {
        // A naive TIMESTAMP column (a hand-made table) holds UTC wall-clock times: compare it with one.
        values.push(zoned ? timeToDuckDb(this.driver, new Date(ms)) : this.driver.timestampValue(BigInt(ms) * 1000n));
        types.push(zoned ? this.driver.TIMESTAMPTZ : this.driver.TIMESTAMP);
        return `$${values.length}`;
      },
      // hash() is DuckDB's own (UBIGINT), stable for a given DuckDB version.
      shard: (keys, shard) => `hash(${keys.join(', ')}) % ${shard.count} = ${shard.index}`,
    };
    return { dialect, values, types };
  }

  private async *pages<V extends OfflineValues>(table: OfflineTable<V>, options: OfflineReadOptions): ReadPages<V> {
    const checked = checkReadOptions(options);
    const { connection, columns, release } = await this.reader(table);
    try {
      const decoder = new RowDecoder(table, columns, DUCKDB_CELLS);
      // One snapshot for every segment: rows appended meanwhile wait for the next read, as with one query.
      await this.guard(table, () => connection.run('BEGIN TRANSACTION'));
      let page: OfflineReadItem<V>[] = [];
      for (const segment of await this.segments(connection, table, columns, checked)) {
        this.segmentQueries++;
        const { dialect, values, types } = this.dialect(table, columns);
        const sql = selectSql(table, columns, segment, dialect);
        const result = await this.guard(table, () => connection.stream(sql, values, types));
        for (;;) {
          const chunk = await this.guard(table, () => result.fetchChunk());
          if (chunk === null || chunk.rowCount === 0) break;
          // Column-wise: one array of cells per column per chunk, no row array per row.
          const cells = chunkColumns(chunk);
          const rowCount = chunk.rowCount;
          for (let r = 0; r < rowCount; r++) {
            page.push(admit(table, checked.unreadable, decoder.decodeAt(cells, r)));
            if (page.length === checked.pageSize) {
              yield page;
              page = [];
              this.state.assertOpen();
            }
          }
        }
      }
      if (page.length > 0) yield page;
    } finally {
      release();
    }
  }

  /**
   * The read's window cut into consecutive fs_updated_at ranges of about `sortSegmentRows` rows each,
   * read one after the other: each ORDER BY sorts one range, so the sort's memory is bounded by the
   * segment, not by the table (measured: a single sorted stream of 1M rows took DuckDB from 109 MB to
   * 232 MB RSS). The cut points are approximate quantiles of the update times (constant memory, one
   * scan); only the segment sizes depend on their accuracy, never which rows are read or their order:
   * the ranges are disjoint, cover the window, and go up in time, each ordered as the whole read is.
   * A window that fits one segment (or a column other than TIMESTAMP[TZ]) is one query, as before.
   */
  private async segments(connection: DuckDBConnection, table: OfflineTable, columns: ReturnType<typeof matchColumns>, checked: CheckedReadOptions): Promise<CheckedReadOptions[]> {
    const sqlType = columns.updatedAt.kind.sqlType;
    if (sqlType !== 'TIMESTAMP WITH TIME ZONE' && sqlType !== 'TIMESTAMP') return [checked];
    const counted = this.dialect(table, columns);
    const count = Number((await this.guard(table, () => connection.runAndReadAll(countSql(table, columns, checked, counted.dialect), counted.values, counted.types))).getRows()[0]?.[0] ?? 0);
    const parts = Math.ceil(count / this.sortSegmentRows);
    if (parts <= 1) return [checked];
    const q = this.dialect(table, columns);
    const at = duckdbIdent(columns.updatedAt.name);
    const fractions = Array.from({ length: parts - 1 }, (_, i) => ((i + 1) / parts).toFixed(6)).join(', ');
    const where = countSql(table, columns, checked, q.dialect).replace(/^SELECT count\(\*\) /, '');
    const rows = (await this.guard(table, () => connection.runAndReadAll(`SELECT approx_quantile(epoch_ms(${at}), [${fractions}]) ${where}`, q.values, q.types))).getRows();
    const cuts = listOf(rows[0]?.[0])
      .map(Number)
      .filter((ms) => Number.isSafeInteger(ms) && (checked.sinceMs === null || ms > checked.sinceMs) && (checked.untilMs === null || ms < checked.untilMs));
    const bounds = [...new Set(cuts)].sort((a, b) => a - b);
    if (bounds.length === 0) return [checked];
    const out: CheckedReadOptions[] = [];
    let from = checked.sinceMs;
    for (const cut of bounds) {
      // The first range keeps `since` (null: NULL update times included, first, as in one query).
      out.push({ ...checked, sinceMs: from, untilMs: cut });
      from = cut;
    }
    out.push({ ...checked, sinceMs: from, untilMs: checked.untilMs });
    return out;
  }

  /** Every column of the table, as DuckDB's catalog describes it; none: the table does not exist. */
  private async storedColumns(connection: DuckDBConnection, table: OfflineTable): Promise<StoredColumn[]> {
    const result = await this.guard(table, () =>
      connection.runAndReadAll(
        'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND lower(table_name) = lower($1) ORDER BY ordinal_position',
        [table.tableName],
      ),
    );
    const rows = result.getRows();
    if (rows.length === 0) throw new OfflineStoreError(OFFLINE_TABLE_NOT_FOUND, OFFLINE_ERRORS.tableNotFound(STORE, table.tableName, this.path));
    return rows.map(([name, type]) => ({ name: String(name), kind: duckdbKind(String(type)) }));
  }

  async append<V extends OfflineValues>(table: OfflineTable<V>, rows: readonly OfflineRow<V>[]): Promise<AppendResult> {
    checkRows(table, rows);
    const { rows: unique, repeats } = uniqueRows(table, rows);
    return this.serial(async () => {
      if (unique.length === 0) return { appended: 0, duplicates: repeats };
      const plan = this.plan(table);
      let appended = 0;
      await this.guard(table, () => this.connection.run('BEGIN TRANSACTION'));
      try {
        for (let at = 0; at < unique.length; at += ROWS_PER_STATEMENT) {
          const chunk = unique.slice(at, at + ROWS_PER_STATEMENT);
          const values = chunk.flatMap((row) => [...table.columns.map((c) => toDuckDb(this.driver, c.type, row.values[c.name] as OfflineValue)), timeToDuckDb(this.driver, row.updatedAt)]);
          const types = chunk.flatMap(() => plan.types);
          if (chunk.length === ROWS_PER_STATEMENT) {
            plan.prepared ??= await this.connection.prepare(plan.sql(ROWS_PER_STATEMENT));
            plan.prepared.bind(values, types);
            appended += (await this.guard(table, () => (plan.prepared as DuckDBPreparedStatement).run())).rowsChanged;
          } else {
            appended += (await this.guard(table, () => this.connection.run(plan.sql(chunk.length), values, types))).rowsChanged;
          }
        }
        await this.connection.run('COMMIT');
      } catch (e) {
        await this.connection.run('ROLLBACK').catch(() => {});
        throw e;
      }
      return { appended, duplicates: unique.length - appended + repeats };
    });
  }

  async ping(): Promise<void> {
    return this.serial(async () => {
      await this.connection.run('SELECT 1');
    });
  }

  async close(): Promise<void> {
    if (this.state.closed) return;
    this.state.closed = true;
    await this.queue.catch(() => {});
    for (const reader of this.readers) reader.disconnectSync();
    this.readers.clear();
    for (const plan of this.plans.values()) plan.prepared?.destroySync();
    this.connection.disconnectSync();
    if (this.ownsInstance) this.instance.closeSync();
  }

  private plan(table: OfflineTable): InsertPlan {
    let plan = this.plans.get(table.tableName);
    if (!plan) {
      const width = table.columns.length + 1;
      const columns = [...table.columns.map((c) => c.name), OFFLINE_UPDATED_AT].map(duckdbIdent).join(', ');
      const tuple = (row: number) => `(${Array.from({ length: width }, (_, i) => `$${row * width + i + 1}`).join(', ')})`;
      plan = {
        sql: (rows) => `INSERT INTO ${duckdbTablePath(table)} (${columns}) VALUES ${Array.from({ length: rows }, (_, r) => tuple(r)).join(', ')} ON CONFLICT DO NOTHING`,
        types: [...table.columns.map((c) => duckdbTypeOf(this.driver, c.type)), this.driver.TIMESTAMPTZ],
        prepared: null,
      };
      this.plans.set(table.tableName, plan);
    }
    return plan;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    this.state.assertOpen();
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }


  /** Driver errors with the table named: a missing table, a store closed under a read, anything else. */
  private async guard<T>(table: OfflineTable, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (e instanceof OfflineStoreError) throw e;
      if (this.state.closed) throw this.state.closedError(e);
      if (/Catalog Error: Table with name .* does not exist/.test(reason(e))) {
        throw new OfflineStoreError(OFFLINE_TABLE_NOT_FOUND, OFFLINE_ERRORS.tableNotFound(STORE, table.tableName, this.path), { cause: e });
      }
      throw e;
    }
  }
}

/** A DuckDB LIST value's items (approx_quantile with a list of fractions returns one). */
function listOf(value: unknown): unknown[] {
  const items = (value as { readonly items?: unknown } | null)?.items;
  return Array.isArray(items) ? items : [];
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
