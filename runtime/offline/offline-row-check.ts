/**
 * Checks rows before an adapter writes them, once, the same way for every adapter: a row that BigQuery
 * would refuse halfway through a batch (or DuckDB would coerce, e.g. a Long into a DOUBLE) is refused
 * up front with the row's index, the column and what is wrong, and nothing of the batch is written.
 */
import { LONG_MAX, LONG_MIN } from '../../core/serde/long-type.ts';
import { INT_MAX, INT_MIN, MAX_OFFLINE_TIME_MS, MIN_OFFLINE_TIME_MS } from './offline-cells.ts';
import {
  OFFLINE_ERRORS,
  OFFLINE_INVALID_ROW,
  OfflineStoreError,
  type OfflineColumn,
  type OfflineRow,
  type OfflineScalarType,
  type OfflineTable,
  type OfflineValues,
} from './offline-store.ts';

export { MAX_OFFLINE_TIME_MS, MIN_OFFLINE_TIME_MS } from './offline-cells.ts';
export { checkReadOptions, MAX_OFFLINE_PAGE_SIZE, type CheckedReadOptions } from './offline-read.ts';
// String#isWellFormed is ES2024; the lib here is ES2022.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const ROW_PROBLEMS = {
  notARow: 'expected { values, updatedAt }',
  updatedAt: (value: unknown) => `updatedAt must be a valid Date within 0001-01-01..9999-12-31, got ${describe(value)}`,
  missing: (column: string) => `${column} is missing (give null for no value)`,
  unknownField: (field: string) => `${field} is not a field of this feature`,
  required: (column: string) => `${column} is a key or the event time and cannot be null`,
  nullList: (column: string) => `${column} is a list: give [] for no elements (BigQuery REPEATED columns have no NULL)`,
  notAList: (column: string, value: unknown) => `${column} must be an array, got ${describe(value)}`,
  element: (column: string, index: number, problem: string) => `${column}[${index}]: ${problem}`,
  scalar: (column: string, problem: string) => `${column}: ${problem}`,
} as const;

/** Throws OFFLINE_INVALID_ROW at the first problem. */
export function checkRows(table: OfflineTable, rows: readonly OfflineRow<OfflineValues>[]): void {
  const names = new Set(table.columns.map((c) => c.name));
  rows.forEach((row, index) => {
    const problem = rowProblem(table.columns, names, row);
    if (problem !== null) throw new OfflineStoreError(OFFLINE_INVALID_ROW, OFFLINE_ERRORS.invalidRow(table.tableName, index, problem));
  });
}

function rowProblem(columns: readonly OfflineColumn[], names: ReadonlySet<string>, row: OfflineRow<OfflineValues>): string | null {
  if (typeof row !== 'object' || row === null || typeof row.values !== 'object' || row.values === null) return ROW_PROBLEMS.notARow;
  if (!isTime(row.updatedAt)) return ROW_PROBLEMS.updatedAt(row.updatedAt);
  for (const field of Object.keys(row.values)) if (!names.has(field)) return ROW_PROBLEMS.unknownField(field);
  for (const column of columns) {
    if (!Object.hasOwn(row.values, column.name)) return ROW_PROBLEMS.missing(column.name);
    const value: unknown = row.values[column.name];
    if (column.type.kind === 'list') {
      if (value === null) return ROW_PROBLEMS.nullList(column.name);
      if (!Array.isArray(value)) return ROW_PROBLEMS.notAList(column.name, value);
      for (let i = 0; i < value.length; i++) {
        const problem = scalarProblem(column.type.element, value[i]);
        if (problem !== null) return ROW_PROBLEMS.element(column.name, i, problem);
      }
      continue;
    }
    if (value === null) {
      if (column.required) return ROW_PROBLEMS.required(column.name);
      continue;
    }
    const problem = scalarProblem(column.type.scalar, value);
    if (problem !== null) return ROW_PROBLEMS.scalar(column.name, problem);
  }
  return null;
}

function scalarProblem(type: OfflineScalarType, value: unknown): string | null {
  switch (type) {
    case 'Text':
      if (typeof value !== 'string') return expected('a string', value);
      // BigQuery STRING is UTF-8: a lone surrogate has no UTF-8 form.
      return LONE_SURROGATE.test(value) ? 'a string with a lone surrogate (not valid UTF-8)' : null;
    case 'Long':
      if (typeof value !== 'bigint') return expected('a bigint', value);
      return value >= LONG_MIN && value <= LONG_MAX ? null : `${value} is outside the signed 64-bit range`;
    case 'Int':
      if (typeof value !== 'number' || !Number.isInteger(value)) return expected('an integer number', value);
      return value >= INT_MIN && value <= INT_MAX ? null : `${value} is outside the 32-bit range of Int`;
    case 'Double':
    case 'Float':
      return typeof value === 'number' ? null : expected('a number', value);
    case 'Boolean':
      return typeof value === 'boolean' ? null : expected('a boolean', value);
    case 'Timestamp':
      return isTime(value) ? null : expected('a valid Date within 0001-01-01..9999-12-31', value);
    case 'Bytes':
      return value instanceof Uint8Array ? null : expected('a Uint8Array', value);
  }
}

function expected(what: string, value: unknown): string {
  return `expected ${what}, got ${describe(value)}`;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : `Date ${value.toISOString()}`;
  if (typeof value === 'bigint') return `bigint ${value}`;
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : (value.constructor?.name ?? 'an object');
  return `${typeof value} ${String(value)}`;
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

function isTime(value: unknown): value is Date {
  return isValidDate(value) && value.getTime() >= MIN_OFFLINE_TIME_MS && value.getTime() <= MAX_OFFLINE_TIME_MS;
}
