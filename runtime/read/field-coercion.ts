/**
 * Name-based inputs (JSON bodies, sync jobs) → the exact values the store and Avro take. Lenient in
 * form, strict in meaning: a Long may arrive as a bigint, a decimal string or a safe integer, but never
 * as a number that may already have been rounded; every problem names the field.
 */
import { LONG_MAX, LONG_MIN } from '../../core/serde/long-type.ts';
import { MAX_DATE_MILLIS } from '../../core/serde/timestamp-type.ts';

export const INPUT_ERRORS = {
  required: 'required (the feature defines no default for it)',
  notNullable: 'must not be null (the field is not nullable)',
  unknownField: (expected: readonly string[]) => `unknown field (expected ${expected.join(', ')})`,
  notAnObject: (what: string, expected: readonly string[]) => `${what} must be an object with the fields ${expected.join(', ')}`,
  expected: (type: string, value: unknown) => `expected ${type}, got ${describe(value)}`,
  unsafeLong: (value: number) =>
    `${value} is beyond Number.MAX_SAFE_INTEGER, so it may already have been rounded: send the Long as a decimal string (or a bigint)`,
  longRange: (value: bigint) => `${value} is outside the signed 64-bit range of a Long`,
  intRange: (value: number | bigint) => `${value} is outside the 32-bit range of an Int`,
  dateRange: (value: unknown) => `${describe(value)} is not a valid timestamp (a Date, an ISO-8601 string or epoch milliseconds)`,
  base64: 'expected bytes: a Uint8Array or a base64 string',
} as const;

/** Thrown by the coercers; the caller adds the feature and the field path. */
export class FieldProblem extends Error {
  constructor(
    message: string,
    readonly path: string = '',
  ) {
    super(message);
  }
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const DECIMAL = /^-?\d+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `type` is a field type label: a scalar name or `List<T>`. */
export function coerceField(type: string, nullable: boolean, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (nullable && value === null) return null;
    throw new FieldProblem(value === null ? INPUT_ERRORS.notNullable : INPUT_ERRORS.required);
  }
  if (type.startsWith('List<')) {
    const element = type.slice(5, -1);
    if (!Array.isArray(value)) throw new FieldProblem(INPUT_ERRORS.expected(`a list of ${element}`, value));
    return value.map((item: unknown, i) => {
      try {
        if (item === null || item === undefined) throw new FieldProblem(INPUT_ERRORS.notNullable);
        return coerceScalar(element, item);
      } catch (e) {
        throw new FieldProblem((e as Error).message, `[${i}]`);
      }
    });
  }
  return coerceScalar(type, value);
}

export function coerceScalar(type: string, value: unknown): unknown {
  switch (type) {
    case 'Text':
      if (typeof value === 'string') return value;
      break;
    case 'Long':
      return coerceLong(value);
    case 'Int':
      return coerceInt(value);
    case 'Double':
    case 'Float':
      if (typeof value === 'number') return value;
      break;
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'Timestamp':
      return coerceTimestamp(value);
    case 'Bytes':
      return coerceBytes(value);
  }
  throw new FieldProblem(INPUT_ERRORS.expected(article(type), value));
}

function coerceLong(value: unknown): bigint {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'string' && DECIMAL.test(value)) n = BigInt(value);
  else if (typeof value === 'number' && Number.isInteger(value)) {
    if (!Number.isSafeInteger(value)) throw new FieldProblem(INPUT_ERRORS.unsafeLong(value));
    n = BigInt(value);
  } else throw new FieldProblem(INPUT_ERRORS.expected('a Long (bigint, decimal string or safe integer)', value));
  if (n < LONG_MIN || n > LONG_MAX) throw new FieldProblem(INPUT_ERRORS.longRange(n));
  return n;
}

function coerceInt(value: unknown): number {
  let n: number;
  if (typeof value === 'number' && Number.isInteger(value)) n = value;
  else if (typeof value === 'bigint' || (typeof value === 'string' && DECIMAL.test(value))) {
    const big = BigInt(value);
    if (big < BigInt(INT_MIN) || big > BigInt(INT_MAX)) throw new FieldProblem(INPUT_ERRORS.intRange(big));
    n = Number(big);
  } else throw new FieldProblem(INPUT_ERRORS.expected('an Int (a 32-bit integer)', value));
  if (n < INT_MIN || n > INT_MAX) throw new FieldProblem(INPUT_ERRORS.intRange(n));
  return n;
}

function coerceTimestamp(value: unknown): Date {
  let millis: number;
  if (value instanceof Date) millis = value.getTime();
  else if (typeof value === 'number') millis = Number.isSafeInteger(value) ? value : Number.NaN;
  else if (typeof value === 'string' && DECIMAL.test(value)) millis = Number(value);
  // ISO 8601 with a date part; Date.parse alone also takes loose forms like "1" or "May 1".
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) millis = Date.parse(value);
  else throw new FieldProblem(INPUT_ERRORS.dateRange(value));
  if (!Number.isInteger(millis) || Math.abs(millis) > MAX_DATE_MILLIS) throw new FieldProblem(INPUT_ERRORS.dateRange(value));
  return new Date(millis);
}

function coerceBytes(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string' && BASE64.test(value)) return Buffer.from(value, 'base64');
  throw new FieldProblem(INPUT_ERRORS.base64);
}

function article(type: string): string {
  return `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** A value as error messages show it: strings quoted and shortened, bigints with `n`, objects by kind. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'an invalid Date';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
