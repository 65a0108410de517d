/**
 * Query result cells (the REST API's `{ f: [{ v }] }` rows, asked for unparsed) → typed values. The
 * client's own parsing is skipped on purpose: it turns INT64 into a JS number unless wrapped, and the
 * wrapper's cast sees the same text anyway; reading the text here is one exact step. TIMESTAMPs arrive as
 * integer microseconds (the client asks with formatOptions.useInt64Timestamp), BYTES as base64.
 */
import type { OfflineFieldType, OfflineScalar, OfflineScalarType, OfflineValue } from '../offline-store.ts';

export interface RawCell {
  readonly v: unknown;
}
export interface RawRow {
  readonly f: readonly RawCell[];
}

export const CELL_PROBLEMS = {
  unexpected: (type: OfflineScalarType, value: unknown) => `expected a ${type} cell, got ${JSON.stringify(value)}`,
  unsafeInt: (text: string) => `${text} is beyond 2^53 and cannot be an Int`,
  nullElement: 'a list element is NULL (offline lists hold no NULLs)',
  nullRequired: 'NULL in a key or event-time column (a table made without the generated NOT NULL)',
} as const;

/** A stored value that cannot be a value of the column's type; the adapter adds table and column. */
export class UnreadableCell extends Error {}

const INTEGER = /^-?\d+$/;
const FLOAT_WORDS: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '+Inf': Infinity, '-Infinity': -Infinity, '-Inf': -Infinity };

export function fromCell(type: OfflineFieldType, cell: unknown): OfflineValue {
  if (type.kind === 'list') {
    // REPEATED columns come back as [] for NULL already; a list cell is [{ v }, …].
    if (cell === null || cell === undefined) return [];
    if (!Array.isArray(cell)) throw new UnreadableCell(CELL_PROBLEMS.unexpected(type.element, cell));
    return cell.map((item: unknown) => {
      const v = (item as RawCell | null)?.v;
      if (v === null || v === undefined) throw new UnreadableCell(CELL_PROBLEMS.nullElement);
      return scalarFromCell(type.element, v);
    });
  }
  return cell === null || cell === undefined ? null : scalarFromCell(type.scalar, cell);
}

function scalarFromCell(type: OfflineScalarType, v: unknown): OfflineScalar {
  if (typeof v !== 'string') throw new UnreadableCell(CELL_PROBLEMS.unexpected(type, v));
  switch (type) {
    case 'Text':
      return v;
    case 'Long':
      if (INTEGER.test(v)) return BigInt(v);
      break;
    case 'Int': {
      if (!INTEGER.test(v)) break;
      const n = Number(v);
      if (!Number.isSafeInteger(n)) throw new UnreadableCell(CELL_PROBLEMS.unsafeInt(v));
      return n;
    }
    case 'Double':
    case 'Float': {
      const word = FLOAT_WORDS[v];
      if (word !== undefined) return word;
      const n = Number(v);
      if (v.trim() !== '' && !Number.isNaN(n)) return n;
      break;
    }
    case 'Boolean':
      if (v === 'true' || v === 'false') return v === 'true';
      break;
    case 'Timestamp':
      if (INTEGER.test(v)) return timeFromMicrosText(v);
      break;
    case 'Bytes':
      return new Uint8Array(Buffer.from(v, 'base64'));
  }
  throw new UnreadableCell(CELL_PROBLEMS.unexpected(type, v));
}

/** Integer microseconds → a Date, rounding toward the past (-1 µs is -1 ms, not 0). */
export function timeFromMicrosText(text: string): Date {
  const micros = BigInt(text);
  const rest = ((micros % 1000n) + 1000n) % 1000n;
  return new Date(Number((micros - rest) / 1000n));
}
