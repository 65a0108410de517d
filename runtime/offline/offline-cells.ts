/**
 * Stored cells → the feature's typed values, by the column type the table actually has, with one set
 * of rules for every adapter. Offline tables are not always the generated DDL: a user's transform SQL
 * may `CREATE OR REPLACE TABLE … AS SELECT` and leave a STRING, FLOAT64 or NUMERIC column where the
 * feature says Long. Each adapter names the kind of each column (SourceKind) and turns its driver's
 * value into the kind's plain form (text → string, int → bigint, float → number, decimal → its decimal
 * text, timestamp → integer µs since the epoch, bytes → Uint8Array); this file decides what converts.
 *
 * The rule: a conversion is taken when it is exact, refused (UnreadableCell, with a reason naming the
 * value) when it would guess or round. So an integer kind of any width feeds Long and Int within their
 * ranges; a decimal or text numeral feeds them when it is an integer within range ('12' → 12n, '1.0' →
 * 1n, '1.5' never); a float feeds them only when integral and within ±2^53 (beyond, the float may
 * already be rounded). Double/Float take floats, integers within ±2^53 and decimal numerals (the
 * nearest double, as JSON.parse reads them). Timestamp takes timestamps and ISO-8601 text (no zone is
 * UTC, as BigQuery's CAST does), never bare numbers (seconds? ms? µs?). Text takes only text, Bytes only
 * bytes, Boolean booleans and the text 'true'/'false'. Every Timestamp must lie in 0001..9999 (BigQuery's
 * range; DuckDB's is wider).
 */
import { LONG_MAX, LONG_MIN } from '../../core/serde/long-type.ts';
import type { OfflineScalar, OfflineScalarType } from './offline-store.ts';

export type SourceScalarKind = 'text' | 'int' | 'float' | 'decimal' | 'bool' | 'timestamp' | 'bytes' | 'other';

/** A column as the table has it: its kind and its SQL type (named in reasons about unsupported types). */
export type SourceKind =
  | { readonly list: false; readonly scalar: SourceScalarKind; readonly sqlType: string }
  | { readonly list: true; readonly element: SourceScalarKind; readonly sqlType: string };

/** The plain form of one cell of a kind (see the header); `other` keeps the driver's value. */
export type SourceScalar = string | bigint | number | boolean | Uint8Array | unknown;

/** BigQuery's TIMESTAMP range (0001-01-01 .. 9999-12-31 UTC), applied to DuckDB too so tables stay portable. */
export const MIN_OFFLINE_TIME_MS = -62_135_596_800_000;
export const MAX_OFFLINE_TIME_MS = 253_402_300_799_999;
export const INT_MIN = -(2 ** 31);
export const INT_MAX = 2 ** 31 - 1;
const SAFE = 2n ** 53n;

export const CELL_PROBLEMS = {
  wrongType: (type: OfflineScalarType, shown: string) => `expected ${article(type)}, got ${shown}`,
  unsupported: (sqlType: string, type: OfflineScalarType) => `a ${sqlType} column cannot hold ${article(type)}`,
  notInteger: (type: OfflineScalarType, shown: string) => `${shown} is not an integer, so it cannot be ${article(type)}`,
  intRange: (shown: string) => `${shown} is outside the 32-bit range of Int`,
  longRange: (shown: string) => `${shown} is beyond the signed 64-bit range of a Long`,
  roundedFloat: (type: OfflineScalarType, shown: string) => `${shown} is beyond 2^53: a float that large may be rounded already, so it is no exact ${type}`,
  inexactDouble: (type: OfflineScalarType, shown: string) => `${shown} is beyond 2^53 and has no exact ${type}`,
  doubleRange: (type: OfflineScalarType, shown: string) => `${shown} is beyond the range of ${article(type)}`,
  malformedTime: (text: string) => `${JSON.stringify(clip(text))} is not a valid timestamp (ISO 8601: YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][Z|±HH:MM])`,
  timeRange: (shown: string) => `${shown} is outside the TIMESTAMP range 0001-01-01..9999-12-31`,
  nullKey: 'NULL in a key column',
  nullEventTime: 'NULL in the event-time column',
  nullUpdatedAt: 'NULL fs_updated_at (the row has no update time)',
  nullElement: 'a list element is NULL (offline lists hold no NULLs)',
  notAList: (sqlType: string) => `a ${sqlType} column cannot hold a list`,
  aList: (sqlType: string) => `a ${sqlType} column (a list) cannot hold a single value`,
} as const;

