/**
 * The offline store on BigQuery (@google-cloud/bigquery, loaded when the store opens, never by importing
 * the runtime). Tables are the ones `featurestore migrate --target bigquery` creates from the generated
 * DDL; this adapter never creates or alters them.
 *
 * Reads run one query job per `read` and page through its result with getQueryResults (maxResults +
 * pageToken): BigQuery keeps the result in a temporary table, so one page at a time is in memory
 * whatever the window holds. The Storage Read API would stream faster for backfills of hundreds of
 * millions of rows, but it has no ORDER BY (a watermark could then only advance at the end of a run) and
 * the emulator does not serve it; the upsync issue can add it behind the same interface.
 *
 * Appends are idempotent without MERGE, which the emulator (v0.8.1) only accepts from a table source
 * (not from UNNEST), and without insertId, whose de-duplication is best effort for about a minute on
 * real BigQuery (a redelivery after a crash comes later than that) and absent on the emulator:
 * 1. one SELECT reads the stored identities (see offline-store.ts) among the chunk's: the table filtered
 *    on its partition column (the event time, or fs_updated_at for Object features — part of the
 *    identity either way) between the chunk's smallest and largest value, and on its first key among
 *    the chunk's values, so BigQuery scans only the partitions the chunk touches; they are compared in
 *    memory;
 * 2. one `INSERT … SELECT … FROM UNNEST(JSON_QUERY_ARRAY(@rows))` writes the others, the chunk sent as
 *    one JSON text parameter (bigquery-sql.ts: the statement text stays small whatever the chunk).
 * A fully redelivered chunk costs one SELECT and no DML at all. What this cannot prevent: two writers
 * appending the same identity at the same moment (BigQuery has no unique constraint, and concurrent
 * INSERTs do not conflict); downsync gives each key's partition to one worker, which keeps that window
 * to a rebalance. Batches are cut into chunks of at most MAX_ROWS_PER_STATEMENT rows and
 * MAX_STATEMENT_CHARS of JSON; a failure between two leaves the earlier ones written, and the retry
 * skips them. On the emulator a 5,000-row append (five chunks) takes about 3 s.
 */
import type { BigQuery, Job, QueryResultsOptions } from '@google-cloud/bigquery';
import { checkRows } from '../offline-row-check.ts';
import { admit, checkReadOptions, matchColumns, RowDecoder, selectSql, StoreState, type ReadDialect, type ReadPages, type RowPages, type StoredColumn } from '../offline-read.ts';
import {
  OFFLINE_ERRORS,
  OFFLINE_STORE_UNREACHABLE,
  OFFLINE_TABLE_NOT_FOUND,
  OFFLINE_UPDATED_AT,
  OfflineStoreError,
  type AppendResult,
  type OfflineReadOptions,
  type OfflineRow,
  type OfflineScalarType,
  type OfflineStore,
  type OfflineTable,
  type OfflineValue,
  type OfflineValues,
} from '../offline-store.ts';
import { identityColumns, identityOf, uniqueRows } from '../offline-table.ts';
import { convertScalar, type SourceScalarKind } from '../offline-cells.ts';
import { BIGQUERY_CELLS, bigqueryKind, type BigQuerySchemaField, type RawRow } from './bigquery-cells.ts';
import { bigqueryIdent, bigqueryLiteral, bigqueryTablePath, jsonCell, jsonCellSql, MAX_STATEMENT_CHARS, timestampLiteral } from './bigquery-sql.ts';

const UPDATED_AT_TYPE = { kind: 'scalar', scalar: 'Timestamp' } as const;
/** How identity columns (keys, event time, fs_updated_at: the generated DDL's types) come back as cells. */
const IDENTITY_KINDS: Record<OfflineScalarType, SourceScalarKind> = {
  Text: 'text', Long: 'int', Int: 'int', Double: 'float', Float: 'float', Boolean: 'bool', Timestamp: 'timestamp', Bytes: 'bytes',
};

