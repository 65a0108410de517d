/**
 * Query result cells (the REST API's `{ f: [{ v }] }` rows, asked for unparsed) → the plain cells
 * offline-cells.ts converts. The client's own parsing is skipped on purpose: it turns INT64 into a JS
 * number unless wrapped, and the wrapper's cast sees the same text anyway; reading the text here is one
 * exact step. TIMESTAMPs arrive as integer microseconds (the client asks with
 * formatOptions.useInt64Timestamp), DATE and DATETIME as ISO text (taken as UTC, as BigQuery's own CAST
 * to TIMESTAMP does), NUMERIC/BIGNUMERIC as decimal text, BYTES as base64. Which stored type converts to
 * which feature type is offline-cells.ts's rule, the same as DuckDB's.
 */
import { microsFromText, UnreadableCell, type SourceKind, type SourceScalarKind } from '../offline-cells.ts';
import type { DriverCells } from '../offline-read.ts';

export interface RawCell {
  readonly v: unknown;
}
export interface RawRow {
  readonly f: readonly RawCell[];
}

/** A field of a table's schema (tables.get), as far as reads need it. */
export interface BigQuerySchemaField {
  readonly name?: string;
  readonly type?: string;
  readonly mode?: string;
}

export const BIGQUERY_CELL_PROBLEMS = {
  unexpected: (sqlType: string, value: unknown) => `the API gave ${JSON.stringify(value)} for a ${sqlType} column`,
} as const;

const INTEGER = /^-?\d+$/;
const FLOAT_WORDS: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '+Inf': Infinity, '-Infinity': -Infinity, '-Inf': -Infinity };

const KINDS: Record<string, SourceScalarKind> = {
  STRING: 'text',
  INTEGER: 'int',
  INT64: 'int',
  FLOAT: 'float',
  FLOAT64: 'float',
  NUMERIC: 'decimal',
  BIGNUMERIC: 'decimal',
  BOOLEAN: 'bool',
  BOOL: 'bool',
  TIMESTAMP: 'timestamp',
  DATE: 'timestamp',
  DATETIME: 'timestamp',
  BYTES: 'bytes',
};

export function bigqueryKind(field: BigQuerySchemaField): SourceKind {
  const type = (field.type ?? 'UNKNOWN').toUpperCase();
  const scalar = KINDS[type] ?? 'other';
  return field.mode === 'REPEATED' ? { list: true, element: scalar, sqlType: `ARRAY<${type}>` } : { list: false, scalar, sqlType: type };
}

export const BIGQUERY_CELLS: DriverCells = {
  scalar(kind, sqlType, v) {
    if (kind === 'other') return v;
    if (typeof v !== 'string') throw new UnreadableCell(BIGQUERY_CELL_PROBLEMS.unexpected(sqlType, v));
    switch (kind) {
      case 'text':
      case 'decimal':
        return v;
      case 'int':
        if (INTEGER.test(v)) return BigInt(v);
        break;
      case 'float': {
        const word = FLOAT_WORDS[v];
        if (word !== undefined) return word;
        const n = Number(v);
        if (v.trim() !== '' && !Number.isNaN(n)) return n;
        break;
      }
      case 'bool':
        if (v === 'true' || v === 'false') return v === 'true';
        break;
      case 'timestamp':
        if (/TIMESTAMP$/.test(sqlType) && INTEGER.test(v)) return BigInt(v);
        if (!/TIMESTAMP$/.test(sqlType)) return microsFromText(v);
        break;
      case 'bytes':
        return new Uint8Array(Buffer.from(v, 'base64'));
    }
    throw new UnreadableCell(BIGQUERY_CELL_PROBLEMS.unexpected(sqlType, v));
  },
  list(cell) {
    // REPEATED columns come back as [] for NULL already; a list cell is [{ v }, …].
    if (cell === null || cell === undefined) return null;
    if (!Array.isArray(cell)) throw new UnreadableCell(BIGQUERY_CELL_PROBLEMS.unexpected('REPEATED', cell));
    return cell.map((item: unknown) => (item as RawCell | null)?.v ?? null);
  },
};
