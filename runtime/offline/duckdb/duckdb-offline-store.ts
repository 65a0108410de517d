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
 * - DuckDB allows one read-write process per file: a second process fails to open it
 *   (OFFLINE_STORE_UNREACHABLE, naming the lock). Run upsync and downsync against one DuckDB file in one
 *   process, or use BigQuery.
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { loadDriver } from '../../connect/optional-drivers.ts';
import { checkReadOptions, checkRows } from '../offline-row-check.ts';
import {
  OFFLINE_ERRORS,
  OFFLINE_STORE_CLOSED,
  OFFLINE_STORE_UNREACHABLE,
  OFFLINE_TABLE_NOT_FOUND,
  OFFLINE_UNREADABLE_ROW,
  OFFLINE_UPDATED_AT,
  OfflineStoreError,
  type AppendResult,
  type OfflineReadOptions,
  type OfflineRow,
  type OfflineStore,
  type OfflineTable,
  type OfflineValue,
  type OfflineValues,
} from '../offline-store.ts';
import { uniqueRows } from '../offline-table.ts';
import { duckdbCreateTable, duckdbIdent, duckdbTablePath } from './duckdb-ddl.ts';
import { DUCKDB_VALUE_PROBLEMS, duckdbTypeOf, fromDuckDb, timeFromMicros, timeToDuckDb, toDuckDb, UnreadableValue, type DuckDbDriver } from './duckdb-values.ts';

const STORE = 'DuckDB';
/** Named by MissingDriverError when @duckdb/node-api is not installed. */
export const DUCKDB_OFFLINE_USE = "the DuckDB offline store (openOfflineStore({ kind: 'duckdb' }))";
/** Rows per INSERT statement: large enough to amortise planning, small enough to bind quickly. */
const ROWS_PER_STATEMENT = 256;

export interface DuckDbOfflineStoreOptions {
  /** The database file (created when missing), or ':memory:'. */
  readonly path: string;
  /** Tables to create when missing. */
  readonly tables: readonly OfflineTable[];
  /** How @duckdb/node-api is imported (tests replace it to see the missing-driver error). */
  readonly importDriver?: () => Promise<DuckDbDriver>;
}

export async function openDuckDbOfflineStore(options: DuckDbOfflineStoreOptions): Promise<DuckDbOfflineStore> {
  // A missing package is a MissingDriverError naming it and the version to install.
  const driver = await loadDriver('@duckdb/node-api', DUCKDB_OFFLINE_USE, options.importDriver ?? (() => import('@duckdb/node-api')));
  let instance: DuckDBInstance;
  try {
    instance = await driver.DuckDBInstance.create(options.path);
  } catch (e) {
    throw new OfflineStoreError(OFFLINE_STORE_UNREACHABLE, OFFLINE_ERRORS.unreachable(STORE, options.path, reason(e)), { cause: e });
  }
  try {
    const connection = await instance.connect();
    for (const table of options.tables) await connection.run(duckdbCreateTable(table));
    return new DuckDbOfflineStore(driver, instance, connection, options.path);
  } catch (e) {
    instance.closeSync();
    throw new OfflineStoreError(OFFLINE_STORE_UNREACHABLE, OFFLINE_ERRORS.unreachable(STORE, options.path, reason(e)), { cause: e });
  }
}

interface InsertPlan {
  readonly sql: (rows: number) => string;
  readonly types: readonly DuckDBType[];
  prepared: DuckDBPreparedStatement | null;
}

