/**
 * Offline rows → online rows, for one feature: each row checked against the feature's schema and its
 * value encoded once, as Avro binary under the feature's current writer schema.
 *
 * The offline store hands typed values already (and unreadable ones apart, as UnreadableOfflineRow),
 * but a typed value can still be one the feature cannot hold: an Int column that is BIGINT in a user's
 * table reads as a number beyond 32 bits, a HUGEINT Long as a bigint beyond 64 bits, a NULL in a field
 * that is not nullable. Such a row is never written (every later read of its key would fail or lie);
 * it comes back as a problem (column, reason) for the quarantine, and the page goes on.
 *
 * The checks are compiled once per feature into one closure per column, so a row costs a few typeof
 * tests, one record object for Avro and the encoded bytes: no per-row Set, map or exception on the
 * good path. Bytes are handed to avsc as Buffer views of the same memory (no copy). The record object
 * is reused row after row; the read worker's form (encodeCompact) also encodes straight into the
 * page's one buffer instead of one Buffer per row that would be copied into it.
 */
import type { FieldType, ScalarType } from '../../core/field-types.ts';
import type { ManifestFeature } from '../../core/manifest/manifest-schema.ts';
import { LONG_MAX, LONG_MIN } from '../../core/serde/long-type.ts';
import type { CatalogFeature } from '../manifest/feature-catalog.ts';
import type { OfflineRow, OfflineValues } from '../offline/offline-store.ts';
import type { KeyScalar, KeyValues, StoredEvent, StoredValue } from '../online/online-store.ts';
import { ROW_REASONS } from './upsync-errors.ts';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** A row that cannot be written: the first column found wrong and why. */
export interface RowProblem {
  readonly column: string;
  readonly reason: string;
}

export interface EncodedObjectRow {
  readonly key: KeyValues;
  readonly value: StoredValue;
}

export interface EncodedHistoryRow {
  readonly key: KeyValues;
  readonly event: StoredEvent;
}

/** Rows of one page: the encoded ones and, beside them, the refused ones with their problem. */
export interface EncodedPage<R> {
  readonly rows: R[];
  readonly refused: { readonly row: OfflineRow<OfflineValues>; readonly problem: RowProblem }[];
}

/** The value to store (Bytes as a Buffer), or INVALID with the reason in lastReason. */
type Check = (value: unknown) => unknown;

const INVALID: unique symbol = Symbol('invalid');
/** The reason of the last INVALID result (single-threaded: read right after a check returns INVALID). */
let lastReason = '';

function invalid(reason: string): typeof INVALID {
  lastReason = reason;
  return INVALID;
}

export class RowEncoder {
  private readonly keyChecks: { readonly name: string; readonly check: Check }[];
  private readonly valueChecks: { readonly name: string; readonly check: Check }[];
  private readonly eventTimeField: string | null;
  private readonly schemaId: bigint;

  constructor(
    private readonly feature: CatalogFeature,
    manifestFeature: ManifestFeature,
  ) {
    const byName = new Map(manifestFeature.fields.map((f) => [f.name, f]));
    this.eventTimeField = feature.eventTimeField;
    this.keyChecks = feature.keyFields.map((k) => {
      const field = byName.get(k.name);
      if (!field) throw new Error(`${feature.fullName}: key field ${k.name} missing from the manifest`);
      return { name: k.name, check: columnCheck(k.name, field.type, 'key') };
    });
    this.valueChecks = feature.valueFields.map((v) => {
      const field = byName.get(v.name);
      if (!field) throw new Error(`${feature.fullName}: field ${v.name} missing from the manifest`);
      const role = v.name === this.eventTimeField ? 'eventTime' : field.nullable ? 'nullable' : 'required';
      return { name: v.name, check: columnCheck(v.name, field.type, role) };
    });
    this.schemaId = feature.serde.readerId;
  }