const STORE = 'BigQuery';
/** Named by MissingDriverError when @google-cloud/bigquery is not installed. */
export const BIGQUERY_OFFLINE_USE = "the BigQuery offline store (openOfflineStore({ kind: 'bigquery' }))";
/** Rows per statement at most, whatever their size: bounds the anti-join's work per statement. */
const MAX_ROWS_PER_STATEMENT = 1_000;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export const BIGQUERY_OFFLINE_ERRORS = {
  datasetNotFound: (project: string, dataset: string) =>
    `dataset ${dataset} does not exist in BigQuery project ${project} (run featurestore migrate --target bigquery)`,
} as const;

export interface BigQueryOfflineStoreOptions {
  readonly projectId: string;
  readonly dataset: string;
  /** A configured client; by default one from the environment (BIGQUERY_API_ENDPOINT, or ADC). */
  readonly client?: BigQuery;
  /** Where jobs run (the dataset's location), when not the project's default. */
  readonly location?: string;
  /** Named in errors: the endpoint the client talks to. Default: BIGQUERY_API_ENDPOINT or BigQuery itself. */
  readonly endpoint?: string;
  readonly maxStatementChars?: number;
}

export async function openBigQueryOfflineStore(options: BigQueryOfflineStoreOptions): Promise<BigQueryOfflineStore> {
  if (options.client) return new BigQueryOfflineStore(options.client, options);
  // Imports the client library on demand; a missing one is a MissingDriverError naming it.
  const { createBigQueryClient } = await import('../../connect/bigquery.ts');
  return new BigQueryOfflineStore(await createBigQueryClient(options.projectId, process.env, BIGQUERY_OFFLINE_USE), options);
}

/** Rows of one statement, each already rendered. */
interface Chunk<R> {
  readonly rows: R[];
  readonly tuples: string[];
}

export class BigQueryOfflineStore implements OfflineStore {
  private readonly state = new StoreState(STORE);
  private readonly projectId: string;
  private readonly dataset: string;
  private readonly location: string | undefined;
  private readonly where: string;
  private readonly maxStatementChars: number;

  constructor(
    private readonly client: BigQuery,
    options: BigQueryOfflineStoreOptions,
  ) {
    this.projectId = options.projectId;
    this.dataset = options.dataset;
    this.location = options.location;
    this.maxStatementChars = options.maxStatementChars ?? MAX_STATEMENT_CHARS;
    const endpoint = options.endpoint ?? process.env['BIGQUERY_API_ENDPOINT'] ?? 'bigquery.googleapis.com';
    this.where = `${endpoint} (project ${this.projectId}, dataset ${this.dataset})`;
  }

  read<V extends OfflineValues>(table: OfflineTable<V>, options: OfflineReadOptions & { readonly unreadable: 'yield' }): ReadPages<V>;
  read<V extends OfflineValues>(table: OfflineTable<V>, options: OfflineReadOptions & { readonly unreadable?: 'fail' }): RowPages<V>;
  read<V extends OfflineValues>(table: OfflineTable<V>, options: OfflineReadOptions): ReadPages<V> {
    return this.pages(table, options);
  }

