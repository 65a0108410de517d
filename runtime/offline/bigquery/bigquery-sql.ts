/**
 * GoogleSQL text for the BigQuery adapter: quoted identifiers and exact literals.
 *
 * Rows are written as literals rather than query parameters because the emulator the tests run
 * (goccy/bigquery-emulator v0.8.1) cannot decode ARRAY<STRUCT> parameters ("cannot unmarshal object
 * into QueryParameterValue.Value") nor BYTES parameters sent as Buffers, and an ARRAY<STRUCT> is the only
 * way to send a batch of typed rows through one statement. Literals are exact by construction: Long and
 * Int as decimal digits, Timestamp as TIMESTAMP_MILLIS(integer), Bytes as FROM_BASE64, Text escaped
 * (every character that could end or bend the literal is a backslash escape), doubles in JavaScript's
 * shortest round-trip form. The price is statement size: BigQuery accepts up to 1,024K characters of
 * query text, so batches are cut into statements below MAX_STATEMENT_CHARS.
 */
import { BIGQUERY_COLUMN_TYPES } from '../../../core/field-types.ts';
import type { OfflineFieldType, OfflineScalar, OfflineScalarType, OfflineValue } from '../offline-store.ts';

export const MAX_STATEMENT_CHARS = 900_000;

const SCALAR = BIGQUERY_COLUMN_TYPES;

/** The column type of the generated DDL (bqType in the BigQuery emitter, which runtime code cannot import). */
export function bigqueryType(type: OfflineFieldType): string {
  return type.kind === 'scalar' ? SCALAR[type.scalar] : `ARRAY<${SCALAR[type.element]}>`;
}

/** A quoted identifier or path: backticks, with backticks and backslashes escaped. */
export function bigqueryIdent(name: string): string {
  return `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}

export function bigqueryTablePath(project: string, dataset: string, table: string): string {
  return bigqueryIdent(`${project}.${dataset}.${table}`);
}

export function bigqueryLiteral(type: OfflineFieldType, value: OfflineValue): string {
  if (value === null) return 'NULL';
  if (type.kind === 'list') return `[${(value as readonly OfflineScalar[]).map((v) => scalarLiteral(type.element, v)).join(', ')}]`;
  return scalarLiteral(type.scalar, value as OfflineScalar);
}

export function timestampLiteral(value: Date): string {
  return `TIMESTAMP_MILLIS(${value.getTime()})`;
}

function scalarLiteral(type: OfflineScalarType, value: OfflineScalar): string {
  switch (type) {
    case 'Text':
      return stringLiteral(value as string);
    case 'Long':
    case 'Int':
      return String(value as bigint | number);
    case 'Double':
    case 'Float':
      return floatLiteral(value as number);
    case 'Boolean':
      return value ? 'TRUE' : 'FALSE';
    case 'Timestamp':
      return timestampLiteral(value as Date);
    case 'Bytes':
      return `FROM_BASE64('${Buffer.from((value as Uint8Array).buffer, (value as Uint8Array).byteOffset, (value as Uint8Array).byteLength).toString('base64')}')`;
  }
}

/**
 * A FLOAT64 literal that never reads as INT64 (`1` → `1.0`) and keeps the sign of zero. Non-finite
 * values have no literal; IEEE_DIVIDE makes them on real BigQuery. (The emulator turns NaN into NULL
 * and fails a DML statement holding ±Infinity: see the README's emulator notes.)
 */
export function floatLiteral(value: number): string {
  if (Number.isNaN(value)) return 'IEEE_DIVIDE(0, 0)';
  if (value === Infinity) return 'IEEE_DIVIDE(1, 0)';
  if (value === -Infinity) return 'IEEE_DIVIDE(-1, 0)';
  if (Object.is(value, -0)) return '-0.0';
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** A quoted string: backslash, quotes and every control or line-breaking character escaped. */
export function stringLiteral(text: string): string {
  return `'${text.replace(/[\\'"\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, escapeChar)}'`;
}

function escapeChar(c: string): string {
  switch (c) {
    case '\\':
      return '\\\\';
    case "'":
      return "\\'";
    case '"':
      return '\\"';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
}