  /** Object features. */
  encodeObjects(page: readonly OfflineRow<OfflineValues>[]): EncodedPage<EncodedObjectRow> {
    const rows: EncodedObjectRow[] = [];
    const refused: EncodedPage<EncodedObjectRow>['refused'] = [];
    for (const row of page) {
      const encoded = this.encode(row);
      if ('reason' in encoded) refused.push({ row, problem: encoded });
      else rows.push({ key: encoded.key, value: { value: encoded.bytes, schemaId: this.schemaId, updatedAt: row.updatedAt } });
    }
    return { rows, refused };
  }

  /** History features: the event time is the event-time field's value. */
  encodeEvents(page: readonly OfflineRow<OfflineValues>[]): EncodedPage<EncodedHistoryRow> {
    const field = this.eventTimeField as string;
    const rows: EncodedHistoryRow[] = [];
    const refused: EncodedPage<EncodedHistoryRow>['refused'] = [];
    for (const row of page) {
      const encoded = this.encode(row);
      if ('reason' in encoded) refused.push({ row, problem: encoded });
      else rows.push({ key: encoded.key, event: { value: encoded.bytes, schemaId: this.schemaId, updatedAt: row.updatedAt, eventTime: row.values[field] as Date } });
    }
    return { rows, refused };
  }

  /**
   * The read worker's form (read-worker.ts): the page's values encoded back to back into one buffer
   * (`out`, grown as needed), keys and times into flat arrays: no Buffer and no row object per row,
   * and nothing to copy before the page is posted. Returns the refused rows.
   */
  encodeCompact(page: readonly OfflineRow<OfflineValues>[], out: CompactRows): EncodedPage<never>['refused'] {
    const refused: EncodedPage<never>['refused'] = [];
    const type = this.feature.serde.readerType;
    const field = this.eventTimeField;
    const history = out.eventTime !== null;
    for (const row of page) {
      const keysBefore = out.keys.length;
      const problem = this.check(row, out.keys);
      if (problem !== null) {
        out.keys.length = keysBefore;
        refused.push({ row, problem });
        continue;
      }
      let end: number;
      try {
        end = type.encode(this.record, out.bytes, out.at);
        if (end < 0) {
          out.grow(out.bytes.length - end);
          end = type.encode(this.record, out.bytes, out.at);
        }
      } catch (e) {
        out.keys.length = keysBefore;
        refused.push({ row, problem: { column: '', reason: ROW_REASONS.unencodable(e instanceof Error ? e.message : String(e)) } });
        continue;
      }
      const i = out.count++;
      out.offsets[i] = out.at;
      out.at = end;
      out.offsets[i + 1] = end;
      out.updatedAt[i] = row.updatedAt.getTime();
      if (history) (out.eventTime as Float64Array)[i] = (row.values[field as string] as Date).getTime();
    }
    return refused;
  }

  /** The record avsc encodes, reused row after row (encoding is synchronous and keeps no reference). */
  private readonly record: Record<string, unknown> = {};

  /** Checks a row: its key pushed onto `key`, its values into this.record; or the first problem. */
  private check(row: OfflineRow<OfflineValues>, key: KeyScalar[]): RowProblem | null {
    const updatedAt: unknown = row.updatedAt;
    if (!(updatedAt instanceof Date) || Number.isNaN(updatedAt.getTime())) return { column: 'fs_updated_at', reason: ROW_REASONS.badUpdatedAt };
    const values = row.values;
    for (const { name, check } of this.keyChecks) {
      const value = check(values[name]);
      if (value === INVALID) return { column: name, reason: lastReason };
      key.push(value as KeyScalar);
    }
    const record = this.record;
    for (const { name, check } of this.valueChecks) {
      const value = check(values[name]);
      if (value === INVALID) return { column: name, reason: lastReason };
      record[name] = value;
    }
    return null;
  }

  private encode(row: OfflineRow<OfflineValues>): { key: KeyScalar[]; bytes: Buffer } | RowProblem {
    const key: KeyScalar[] = [];
    const problem = this.check(row, key);
    if (problem !== null) return problem;
    try {
      return { key, bytes: this.feature.serde.encode(this.record) };
    } catch (e) {
      return { column: '', reason: ROW_REASONS.unencodable(e instanceof Error ? e.message : String(e)) };
    }
  }
}

