/**
 * What a read is, whatever the backend: the checked options, the table's actual columns matched to
 * the feature's, the SELECT (window, shard, order) in a backend's dialect, and the decoding of each
 * stored row into an OfflineRow or an UnreadableOfflineRow. Each adapter supplies only what differs:
 * how it lists its columns and their types, how it spells a time bound and a key hash, and how its
 * driver hands over a cell. One place, so both adapters read the same rows the same way.
 *
 * The table is matched at the start of a read, not per row: a feature field (or fs_updated_at)
 * without a column would make every row unreadable, so it ends the read before any row with
 * OFFLINE_SCHEMA_MISMATCH naming the table and column. Column names match case-insensitively (both
 * backends treat identifiers so). Columns of another type than the feature's are read anyway and
 * converted cell by cell (offline-cells.ts): a user's CTAS may leave a STRING where the DDL says INT64,
 * and most of its cells may still be fine.
 *
 * Rows whose fs_updated_at is NULL belong to no window but the full one: a read with `since: null`
 * includes them (first), so a full upsync sees them as unreadable instead of never.
 */
import {
  convertScalar,
  CELL_PROBLEMS,
  rawScalar,
  timeFromMicros,
  UnreadableCell,
  type SourceKind,
  type SourceScalar,
  type SourceScalarKind,
} from './offline-cells.ts';
import {
  DEFAULT_OFFLINE_PAGE_SIZE,
  OFFLINE_ERRORS,
  OFFLINE_INVALID_OPTIONS,
  OFFLINE_SCHEMA_MISMATCH,
  OFFLINE_STORE_CLOSED,
  OFFLINE_UNREADABLE_ROW,
  OFFLINE_UPDATED_AT,
  OfflineStoreError,
  type OfflineReadItem,
  type OfflineReadOptions,
  type OfflineRow,
  type OfflineScalar,
  type OfflineShard,
  type OfflineTable,
  type OfflineValue,
  type OfflineValues,
  type UnreadableOfflineRow,
} from './offline-store.ts';

export const MAX_OFFLINE_PAGE_SIZE = 100_000;
export const MAX_OFFLINE_SHARDS = 100_000;

export interface CheckedReadOptions {
  readonly sinceMs: number | null;
  readonly untilMs: number | null;
  readonly pageSize: number;
  readonly shard: OfflineShard | null;
  readonly unreadable: 'fail' | 'yield';
}

export function checkReadOptions(options: OfflineReadOptions): CheckedReadOptions {
  const pageSize = options.pageSize ?? DEFAULT_OFFLINE_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_OFFLINE_PAGE_SIZE) {
    throw new OfflineStoreError(OFFLINE_INVALID_OPTIONS, OFFLINE_ERRORS.pageSize(pageSize));
  }
  const since = options.since;
  const until = options.until;
  const badSince = since !== null && !isValidDate(since);
  const badUntil = until !== undefined && (!isValidDate(until) || (since !== null && until.getTime() <= since.getTime()));
  if (badSince || badUntil) throw new OfflineStoreError(OFFLINE_INVALID_OPTIONS, OFFLINE_ERRORS.window(since, until));
  const shard = options.shard ?? null;
  if (shard !== null && !validShard(shard)) throw new OfflineStoreError(OFFLINE_INVALID_OPTIONS, OFFLINE_ERRORS.shard(shard));
  const unreadable = options.unreadable ?? 'fail';
  if (unreadable !== 'fail' && unreadable !== 'yield') throw new OfflineStoreError(OFFLINE_INVALID_OPTIONS, OFFLINE_ERRORS.unreadableOption(unreadable));
  return {
    sinceMs: since === null ? null : since.getTime(),
    untilMs: until === undefined ? null : until.getTime(),
    pageSize,
    shard: shard === null || shard.count === 1 ? null : { index: shard.index, count: shard.count },
    unreadable,
  };
}

