/**
 * Typed offline values → DuckDB parameters, and DuckDB's values → the plain cells offline-cells.ts
 * converts, exactly: Long stays a bigint both ways, Timestamp goes through integer microseconds (never
 * a float of seconds), Bytes and lists are copied out of DuckDB's chunk memory so a page outlives the
 * chunk it came from. Which stored type converts to which feature type is offline-cells.ts's rule,
 * the same as BigQuery's.
 */
import type { DuckDBDataChunk, DuckDBType, DuckDBValue, DuckDBVector } from '@duckdb/node-api';
import { CELL_PROBLEMS, UnreadableCell, type SourceKind, type SourceScalarKind } from '../offline-cells.ts';
import type { DriverCells } from '../offline-read.ts';
import type { OfflineFieldType, OfflineScalar, OfflineScalarType, OfflineValue } from '../offline-store.ts';

export type DuckDbDriver = typeof import('@duckdb/node-api');

export const DUCKDB_VALUE_PROBLEMS = {
  unexpected: (sqlType: string, value: unknown) => `the driver gave ${typeof value === 'object' ? (value?.constructor?.name ?? 'null') : typeof value} for a ${sqlType} column`,
} as const;

export function duckdbTypeOf(driver: DuckDbDriver, type: OfflineFieldType): DuckDBType {
  return type.kind === 'scalar' ? scalarType(driver, type.scalar) : driver.LIST(scalarType(driver, type.element));
}

function scalarType(driver: DuckDbDriver, type: OfflineScalarType): DuckDBType {
  switch (type) {
    case 'Text':
      return driver.VARCHAR;
    case 'Long':
    case 'Int':
      return driver.BIGINT;
    case 'Double':
    case 'Float':
      return driver.DOUBLE;
    case 'Boolean':
      return driver.BOOLEAN;
    case 'Timestamp':
      return driver.TIMESTAMPTZ;
    case 'Bytes':
      return driver.BLOB;
  }
}

/** A checked value (see offline-row-check.ts) as a DuckDB parameter. */
export function toDuckDb(driver: DuckDbDriver, type: OfflineFieldType, value: OfflineValue): DuckDBValue {
  if (value === null) return null;
  if (type.kind === 'list') return driver.listValue((value as readonly OfflineScalar[]).map((v) => scalarToDuckDb(driver, type.element, v)));
  return scalarToDuckDb(driver, type.scalar, value as OfflineScalar);
}

function scalarToDuckDb(driver: DuckDbDriver, type: OfflineScalarType, value: OfflineScalar): DuckDBValue {
  switch (type) {
    case 'Int':
      return BigInt(value as number);
    case 'Timestamp':
      return timeToDuckDb(driver, value as Date);
    case 'Bytes':
      return driver.blobValue(value as Uint8Array);
    default:
      return value as string | bigint | number | boolean;
  }
}

export function timeToDuckDb(driver: DuckDbDriver, value: Date): DuckDBValue {
  return driver.timestampTZValue(BigInt(value.getTime()) * 1000n);
}

/** A column's kind by its `information_schema.columns.data_type` (see offline-cells.ts). */
export function duckdbKind(dataType: string): SourceKind {
  const list = /^(.*)\[\d*\]$/.exec(dataType);
  if (list) return { list: true, element: scalarKind(list[1] as string), sqlType: dataType };
  return { list: false, scalar: scalarKind(dataType), sqlType: dataType };
}

function scalarKind(dataType: string): SourceScalarKind {
  const type = dataType.toUpperCase();
  if (type === 'VARCHAR' || type.startsWith('VARCHAR(')) return 'text';
  if (/^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/.test(type)) return 'int';
  if (type === 'DOUBLE' || type === 'FLOAT') return 'float';
  if (type.startsWith('DECIMAL')) return 'decimal';
  if (type === 'BOOLEAN') return 'bool';
  if (/^(TIMESTAMP( WITH TIME ZONE|_S|_MS|_NS)?|DATE)$/.test(type)) return 'timestamp';
  if (type === 'BLOB') return 'bytes';
  return 'other';
}

/**
 * DuckDB's values as the plain forms of offline-cells.ts. Timestamps of every precision become µs
 * (a naive TIMESTAMP, or a DATE at midnight, taken as UTC); Bytes and lists are copied out of the
 * chunk's memory so a page outlives it.
 */