  private async *pages<V extends OfflineValues>(table: OfflineTable<V>, options: OfflineReadOptions): ReadPages<V> {
    const checked = checkReadOptions(options);
    this.state.assertOpen();
    const columns = matchColumns(STORE, table, await this.storedColumns(table));
    const dialect: ReadDialect = {
      ident: bigqueryIdent,
      tablePath: this.path(table),
      // DATE and DATETIME columns compare with a TIMESTAMP as UTC, which is the rule cells follow too.
      time: (ms) => (columns.updatedAt.kind.sqlType === 'TIMESTAMP' ? timestampLiteral(new Date(ms)) : `DATETIME(${timestampLiteral(new Date(ms))})`),
      // FARM_FINGERPRINT is BigQuery's documented stable hash. Its low 32 bits, not the whole INT64: they
      // are never negative, and the emulator computes MOD of an INT64 beyond 2^53 through a double
      // (MOD(5341638818435561861, 4) = 0 there), which would leave shards empty.
      shard: (keys, shard) => `MOD(FARM_FINGERPRINT(TO_JSON_STRING(STRUCT(${keys.join(', ')}))) & 4294967295, ${shard.count}) = ${shard.index}`,
    };
    const decoder = new RowDecoder(table, columns, BIGQUERY_CELLS);
    const job = await this.startQuery(table, selectSql(table, columns, checked, dialect));
    let request: QueryResultsOptions | null = { maxResults: checked.pageSize, autoPaginate: false, skipParsing: true };
    while (request !== null) {
      const current: QueryResultsOptions = request;
      const [rows, next] = (await this.guard(table, () => job.getQueryResults(current))) as unknown as [RawRow[], QueryResultsOptions | null | undefined];
      this.state.assertOpen();
      // An unfinished job answers with no rows and a request to ask again.
      if (rows.length > 0) yield rows.map((row) => admit(table, checked.unreadable, decoder.decode(row.f.map((cell) => cell.v ?? null))));
      request = next ? { ...next, skipParsing: true, autoPaginate: false } : null;
    }
  }

  /** The table's columns from its metadata (tables.get); a 404 is OFFLINE_TABLE_NOT_FOUND. */
  private async storedColumns(table: OfflineTable): Promise<StoredColumn[]> {
    const [metadata] = (await this.guard(table, () => this.client.dataset(this.dataset).table(table.tableName).getMetadata())) as unknown as [
      { readonly schema?: { readonly fields?: readonly BigQuerySchemaField[] } },
    ];
    return (metadata.schema?.fields ?? []).map((field) => ({ name: field.name ?? '', kind: bigqueryKind(field) }));
  }

  async append<V extends OfflineValues>(table: OfflineTable<V>, rows: readonly OfflineRow<V>[]): Promise<AppendResult> {
    checkRows(table, rows);
    this.state.assertOpen();
    const { rows: unique, repeats } = uniqueRows(table, rows);
    let appended = 0;
    let duplicates = repeats;
    for (const chunk of this.chunks(table, unique)) {
      const stored = await this.storedAmong(table, chunk);
      const fresh: Chunk<OfflineRow<V>> = { rows: [], tuples: [] };
      chunk.rows.forEach((row, i) => {
        if (stored.has(i)) return;
        fresh.rows.push(row);
        fresh.tuples.push(chunk.tuples[i] as string);
      });
      duplicates += chunk.rows.length - fresh.rows.length;
      if (fresh.rows.length === 0) continue;
      const inserted = await this.insert(table, fresh);
      appended += inserted;
      duplicates += fresh.rows.length - inserted;
    }
    return { appended, duplicates };
  }

  async ping(): Promise<void> {
    this.state.assertOpen();
    try {
      await this.client.dataset(this.dataset).getMetadata();
    } catch (e) {
      if (statusOf(e) === 404) {
        throw new OfflineStoreError(OFFLINE_TABLE_NOT_FOUND, BIGQUERY_OFFLINE_ERRORS.datasetNotFound(this.projectId, this.dataset), { cause: e });
      }
      throw this.translate(null, e);
    }
  }

  async close(): Promise<void> {
    // The client holds no connection of its own beyond HTTP keep-alive sockets, which idle out.
    this.state.closed = true;
  }

  private path(table: OfflineTable): string {
    return bigqueryTablePath(this.projectId, this.dataset, table.tableName);
  }