export class DuckDbOfflineStore implements OfflineStore {
  private closed = false;
  /** Appends and pings, one at a time on the write connection. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly readers = new Set<DuckDBConnection>();
  private readonly plans = new Map<string, InsertPlan>();

  constructor(
    private readonly driver: DuckDbDriver,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  async *read<V extends OfflineValues>(table: OfflineTable<V>, options: OfflineReadOptions): AsyncIterable<readonly OfflineRow<V>[]> {
    const { sinceMs, untilMs, pageSize } = checkReadOptions(options);
    this.open();
    const where: string[] = [];
    const values: DuckDBValue[] = [];
    const updatedAt = duckdbIdent(OFFLINE_UPDATED_AT);
    if (sinceMs !== null) {
      values.push(timeToDuckDb(this.driver, new Date(sinceMs)));
      where.push(`${updatedAt} >= $${values.length}`);
    }
    if (untilMs !== null) {
      values.push(timeToDuckDb(this.driver, new Date(untilMs)));
      where.push(`${updatedAt} < $${values.length}`);
    }
    const order = [OFFLINE_UPDATED_AT, ...table.keyColumns, ...(table.eventTimeColumn ? [table.eventTimeColumn] : [])].map(duckdbIdent);
    const sql =
      `SELECT ${[...table.columns.map((c) => duckdbIdent(c.name)), updatedAt].join(', ')} FROM ${duckdbTablePath(table)}` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY ${order.join(', ')}`;
    const connection = await this.instance.connect();
    this.readers.add(connection);
    try {
      const result = await this.guard(table, () => connection.stream(sql, values, values.map(() => this.driver.TIMESTAMPTZ)));
      let page: OfflineRow<V>[] = [];
      for (;;) {
        const chunk = await this.guard(table, () => result.fetchChunk());
        if (chunk === null || chunk.rowCount === 0) break;
        for (const row of chunk.getRows()) {
          page.push(this.rowOf(table, row));
          if (page.length === pageSize) {
            yield page;
            page = [];
            this.open();
          }
        }
      }
      if (page.length > 0) yield page;
    } finally {
      // close() may have disconnected it already.
      if (this.readers.delete(connection)) connection.disconnectSync();
    }
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
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => {});
    for (const reader of this.readers) reader.disconnectSync();
    this.readers.clear();
    for (const plan of this.plans.values()) plan.prepared?.destroySync();
    this.connection.disconnectSync();
    this.instance.closeSync();
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

  private rowOf<V extends OfflineValues>(table: OfflineTable<V>, row: readonly DuckDBValue[]): OfflineRow<V> {
    const values: Record<string, OfflineValue> = {};
    table.columns.forEach((column, i) => {
      try {
        const value = fromDuckDb(column.type, row[i] ?? null);
        if (value === null && column.required) throw new UnreadableValue(DUCKDB_VALUE_PROBLEMS.nullRequired);
        values[column.name] = value;
      } catch (e) {
        throw new OfflineStoreError(OFFLINE_UNREADABLE_ROW, OFFLINE_ERRORS.unreadableRow(table.tableName, column.name, reason(e)), { cause: e });
      }
    });
    const micros = (row[table.columns.length] as { readonly micros?: unknown } | null)?.micros;
    if (typeof micros !== 'bigint') throw new OfflineStoreError(OFFLINE_UNREADABLE_ROW, OFFLINE_ERRORS.unreadableRow(table.tableName, OFFLINE_UPDATED_AT, 'not a TIMESTAMPTZ'));
    // The columns were read by the table's own description: this is the row type it names.
    return { values: values as V, updatedAt: timeFromMicros(micros) };
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    this.open();
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }

  private open(): void {
    if (this.closed) throw new OfflineStoreError(OFFLINE_STORE_CLOSED, OFFLINE_ERRORS.closed(STORE));
  }

  /** Driver errors with the table named: a missing table, a store closed under a read, anything else. */
  private async guard<T>(table: OfflineTable, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (e instanceof OfflineStoreError) throw e;
      if (this.closed) throw new OfflineStoreError(OFFLINE_STORE_CLOSED, OFFLINE_ERRORS.closed(STORE), { cause: e });
      if (/Catalog Error: Table with name .* does not exist/.test(reason(e))) {
        throw new OfflineStoreError(OFFLINE_TABLE_NOT_FOUND, OFFLINE_ERRORS.tableNotFound(STORE, table.tableName, this.path), { cause: e });
      }
      throw e;
    }
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