/** A stored value that cannot be a value of the column's type; the adapter adds table and column. */
export class UnreadableCell extends Error {}

const DECIMAL_INTEGER = /^[+-]?\d+(?:\.0*)?$/;
const NUMERAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const FLOAT_WORDS: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '+Inf': Infinity, '-Infinity': -Infinity, '-Inf': -Infinity };

/** One plain cell of `kind` as a value of the feature's scalar type. */
export function convertScalar(type: OfflineScalarType, kind: SourceScalarKind, sqlType: string, value: SourceScalar): OfflineScalar {
  if (kind === 'other') throw new UnreadableCell(CELL_PROBLEMS.unsupported(sqlType, type));
  switch (type) {
    case 'Text':
      if (kind === 'text') return value as string;
      break;
    case 'Long':
    case 'Int': {
      const n = integerOf(type, kind, value);
      if (n === null) break;
      if (type === 'Long') {
        if (n < LONG_MIN || n > LONG_MAX) throw new UnreadableCell(CELL_PROBLEMS.longRange(shown(kind, value)));
        return n;
      }
      if (n < BigInt(INT_MIN) || n > BigInt(INT_MAX)) throw new UnreadableCell(CELL_PROBLEMS.intRange(shown(kind, value)));
      return Number(n);
    }
    case 'Double':
    case 'Float':
      if (kind === 'float') return value as number;
      if (kind === 'int') {
        const n = value as bigint;
        if (n > SAFE || n < -SAFE) throw new UnreadableCell(CELL_PROBLEMS.inexactDouble(type, shown(kind, value)));
        return Number(n);
      }
      if (kind === 'decimal' || kind === 'text') {
        const text = value as string;
        const word = kind === 'text' ? FLOAT_WORDS[text] : undefined;
        if (word !== undefined) return word;
        if (!NUMERAL.test(text)) break;
        const n = Number(text);
        if (!Number.isFinite(n)) throw new UnreadableCell(CELL_PROBLEMS.doubleRange(type, shown(kind, value)));
        return n;
      }
      break;
    case 'Boolean':
      if (kind === 'bool') return value as boolean;
      if (kind === 'text' && (value === 'true' || value === 'false')) return value === 'true';
      break;
    case 'Timestamp':
      if (kind === 'timestamp') return timeFromMicros(value as bigint);
      if (kind === 'text') return timeFromText(value as string);
      break;
    case 'Bytes':
      if (kind === 'bytes') return value as Uint8Array;
      break;
  }
  throw new UnreadableCell(CELL_PROBLEMS.wrongType(type, shown(kind, value)));
}

/** An integer kind's value, or an exact integer in a decimal, text or float; null for another kind. */
function integerOf(type: OfflineScalarType, kind: SourceScalarKind, value: SourceScalar): bigint | null {
  switch (kind) {
    case 'int':
      return value as bigint;
    case 'decimal':
    case 'text': {
      const text = value as string;
      if (DECIMAL_INTEGER.test(text)) return BigInt(text.replace(/\.0*$/, '').replace(/^\+/, ''));
      if (NUMERAL.test(text)) throw new UnreadableCell(CELL_PROBLEMS.notInteger(type, shown(kind, value)));
      return null;
    }
    case 'float': {
      const n = value as number;
      if (!Number.isInteger(n)) throw new UnreadableCell(CELL_PROBLEMS.notInteger(type, shown(kind, value)));
      if (!Number.isSafeInteger(n)) throw new UnreadableCell(CELL_PROBLEMS.roundedFloat(type, shown(kind, value)));
      return BigInt(n);
    }
    default:
      return null;
  }
}