  /** The partition column: the event time of History features, fs_updated_at of Object features. */
  private partitionOf(table: OfflineTable): { readonly column: string; readonly time: (row: OfflineRow<OfflineValues>) => Date } {
    const eventTime = table.eventTimeColumn;
    return eventTime === null
      ? { column: OFFLINE_UPDATED_AT, time: (row) => row.updatedAt }
      : { column: eventTime, time: (row) => row.values[eventTime] as Date };
  }

  /**
   * The chunk's rows as a derived table `r` with columns c0..c<n> (the fields, then fs_updated_at) and
   * `i`, the row's index in the chunk, read from the @rows JSON parameter (see bigquery-sql.ts).
   */
  private chunkTable(table: OfflineTable): string {
    const cells = [...table.columns.map((c, i) => `${jsonCellSql(c.type, 'j', i)} AS c${i}`), `${jsonCellSql(UPDATED_AT_TYPE, 'j', table.columns.length)} AS c${table.columns.length}`];
    return `(SELECT i, ${cells.join(', ')} FROM UNNEST(JSON_QUERY_ARRAY(@rows)) AS j WITH OFFSET i) AS r`;
  }

  /**
   * Indices (within the chunk) of the rows whose identity is stored already: one SELECT of the stored
   * identities in the chunk's partition range and among its first-key values (a short literal list),
   * compared in memory. Not a correlated EXISTS over the batch: the emulator re-evaluates the batch
   * per stored row (1,000 rows against 1,000 stored took 165 s), and real BigQuery gains nothing from it.
   */
  private async storedAmong(table: OfflineTable, chunk: Chunk<OfflineRow<OfflineValues>>): Promise<Set<number>> {
    const identity = identityColumns(table).map((c) => {
      if (c === null) return { name: OFFLINE_UPDATED_AT, type: UPDATED_AT_TYPE };
      const column = table.columns.find((col) => col.name === c);
      if (!column || column.type.kind !== 'scalar') throw new Error(`internal: ${table.tableName}: identity column ${c} is not a scalar field`);
      return { name: c, type: column.type };
    });
    const partition = this.partitionOf(table);
    const times = chunk.rows.map((r) => partition.time(r).getTime());
    const first = identity[0] as (typeof identity)[number];
    const firstValues = [...new Set(chunk.rows.map((r) => bigqueryLiteral(first.type, first.name === OFFLINE_UPDATED_AT ? r.updatedAt : (r.values[first.name] as OfflineValue))))];
    const sql =
      `SELECT ${identity.map((c) => bigqueryIdent(c.name)).join(', ')} FROM ${this.path(table)} ` +
      `WHERE ${bigqueryIdent(partition.column)} BETWEEN ${timestampLiteral(new Date(Math.min(...times)))} AND ${timestampLiteral(new Date(Math.max(...times)))} ` +
      `AND ${bigqueryIdent(first.name)} IN (${firstValues.join(', ')})`;
    const job = await this.startQuery(table, sql);
    const stored = new Set<string>();
    let request: QueryResultsOptions | null = { autoPaginate: false, skipParsing: true };
    while (request !== null) {
      const current: QueryResultsOptions = request;
      const [result, next] = (await this.guard(table, () => job.getQueryResults(current))) as unknown as [RawRow[], QueryResultsOptions | null | undefined];
      for (const row of result) {
        // A NULL identity cell (a hand-made table) equals no row of a checked batch.
        if (row.f.some((cell) => cell.v === null || cell.v === undefined)) continue;
        const values: Record<string, OfflineValue> = {};
        let updatedAt = new Date(0);
        identity.forEach((c, i) => {
          const kind = IDENTITY_KINDS[c.type.scalar];
          const value = convertScalar(c.type.scalar, kind, c.type.scalar, BIGQUERY_CELLS.scalar(kind, 'TIMESTAMP', row.f[i]?.v ?? null));
          if (c.name === OFFLINE_UPDATED_AT) updatedAt = value as Date;
          else values[c.name] = value;
        });
        stored.add(identityOf(table, { values, updatedAt }));
      }
      request = next ? { ...next, skipParsing: true, autoPaginate: false } : null;
    }
    const found = new Set<number>();
    chunk.rows.forEach((row, i) => {
      if (stored.has(identityOf(table, row))) found.add(i);
    });
    return found;
  }

