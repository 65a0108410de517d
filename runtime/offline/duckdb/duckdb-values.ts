/**
 * Typed offline values ↔ DuckDB values, exactly: Long stays a bigint both ways, Timestamp goes through
 * integer microseconds (never a float of seconds), Bytes and lists are copied out of DuckDB's chunk
 * memory so a page outlives the chunk it came from.
 */
import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import type { OfflineFieldType, OfflineScalar, OfflineScalarType, OfflineValue } from '../offline-store.ts';

export type DuckDbDriver = typeof import('@duckdb/node-api');

export const DUCKDB_VALUE_PROBLEMS = {
  nullElement: 'a list element is NULL (offline lists hold no NULLs)',
  unsafeInt: (value: bigint) => `${value} is beyond 2^53 and cannot be an Int`,
  infiniteTime: 'an infinite TIMESTAMP has no Date',
  nullRequired: 'NULL in a key or event-time column (a table made without the generated NOT NULL)',
  unexpected: (type: OfflineScalarType, value: unknown) => `expected a ${type} value, got ${typeof value === 'object' ? (value?.constructor?.name ?? 'null') : typeof value}`,
} as const;

/** A stored value that cannot be a value of the column's type; the adapter adds table and column. */
export class UnreadableValue extends Error {}

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

/** A DuckDB value as the column's type; lists read NULL as [] (the BigQuery rule). */
export function fromDuckDb(type: OfflineFieldType, value: DuckDBValue): OfflineValue {
  if (type.kind === 'list') {
    if (value === null) return [];
    const items = (value as { readonly items?: readonly DuckDBValue[] }).items;
    if (!Array.isArray(items)) throw new UnreadableValue(DUCKDB_VALUE_PROBLEMS.unexpected(type.element, value));
    return items.map((item: DuckDBValue) => {
      if (item === null) throw new UnreadableValue(DUCKDB_VALUE_PROBLEMS.nullElement);
      return scalarFromDuckDb(type.element, item);
    });
  }
  return value === null ? null : scalarFromDuckDb(type.scalar, value);
}

function scalarFromDuckDb(type: OfflineScalarType, value: NonNullable<DuckDBValue>): OfflineScalar {
  switch (type) {
    case 'Text':
      if (typeof value === 'string') return value;
      break;
    case 'Long':
      // A hand-made table may use INTEGER, which DuckDB hands back as a number.
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
      break;
    case 'Int':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'bigint') {
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new UnreadableValue(DUCKDB_VALUE_PROBLEMS.unsafeInt(value));
        return Number(value);
      }
      break;
    case 'Double':
    case 'Float':
      if (typeof value === 'number') return value;
      break;
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'Timestamp': {
      const micros = (value as { readonly micros?: unknown }).micros;
      if (typeof micros === 'bigint') return timeFromMicros(micros);
      break;
    }
    case 'Bytes': {
      const bytes = (value as { readonly bytes?: unknown }).bytes;
      if (bytes instanceof Uint8Array) return new Uint8Array(bytes);
      break;
    }
  }
  throw new UnreadableValue(DUCKDB_VALUE_PROBLEMS.unexpected(type, value));
}

// DuckDB's ±infinity timestamps are the extreme int64 values.
const INFINITE_MICROS = 2n ** 63n - 1n;

/** Microseconds → a Date, rounding toward the past (a pre-1970 -1 µs is -1 ms, not 0). */
export function timeFromMicros(micros: bigint): Date {
  if (micros >= INFINITE_MICROS || micros <= -INFINITE_MICROS) throw new UnreadableValue(DUCKDB_VALUE_PROBLEMS.infiniteTime);
  const rest = ((micros % 1000n) + 1000n) % 1000n;
  return new Date(Number((micros - rest) / 1000n));
}