export const DUCKDB_CELLS: DriverCells = {
  scalar(kind, sqlType, value) {
    switch (kind) {
      case 'text':
        if (typeof value === 'string') return value;
        break;
      case 'int':
        if (typeof value === 'bigint') return value;
        if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
        break;
      case 'float':
        if (typeof value === 'number') return value;
        break;
      case 'decimal': {
        const d = value as { readonly value?: unknown; readonly scale?: unknown };
        if (typeof d.value === 'bigint' && typeof d.scale === 'number') return decimalText(d.value, d.scale);
        break;
      }
      case 'bool':
        if (typeof value === 'boolean') return value;
        break;
      case 'timestamp': {
        const micros = microsOf(value);
        if (micros !== null) return micros;
        break;
      }
      case 'bytes': {
        const bytes = (value as { readonly bytes?: unknown }).bytes;
        if (bytes instanceof Uint8Array) return new Uint8Array(bytes);
        break;
      }
      case 'other':
        return value;
    }
    throw new UnreadableCell(DUCKDB_VALUE_PROBLEMS.unexpected(sqlType, value));
  },
  list(value) {
    if (value === null) return null;
    const items = (value as { readonly items?: unknown }).items;
    if (!Array.isArray(items)) throw new UnreadableCell(CELL_PROBLEMS.notAList(typeof value));
    return items;
  },
};

/**
 * The cells of a chunk, column-major (`cells[c][r]`), as DUCKDB_CELLS reads them. Microsecond
 * timestamps (TIMESTAMP, TIMESTAMPTZ) come as their bigint µs straight from the vector's int64 items
 * instead of one value object per cell; that reads the vector's `items`/`validity` fields, which the
 * driver's typings keep private, so any other shape (another driver version) falls back to getItem().
 */
export function chunkColumns(chunk: DuckDBDataChunk): unknown[][] {
  const rows = chunk.rowCount;
  const columns: unknown[][] = [];
  for (let c = 0; c < chunk.columnCount; c++) {
    const vector = chunk.getColumnVector(c);
    const out = new Array<unknown>(rows);
    const micros = microsVector(vector, rows);
    if (micros) {
      const { items, validity } = micros;
      for (let r = 0; r < rows; r++) out[r] = validity.itemValid(r) ? (items[r] as bigint) : null;
    } else {
      for (let r = 0; r < rows; r++) out[r] = vector.getItem(r);
    }
    columns.push(out);
  }
  return columns;
}

const TIMESTAMP_TYPE_ID = 12;
const TIMESTAMP_TZ_TYPE_ID = 31;

function microsVector(vector: DuckDBVector, rows: number): { items: BigInt64Array; validity: { itemValid(i: number): boolean } } | null {
  const typeId = vector.type.typeId as number;
  if (typeId !== TIMESTAMP_TYPE_ID && typeId !== TIMESTAMP_TZ_TYPE_ID) return null;
  const inner = vector as unknown as { readonly items?: unknown; readonly validity?: { readonly itemValid?: unknown } };
  if (!(inner.items instanceof BigInt64Array) || inner.items.length !== rows || typeof inner.validity?.itemValid !== 'function') return null;
  return { items: inner.items, validity: inner.validity as { itemValid(i: number): boolean } };
}

// DuckDB's ±infinity timestamps are the extreme int64 values; their µs then fail the 0001..9999 check.
function microsOf(value: unknown): bigint | null {
  // chunkColumns hands µs timestamps over as their bigint.
  if (typeof value === 'bigint') return value;
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { readonly micros?: unknown; readonly millis?: unknown; readonly seconds?: unknown; readonly nanos?: unknown; readonly days?: unknown };
  if (typeof v.micros === 'bigint') return v.micros;
  if (typeof v.millis === 'bigint') return v.millis * 1000n;
  if (typeof v.seconds === 'bigint') return v.seconds * 1_000_000n;
  if (typeof v.nanos === 'bigint') return v.nanos / 1000n - (v.nanos % 1000n < 0n ? 1n : 0n);
  if (typeof v.days === 'number') return BigInt(v.days) * 86_400_000_000n;
  return null;
}

/** A DECIMAL's exact text: the scaled integer with its point put back, trailing zeros dropped. */
function decimalText(scaled: bigint, scale: number): string {
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(scale + 1, '0');
  const fraction = scale === 0 ? '' : digits.slice(-scale).replace(/0+$/, '');
  const whole = scale === 0 ? digits : digits.slice(0, -scale);
  // Canonical, as BigQuery prints NUMERIC: no trailing fractional zeros, no point without a fraction.
  const text = fraction === '' ? whole : `${whole}.${fraction}`;
  return negative ? `-${text}` : text;
}
