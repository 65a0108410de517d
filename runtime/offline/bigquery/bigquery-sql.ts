/**
 * GoogleSQL for the BigQuery adapter: quoted identifiers, exact literals (time bounds and the short
 * key lists of the dedup SELECT), and the JSON form appended rows travel in.
 *
 * Rows are not query parameters of their own types because the emulator the tests run
 * (goccy/bigquery-emulator v0.8.1) cannot decode ARRAY<STRUCT> parameters ("cannot unmarshal object
 * into QueryParameterValue.Value") nor BYTES parameters sent as Buffers, and an ARRAY<STRUCT> is the only
 * typed way to send a batch through one statement. They are not literals either: the emulator parses
 * statement text in a 32-bit WebAssembly heap, slowly (250 literal rows: 9 s) and until it panics
 * (~1,200 rows). So a chunk is one STRING parameter holding JSON, every value in an exact text form,
 * turned back into typed values by CAST in the statement (jsonCell / jsonCellSql). Literals are exact
 * by construction: Long and Int as decimal digits, Timestamp as TIMESTAMP_MILLIS(integer), Bytes as
 * FROM_BASE64, Text escaped (every character that could end or bend the literal is a backslash escape),
 * doubles in JavaScript's shortest round-trip form.
 */
import { BIGQUERY_COLUMN_TYPES } from '../../../core/field-types.ts';
import type { OfflineFieldType, OfflineScalar, OfflineScalarType, OfflineValue } from '../offline-store.ts';

export const MAX_STATEMENT_CHARS = 900_000;

/**
 * Batches travel as ONE JSON text parameter, not as literals: `[[cell, …], …]`, every scalar a JSON
 * string in an exact form (Long/Int decimal digits, Timestamp integer ms, Double the shortest
 * round-trip text or NaN/inf/-inf, Bytes base64, Boolean true/false), lists JSON arrays of those,
 * null as null. The statement text then stays a few hundred characters whatever the batch: the
 * emulator's SQL engine parses (in a 32-bit WebAssembly heap) in time and memory that grow with the
 * text — 250 literal rows took 9 s and ~1,200 exhausted it — while a 250-row JSON parameter takes
 * 50 ms. `jsonRowSql` turns the cells back into typed values with CAST, exactly.
 */
export function jsonCell(type: OfflineFieldType, value: OfflineValue): unknown {
  if (value === null) return null;
  if (type.kind === 'list') return (value as readonly OfflineScalar[]).map((v) => jsonScalar(type.element, v));
  return jsonScalar(type.scalar, value as OfflineScalar);
}

function jsonScalar(type: OfflineScalarType, value: OfflineScalar): string {
  switch (type) {
    case 'Text':
      return value as string;
    case 'Long':
    case 'Int':
      return String(value as bigint | number);
    case 'Double':
    case 'Float': {
      const n = value as number;
      if (Number.isNaN(n)) return 'NaN';
      if (n === Infinity) return 'inf';
      if (n === -Infinity) return '-inf';
      return Object.is(n, -0) ? '-0' : String(n);
    }
    case 'Boolean':
      return value ? 'true' : 'false';
    case 'Timestamp':
      return String((value as Date).getTime());
    case 'Bytes':
      return Buffer.from((value as Uint8Array).buffer, (value as Uint8Array).byteOffset, (value as Uint8Array).byteLength).toString('base64');
  }
}

/** The typed value of cell `index` of the JSON row `row` (a JSON text expression). */
export function jsonCellSql(type: OfflineFieldType, row: string, index: number): string {
  const path = `'$[${index}]'`;
  if (type.kind === 'list') return `ARRAY(SELECT ${fromJsonText(type.element, 'e')} FROM UNNEST(JSON_VALUE_ARRAY(${row}, ${path})) AS e WITH OFFSET o ORDER BY o)`;
  return fromJsonText(type.scalar, `JSON_VALUE(${row}, ${path})`);
}

function fromJsonText(type: OfflineScalarType, text: string): string {
  switch (type) {
    case 'Text':
      return text;
    case 'Long':
    case 'Int':
      return `CAST(${text} AS INT64)`;
    case 'Double':
    case 'Float':
      return `CAST(${text} AS FLOAT64)`;
    case 'Boolean':
      return `CAST(${text} AS BOOL)`;
    case 'Timestamp':
      return `TIMESTAMP_MILLIS(CAST(${text} AS INT64))`;
    case 'Bytes':
      return `FROM_BASE64(${text})`;
  }
}

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