  /**
   * Rows written: what BigQuery reports, else (the emulator reports nothing) the rows sent. The
   * anti-join is the SELECT before it (see storedAmong), so a row another writer stores in between is
   * written twice; one writer per key partition (downsync) keeps that window closed.
   */
  private async insert(table: OfflineTable, chunk: Chunk<OfflineRow<OfflineValues>>): Promise<number> {
    const columns = [...table.columns.map((c) => c.name), OFFLINE_UPDATED_AT];
    const sql = `INSERT INTO ${this.path(table)} (${columns.map(bigqueryIdent).join(', ')}) SELECT ${columns.map((_, i) => `r.c${i}`).join(', ')} FROM ${this.chunkTable(table)}`;
    const job = await this.startQuery(table, sql, { rows: `[${chunk.tuples.join(',')}]` });
    const [, , response] = (await this.guard(table, () => job.getQueryResults({ maxResults: 0, autoPaginate: false, skipParsing: true }))) as unknown as [
      unknown,
      unknown,
      { readonly numDmlAffectedRows?: string } | undefined,
    ];
    const reported = response?.numDmlAffectedRows;
    return reported !== undefined && /^\d+$/.test(reported) ? Number(reported) : chunk.rows.length;
  }

  /** Rows cut into statements below the size limits, each row rendered once (as its JSON cells). */
  private *chunks<R extends OfflineRow<OfflineValues>>(table: OfflineTable, rows: readonly R[]): Iterable<Chunk<R>> {
    let chunk: Chunk<R> = { rows: [], tuples: [] };
    let chars = 0;
    const budget = this.maxStatementChars;
    for (const row of rows) {
      const tuple = JSON.stringify([...table.columns.map((c) => jsonCell(c.type, row.values[c.name] as OfflineValue)), jsonCell(UPDATED_AT_TYPE, row.updatedAt)]);
      if (chunk.rows.length > 0 && (chars + tuple.length > budget || chunk.rows.length >= MAX_ROWS_PER_STATEMENT)) {
        yield chunk;
        chunk = { rows: [], tuples: [] };
        chars = 0;
      }
      chunk.rows.push(row);
      chunk.tuples.push(tuple);
      chars += tuple.length + 1;
    }
    if (chunk.rows.length > 0) yield chunk;
  }

  private async startQuery(table: OfflineTable, query: string, params?: Record<string, string>): Promise<Job> {
    const [job] = await this.guard(table, () =>
      this.client.createQueryJob({ query, useLegacySql: false, ...(params ? { params } : {}), ...(this.location ? { location: this.location } : {}) }),
    );
    return job;
  }

  private async guard<T>(table: OfflineTable, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      throw this.translate(table, e);
    }
  }

  private translate(table: OfflineTable | null, e: unknown): unknown {
    if (e instanceof OfflineStoreError) return e;
    const code = (e as { readonly code?: unknown } | null)?.code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) {
      return new OfflineStoreError(OFFLINE_STORE_UNREACHABLE, OFFLINE_ERRORS.unreachable(STORE, this.where, reason(e)), { cause: e });
    }
    // Real BigQuery: 404 "Not found: Table p:d.t"; the emulator: "Table not found: `p.d.t`".
    if (table !== null && (statusOf(e) === 404 || /Table not found|Not found: Table/i.test(reason(e)))) {
      return new OfflineStoreError(OFFLINE_TABLE_NOT_FOUND, OFFLINE_ERRORS.tableNotFound(STORE, table.tableName, this.where), { cause: e });
    }
    return e;
  }
}

function statusOf(e: unknown): number | undefined {
  const code = (e as { readonly code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