function validShard(shard: unknown): shard is OfflineShard {
  if (typeof shard !== 'object' || shard === null) return false;
  const { index, count } = shard as { readonly index?: unknown; readonly count?: unknown };
  return Number.isInteger(count) && Number.isInteger(index) && (count as number) >= 1 && (count as number) <= MAX_OFFLINE_SHARDS && (index as number) >= 0 && (index as number) < (count as number);
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/** A column of the stored table: its name as stored and its kind. */
export interface StoredColumn {
  readonly name: string;
  readonly kind: SourceKind;
}

/** The stored columns read, in the table's field order, then fs_updated_at. */
export interface ReadColumns {
  readonly fields: readonly StoredColumn[];
  readonly updatedAt: StoredColumn;
}

/** Matches the feature's columns to the stored ones (`stored`: every column of the table). */
export function matchColumns(store: string, table: OfflineTable, stored: readonly StoredColumn[]): ReadColumns {
  const byName = new Map(stored.map((c) => [c.name.toLowerCase(), c]));
  const find = (name: string): StoredColumn => {
    const column = byName.get(name.toLowerCase());
    if (!column) throw new OfflineStoreError(OFFLINE_SCHEMA_MISMATCH, OFFLINE_ERRORS.missingColumn(store, table.tableName, name));
    return column;
  };
  const updatedAt = find(OFFLINE_UPDATED_AT);
  if (updatedAt.kind.list || updatedAt.kind.scalar !== 'timestamp') {
    throw new OfflineStoreError(OFFLINE_SCHEMA_MISMATCH, OFFLINE_ERRORS.updatedAtType(store, table.tableName, updatedAt.kind.sqlType));
  }
  return { fields: table.columns.map((c) => find(c.name)), updatedAt };
}

/** How a backend spells the parts of the read's SELECT. */
export interface ReadDialect {
  ident(name: string): string;
  readonly tablePath: string;
  /** A time bound comparable with the fs_updated_at column (a literal, or a parameter it registers). */
  time(ms: number): string;
  /** A boolean SQL expression: the key columns (quoted) hash to shard.index modulo shard.count. */
  shard(keys: readonly string[], shard: OfflineShard): string;
}

export function selectSql(table: OfflineTable, columns: ReadColumns, options: CheckedReadOptions, dialect: ReadDialect): string {
  const { where, order } = readClauses(table, columns, options, dialect);
  return (
    `SELECT ${[...columns.fields.map((c) => dialect.ident(c.name)), dialect.ident(columns.updatedAt.name)].join(', ')} FROM ${dialect.tablePath}` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY ${order.join(', ')}`
  );
}

/** The number of rows the same read would return (unreadable ones included): progress with an ETA. */
export function countSql(table: OfflineTable, columns: ReadColumns, options: CheckedReadOptions, dialect: ReadDialect): string {
  const { where } = readClauses(table, columns, options, dialect);
  return `SELECT count(*) FROM ${dialect.tablePath}` + (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '');
}

function readClauses(table: OfflineTable, columns: ReadColumns, options: CheckedReadOptions, dialect: ReadDialect): { where: string[]; order: string[] } {
  const updatedAt = dialect.ident(columns.updatedAt.name);
  const where: string[] = [];
  if (options.sinceMs !== null) where.push(`${updatedAt} >= ${dialect.time(options.sinceMs)}`);
  if (options.untilMs !== null) {
    const before = `${updatedAt} < ${dialect.time(options.untilMs)}`;
    where.push(options.sinceMs === null ? `(${updatedAt} IS NULL OR ${before})` : before);
  }
  const byName = new Map(table.columns.map((c, i) => [c.name, columns.fields[i] as StoredColumn]));
  const stored = (name: string) => dialect.ident((byName.get(name) as StoredColumn).name);
  if (options.shard !== null) where.push(dialect.shard(table.keyColumns.map(stored), options.shard));
  const order = [`${updatedAt} ASC NULLS FIRST`, ...table.keyColumns.map(stored), ...(table.eventTimeColumn ? [stored(table.eventTimeColumn)] : [])];
  return { where, order };
}

/**
 * A driver's cell as the plain form of a kind (see offline-cells.ts); throws UnreadableCell when the
 * driver hands over something else. Lists come back as arrays of element cells (null elements kept).
 */
export type CellReader = (kind: SourceScalarKind, sqlType: string, cell: unknown) => SourceScalar;
export type ListReader = (cell: unknown) => readonly unknown[] | null;

export interface DriverCells {
  readonly scalar: CellReader;
  /** A list cell's elements, or null for a NULL list. */
  readonly list: ListReader;
}

/** Decodes stored rows (cells in ReadColumns order) of one table. */
export class RowDecoder<V extends OfflineValues> {
  private readonly required: readonly (string | null)[];

  constructor(
    private readonly table: OfflineTable<V>,
    private readonly columns: ReadColumns,
    private readonly cells: DriverCells,
  ) {
    const keys = new Set(table.keyColumns);
    this.required = table.columns.map((c) => (keys.has(c.name) ? CELL_PROBLEMS.nullKey : c.name === table.eventTimeColumn || c.required ? CELL_PROBLEMS.nullEventTime : null));
  }

  decode(row: readonly unknown[]): OfflineReadItem<V> {
    const values: Record<string, OfflineValue> = {};
    const { fields } = this.columns;
    for (let i = 0; i < fields.length; i++) {
      const column = this.table.columns[i] as OfflineTable['columns'][number];
      try {
        const value = this.value(column.type, (fields[i] as StoredColumn).kind, row[i] ?? null);
        const nullReason = this.required[i];
        if (value === null && nullReason !== null && nullReason !== undefined) throw new UnreadableCell(nullReason);
        values[column.name] = value;
      } catch (e) {
        return this.unreadable(row, column.name, e);
      }
    }
    let updatedAt: Date;
    try {
      updatedAt = this.time(row[fields.length] ?? null);
    } catch (e) {
      return this.unreadable(row, OFFLINE_UPDATED_AT, e);
    }
    // The columns were matched to the table's own description: this is the row type it names.
    return { values: values as V, updatedAt };
  }

  /**
   * Row `r` of a column-major chunk (`columns[i][r]` is the cell of column i, in ReadColumns order):
   * the same result as decode() of that row, without a row array per row (the DuckDB adapter hands
   * over column vectors). The row array is built only for an unreadable row, to show it raw.
   */
  decodeAt(columns: readonly (ArrayLike<unknown>)[], r: number): OfflineReadItem<V> {
    const values: Record<string, OfflineValue> = {};
    const { fields } = this.columns;
    const tableColumns = this.table.columns;
    for (let i = 0; i < fields.length; i++) {
      const column = tableColumns[i] as OfflineTable['columns'][number];
      try {
        const value = this.value(column.type, (fields[i] as StoredColumn).kind, (columns[i] as ArrayLike<unknown>)[r] ?? null);
        const nullReason = this.required[i];
        if (value === null && nullReason !== null && nullReason !== undefined) throw new UnreadableCell(nullReason);
        values[column.name] = value;
      } catch (e) {
        return this.unreadable(rowOf(columns, r), column.name, e);
      }
    }
    let updatedAt: Date;
    try {
      updatedAt = this.time((columns[fields.length] as ArrayLike<unknown>)[r] ?? null);
    } catch (e) {
      return this.unreadable(rowOf(columns, r), OFFLINE_UPDATED_AT, e);
    }
    return { values: values as V, updatedAt };
  }

  private value(type: OfflineTable['columns'][number]['type'], kind: SourceKind, cell: unknown): OfflineValue {
    if (type.kind === 'list') {
      if (!kind.list) {
        if (cell === null) return [];
        throw new UnreadableCell(CELL_PROBLEMS.notAList(kind.sqlType));
      }
      const items = this.cells.list(cell);
      if (items === null) return [];
      return items.map((item): OfflineScalar => {
        if (item === null || item === undefined) throw new UnreadableCell(CELL_PROBLEMS.nullElement);
        return convertScalar(type.element, kind.element, kind.sqlType, this.cells.scalar(kind.element, kind.sqlType, item));
      });
    }
    if (cell === null) return null;
    if (kind.list) throw new UnreadableCell(CELL_PROBLEMS.aList(kind.sqlType));
    return convertScalar(type.scalar, kind.scalar, kind.sqlType, this.cells.scalar(kind.scalar, kind.sqlType, cell));
  }

  private time(cell: unknown): Date {
    if (cell === null) throw new UnreadableCell(CELL_PROBLEMS.nullUpdatedAt);
    return timeFromMicros(this.cells.scalar('timestamp', this.columns.updatedAt.kind.sqlType, cell) as bigint);
  }

  private unreadable(row: readonly unknown[], column: string, e: unknown): UnreadableOfflineRow {
    if (!(e instanceof UnreadableCell)) throw e;
    const raw: Record<string, unknown> = {};
    const all = [...this.columns.fields, this.columns.updatedAt];
    all.forEach((stored, i) => {
      raw[i < this.table.columns.length ? (this.table.columns[i] as { readonly name: string }).name : OFFLINE_UPDATED_AT] = this.raw(stored.kind, row[i] ?? null);
    });
    let updatedAt: Date | null = null;
    try {
      updatedAt = this.time(row[this.columns.fields.length] ?? null);
    } catch {
      updatedAt = null;
    }
    return { kind: 'unreadable', raw, column, reason: e.message, updatedAt };
  }

  private raw(kind: SourceKind, cell: unknown): unknown {
    if (cell === null) return null;
    const one = (scalar: SourceScalarKind, item: unknown): unknown => {
      if (item === null || item === undefined) return null;
      try {
        return rawScalar(scalar, this.cells.scalar(scalar, kind.sqlType, item));
      } catch {
        return rawScalar('other', item);
      }
    };
    if (!kind.list) return one(kind.scalar, cell);
    try {
      return (this.cells.list(cell) ?? []).map((item) => one(kind.element, item));
    } catch {
      return rawScalar('other', cell);
    }
  }
}

function rowOf(columns: readonly (ArrayLike<unknown>)[], r: number): unknown[] {
  return columns.map((c) => c[r] ?? null);
}

/** `decoded` as the read's mode wants it: the row, or OFFLINE_UNREADABLE_ROW when unreadable rows fail the read. */
export function admit<V extends OfflineValues>(table: OfflineTable<V>, mode: 'fail' | 'yield', decoded: OfflineReadItem<V>): OfflineReadItem<V> {
  if (mode === 'fail' && (decoded as { readonly kind?: unknown }).kind === 'unreadable') {
    const u = decoded as UnreadableOfflineRow;
    throw new OfflineStoreError(OFFLINE_UNREADABLE_ROW, OFFLINE_ERRORS.unreadableRow(table.tableName, u.column, u.reason));
  }
  return decoded;
}

/** The open/closed state both adapters keep: calls after close() fail with OFFLINE_STORE_CLOSED. */
export class StoreState {
  closed = false;
  constructor(private readonly store: string) {}

  assertOpen(): void {
    if (this.closed) throw this.closedError();
  }

  closedError(cause?: unknown): OfflineStoreError {
    return new OfflineStoreError(OFFLINE_STORE_CLOSED, OFFLINE_ERRORS.closed(this.store), cause === undefined ? undefined : { cause });
  }
}

/** Every read of both adapters is typed through this: pages of rows, or of rows and unreadable rows. */
export type ReadPages<V extends OfflineValues> = AsyncIterable<readonly OfflineReadItem<V>[]>;
export type RowPages<V extends OfflineValues> = AsyncIterable<readonly OfflineRow<V>[]>;