/** One page of encoded rows in the read worker's compact form (see RowEncoder.encodeCompact). */
export class CompactRows {
  count = 0;
  /** The end of the encoded bytes so far. */
  at = 0;
  bytes: Buffer;
  readonly offsets: Uint32Array;
  readonly updatedAt: Float64Array;
  readonly eventTime: Float64Array | null;
  readonly keys: KeyScalar[] = [];

  constructor(rows: number, bytesHint: number, history: boolean) {
    // allocUnsafeSlow: never a slice of Node's shared pool, so the worker may transfer its ArrayBuffer.
    this.bytes = Buffer.allocUnsafeSlow(Math.max(64, bytesHint));
    this.offsets = new Uint32Array(rows + 1);
    this.updatedAt = new Float64Array(rows);
    this.eventTime = history ? new Float64Array(rows) : null;
  }

  /** At least `bytes` of room, the bytes so far kept. */
  grow(bytes: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(bytes, this.bytes.length * 2));
    this.bytes.copy(next, 0, 0, this.at);
    this.bytes = next;
  }
}

type Role = 'key' | 'eventTime' | 'required' | 'nullable';

function columnCheck(name: string, type: FieldType, role: Role): Check {
  if (type.kind === 'list') {
    const element = scalarCheck(name, type.element);
    return (value) => {
      // Offline lists are never null (BigQuery REPEATED); a null here is "no elements".
      if (value === null || value === undefined) return [];
      if (!Array.isArray(value)) return invalid(ROW_REASONS.notAList(name));
      let out: unknown[] | null = null;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (item === null || item === undefined) return invalid(ROW_REASONS.nullElement(name, i));
        const checked = element(item);
        if (checked === INVALID) return invalid(`${lastReason} (at ${name}[${i}])`);
        if (checked !== item) (out ??= value.slice(0, i))[i] = checked;
        else if (out) out[i] = checked;
      }
      return out ?? value;
    };
  }
  const scalar = scalarCheck(name, type.scalar);
  const nullReason = role === 'key' ? ROW_REASONS.nullKey(name) : role === 'eventTime' ? ROW_REASONS.nullEventTime(name) : ROW_REASONS.nullField(name);
  const nullable = role === 'nullable';
  return (value) => {
    if (value === null || value === undefined) return nullable ? null : invalid(nullReason);
    return scalar(value);
  };
}

function scalarCheck(name: string, type: ScalarType): Check {
  switch (type) {
    case 'Text':
      return (v) => (typeof v === 'string' ? v : invalid(ROW_REASONS.wrongType(name, 'a string', describe(v))));
    case 'Long':
      return (v) => {
        if (typeof v !== 'bigint') return invalid(ROW_REASONS.wrongType(name, 'a 64-bit integer', describe(v)));
        return v >= LONG_MIN && v <= LONG_MAX ? v : invalid(ROW_REASONS.longRange(name, v));
      };
    case 'Int':
      return (v) => {
        if (typeof v !== 'number' || !Number.isInteger(v)) return invalid(ROW_REASONS.wrongType(name, 'a 32-bit integer', describe(v)));
        return v >= INT_MIN && v <= INT_MAX ? v : invalid(ROW_REASONS.intRange(name, v));
      };
    case 'Double':
    case 'Float':
      return (v) => (typeof v === 'number' ? v : invalid(ROW_REASONS.wrongType(name, 'a number', describe(v))));
    case 'Boolean':
      return (v) => (typeof v === 'boolean' ? v : invalid(ROW_REASONS.wrongType(name, 'a boolean', describe(v))));
    case 'Timestamp':
      return (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? v : invalid(ROW_REASONS.badTime(name)));
    case 'Bytes':
      return (v) => {
        if (!(v instanceof Uint8Array)) return invalid(ROW_REASONS.wrongType(name, 'bytes', describe(v)));
        return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      };
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (value instanceof Date) return 'a Date';
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : (value.constructor?.name ?? 'an object');
  return typeof value;
}
