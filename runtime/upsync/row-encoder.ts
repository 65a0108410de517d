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
 * good path. Bytes are handed to avsc as Buffer views of the same memory (no copy).
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

  private encode(row: OfflineRow<OfflineValues>): { key: KeyScalar[]; bytes: Buffer } | RowProblem {
    const updatedAt: unknown = row.updatedAt;
    if (!(updatedAt instanceof Date) || Number.isNaN(updatedAt.getTime())) return { column: 'fs_updated_at', reason: ROW_REASONS.badUpdatedAt };
    const values = row.values;
    const key: KeyScalar[] = [];
    for (const { name, check } of this.keyChecks) {
      const value = check(values[name]);
      if (value === INVALID) return { column: name, reason: lastReason };
      key.push(value as KeyScalar);
    }
    const record: Record<string, unknown> = {};
    for (const { name, check } of this.valueChecks) {
      const value = check(values[name]);
      if (value === INVALID) return { column: name, reason: lastReason };
      record[name] = value;
    }
    try {
      return { key, bytes: this.feature.serde.encode(record) };
    } catch (e) {
      return { column: '', reason: ROW_REASONS.unencodable(e instanceof Error ? e.message : String(e)) };
    }
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