/** Integer µs → a Date in 0001..9999, rounding toward the past (-1 µs is -1 ms, not 0). */
export function timeFromMicros(micros: bigint): Date {
  // Most times (1685..2255) fit a double exactly: integer arithmetic on numbers, no bigint division.
  if (micros >= -SAFE && micros <= SAFE) {
    const n = Number(micros);
    const below = ((n % 1000) + 1000) % 1000;
    const ms = (n - below) / 1000;
    if (ms < MIN_OFFLINE_TIME_MS || ms > MAX_OFFLINE_TIME_MS) throw new UnreadableCell(CELL_PROBLEMS.timeRange(timeText(micros)));
    return new Date(ms);
  }
  const rest = ((micros % 1000n) + 1000n) % 1000n;
  const ms = (micros - rest) / 1000n;
  if (ms < BigInt(MIN_OFFLINE_TIME_MS) || ms > BigInt(MAX_OFFLINE_TIME_MS)) throw new UnreadableCell(CELL_PROBLEMS.timeRange(timeText(micros)));
  return new Date(Number(ms));
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(?: ?(Z|UTC|[+-]\d{2}(?::?\d{2})?))?$/i;
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Strict ISO-8601 text (a real calendar date and clock time) → integer µs since the epoch, UTC unless zoned. */
export function microsFromText(text: string): bigint {
  const m = ISO.exec(text);
  if (!m) throw new UnreadableCell(CELL_PROBLEMS.malformedTime(text));
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = month === 2 && !leap ? 28 : (MONTH_DAYS[month - 1] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) throw new UnreadableCell(CELL_PROBLEMS.malformedTime(text));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  let micros = BigInt(date.getTime()) * 1000n + BigInt((m[7] ?? '').padEnd(6, '0').slice(0, 6) || '0');
  const zone = m[8];
  if (zone !== undefined && !/^(Z|UTC)$/i.test(zone)) {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone) as RegExpExecArray;
    const offset = Number(z[2]) * 60 + Number(z[3] ?? '0');
    if (Number(z[2]) > 23 || Number(z[3] ?? '0') > 59) throw new UnreadableCell(CELL_PROBLEMS.malformedTime(text));
    micros -= BigInt((z[1] === '-' ? -1 : 1) * offset) * 60_000_000n;
  }
  return micros;
}

export function timeFromText(text: string): Date {
  return timeFromMicros(microsFromText(text));
}

/** A plain cell as JSON-safe data: bigint → decimal text, bytes → base64, times → ISO text, NaN/±Infinity → text. */
export function rawScalar(kind: SourceScalarKind, value: SourceScalar): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'int':
      return String(value);
    case 'float':
      return Number.isFinite(value) ? value : String(value);
    case 'timestamp':
      return typeof value === 'bigint' ? timeText(value) : String(value);
    case 'bytes':
      return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') : String(value);
    case 'text':
    case 'decimal':
    case 'bool':
      return value;
    case 'other':
      return jsonSafe(value);
  }
}

function jsonSafe(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  return String(value);
}

/** µs → ISO text (µs precision) where a Date can show it, else the µs count. */
export function timeText(micros: bigint): string {
  const rest = ((micros % 1000n) + 1000n) % 1000n;
  const ms = (micros - rest) / 1000n;
  if (ms > 8_640_000_000_000_000n || ms < -8_640_000_000_000_000n) return `${micros} µs since 1970`;
  const iso = new Date(Number(ms)).toISOString();
  return rest === 0n ? iso : `${iso.slice(0, -1)}${String(rest).padStart(3, '0')}Z`;
}

/** A cell as reasons show it: its kind and value (text quoted and shortened). */
export function shown(kind: SourceScalarKind, value: SourceScalar): string {
  switch (kind) {
    case 'text':
      return `text ${JSON.stringify(clip(value as string))}`;
    case 'int':
      return `integer ${String(value)}`;
    case 'float':
      return `float ${String(value)}`;
    case 'decimal':
      return `decimal ${String(value)}`;
    case 'bool':
      return `boolean ${String(value)}`;
    case 'timestamp':
      return `timestamp ${typeof value === 'bigint' ? timeText(value) : String(value)}`;
    case 'bytes':
      return `${(value as Uint8Array).length} bytes`;
    case 'other':
      return String(jsonSafe(value));
  }
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function article(type: string): string {
  return `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}`;
}
