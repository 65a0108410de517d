/**
 * The JSON wire form of scalar feature types, both ways: request keys (JSON → runtime values) and the
 * fields of response values (runtime values → JSON text). Long travels as a decimal string because JSON
 * numbers are doubles in most clients; Timestamp as ISO-8601 UTC; Bytes as base64; non-finite floats as
 * the strings "NaN", "Infinity", "-Infinity" (the protobuf JSON convention), since JSON has no literal.
 */
import { parseTypeLabel, scalarOf, type KeyColumnType, type ScalarType } from '../../core/field-types.ts';
import { LONG_MAX, LONG_MIN } from '../../core/serde/index.ts';

/** A converted key field, or the reason it cannot be (a "must be …, got …" fragment without the value). */
export type ParsedScalar = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly expected: string };

export type ScalarParser = (raw: unknown) => ParsedScalar;

/**
 * Longest Text key accepted, in characters = Unicode code points (what a person counts, and what every
 * client library agrees on; UTF-16 units would make "😀" two characters and a JS client the only one
 * that counts right). Keys are ids, and a huge one only costs memory in every layer. 1024 code points
 * are at most 4096 UTF-8 bytes, far below what Cassandra, SQLite and Redis take in a key.
 */
export const MAX_TEXT_KEY_LENGTH = 1024;

/** At most MAX_TEXT_KEY_LENGTH code points. Lone surrogates are refused separately, so pairs are all there is. */
export function textKeyFits(text: string): boolean {
  // A code point is one or two UTF-16 units: short strings fit whatever they hold, long ones cannot.
  if (text.length <= MAX_TEXT_KEY_LENGTH) return true;
  if (text.length > 2 * MAX_TEXT_KEY_LENGTH) return false;
  let codePoints = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) i++; // the low half of the pair
    if (++codePoints > MAX_TEXT_KEY_LENGTH) return false;
  }
  return true;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
// A lone surrogate would be stored as U+FFFD (a different key); NUL cuts C strings in tooling.
const NUL_OR_LONE_SURROGATE = /[\0\p{Cs}]/u;
const DECIMAL = /^-?(0|[1-9]\d{0,18})$/;
// Strict ISO-8601 with a zone: a bare date or a zoneless time would be read in the server's zone.
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const fail = (expected: string): ParsedScalar => ({ ok: false, expected });
const ok = (value: unknown): ParsedScalar => ({ ok: true, value });

const EXPECTED: Record<KeyColumnType, string> = {
  Text: `a string (well-formed Unicode, no NUL, at most ${MAX_TEXT_KEY_LENGTH} characters)`,
  Long: 'a Long: a decimal string such as "9007199254740993" or a safe integer',
  Int: 'an Int: an integer from -2147483648 to 2147483647',
  Boolean: 'a boolean',
  Timestamp: 'a Timestamp: an ISO-8601 string with a time zone, e.g. "2024-05-01T12:00:00Z"',
};

export const KEY_PARSERS: Readonly<Record<KeyColumnType, ScalarParser>> = {
  Text: (raw) =>
    typeof raw === 'string' && textKeyFits(raw) && !NUL_OR_LONE_SURROGATE.test(raw)
      ? ok(raw)
      : fail(EXPECTED.Text),
  Long: (raw) => {
    const value = parseLong(raw);
    return value === null ? fail(EXPECTED.Long) : ok(value);
  },
  Int: (raw) =>
    typeof raw === 'number' && Number.isInteger(raw) && raw >= INT32_MIN && raw <= INT32_MAX ? ok(raw) : fail(EXPECTED.Int),
  Boolean: (raw) => (typeof raw === 'boolean' ? ok(raw) : fail(EXPECTED.Boolean)),
  Timestamp: (raw) => {
    const date = typeof raw === 'string' ? parseIsoTimestamp(raw) : null;
    return date === null ? fail(EXPECTED.Timestamp) : ok(date);
  },
};

/** A decimal string or a safe integer as a signed 64-bit bigint; null when it is neither or out of range. */
export function parseLong(raw: unknown): bigint | null {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? BigInt(raw) : null;
  if (typeof raw !== 'string' || !DECIMAL.test(raw)) return null;
  const value = BigInt(raw);
  return value >= LONG_MIN && value <= LONG_MAX ? value : null;
}

/** A strict ISO-8601 timestamp with a zone; rejects impossible dates (Feb 30, 24:00) that Date.parse rolls over. */
export function parseIsoTimestamp(text: string): Date | null {
  const m = ISO_TIMESTAMP.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number, number, number, number, number, number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return null;
  const millis = Date.parse(text);
  return Number.isNaN(millis) ? null : new Date(millis);
}

/** Writes one runtime value as JSON text. */
export type JsonWriter = (value: unknown) => string;

const writeFloat: JsonWriter = (v) => {
  const n = v as number;
  return Number.isFinite(n) ? String(n) : `"${String(n)}"`;
};

function bytesToBase64(v: unknown): string {
  const u = v as Uint8Array;
  return Buffer.isBuffer(u) ? u.toString('base64') : Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
}

// Characters JSON must escape, and surrogates (a lone one is escaped too): strings without any, the common
// case for ids and labels, are quoted directly, about a third cheaper than JSON.stringify.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

export const SCALAR_WRITERS: Readonly<Record<ScalarType, JsonWriter>> = {
  Text: (v) => {
    const s = v as string;
    return s.length < 256 && !NEEDS_ESCAPE.test(s) ? `"${s}"` : JSON.stringify(s);
  },
  // Any integer representation the runtime hands over prints exactly (bigint or number).
  Long: (v) => `"${String(v)}"`,
  Int: (v) => String(v),
  Double: writeFloat,
  Float: writeFloat,
  Boolean: (v) => (v ? 'true' : 'false'),
  Timestamp: (v) => `"${(v as Date).toISOString()}"`,
  Bytes: (v) => `"${bytesToBase64(v)}"`,
};

/** The writer of a field type (`Long`, `List<Text>`…), null-aware when the field is nullable. */
export function jsonWriterFor(type: string, nullable: boolean): JsonWriter {
  const parsed = parseTypeLabel(type);
  if (!parsed) throw new Error(`no JSON writer for field type ${type}`);
  const scalar = SCALAR_WRITERS[scalarOf(parsed)];
  const base: JsonWriter = parsed.kind === 'list'
    ? (v) => {
        const items = v as readonly unknown[];
        let out = '[';
        for (let i = 0; i < items.length; i++) out += (i ? ',' : '') + scalar(items[i]);
        return out + ']';
      }
    : scalar;
  // A decoded value always has every field; null/undefined only for nullable ones (or an old writer).
  return nullable ? (v) => (v === null || v === undefined ? 'null' : base(v)) : base;
}
