/**
 * Writes of already-encoded values, for the sync jobs (upsync from the offline store, downsync from the
 * stream) and anything else that holds Avro bytes: each row is the key (KeyValues, in key-field order),
 * the value bytes, the id of the writer schema they were encoded with and the write time (`updatedAt`,
 * what a last-writer-wins rule will compare), plus the event time for History features.
 *
 * Nothing is re-encoded, but nothing unreadable is stored either: a value the readers of this deployment
 * could not decode would break every read of its key until it is overwritten, so each row is checked
 * before any is written (the key's types, a writer schema the feature has had, bytes that decode
 * completely under it, an event time that matches the value's). That costs one decode per row,
 * microseconds, next to the store round trip. The ACL (`access.write`) applies as on every write path.
 */
import type { CatalogFeature } from '../manifest/feature-catalog.ts';
import type { KeyValues, StoredEvent, StoredValue, WriteReport } from '../online/online-store.ts';
import { keyCodecOf } from '../read/key-codec.ts';
import { InvalidInputError } from '../read/online-runtime.ts';
import { WRITE_ERRORS } from './write-errors.ts';
import type { EventRow, ValueRow, WritePath } from './write-path.ts';

/** An Object row: the key and the encoded value. */
export interface EncodedValueRow {
  readonly key: KeyValues;
  readonly value: StoredValue;
}

/** A History row: the key and the encoded event. */
export interface EncodedEventRow {
  readonly key: KeyValues;
  readonly event: StoredEvent;
}

export class OnlineWriter {
  constructor(private readonly path: WritePath) {}

  /** Object features: inserts or replaces the value of each key. */
  async put(consumer: string, feature: string, rows: readonly EncodedValueRow[]): Promise<WriteReport> {
    const grant = this.path.grant(consumer, feature, 'Object', 'put');
    const f = grant.feature;
    const checked: ValueRow[] = rowsOf(f, rows).map((row, i) => {
      const where = ` (at rows[${i}])`;
      if (typeof row !== 'object' || row === null) throw new InvalidInputError(f.fullName, undefined, WRITE_ERRORS.notARow('{ key, value }', where));
      return { key: checkedKey(f, row.key, where), value: checkedValue(f, row.value, where).stored };
    });
    return this.path.put(grant, checked);
  }

  /** History features: adds events (an event at the same key and time replaces the earlier one). */
  async append(consumer: string, feature: string, rows: readonly EncodedEventRow[]): Promise<WriteReport> {
    const grant = this.path.grant(consumer, feature, 'History', 'append');
    const f = grant.feature;
    const field = f.eventTimeField as string;
    const checked: EventRow[] = rowsOf(f, rows).map((row, i) => {
      const where = ` (at rows[${i}])`;
      if (typeof row !== 'object' || row === null) throw new InvalidInputError(f.fullName, undefined, WRITE_ERRORS.notARow('{ key, event }', where));
      const { stored, record } = checkedValue(f, row.event, where);
      const eventTime = (row.event as { eventTime?: unknown }).eventTime;
      if (!isValidDate(eventTime)) throw new InvalidInputError(f.fullName, undefined, WRITE_ERRORS.badTime('eventTime', eventTime, where));
      const inValue = record[field];
      if (!(inValue instanceof Date) || inValue.getTime() !== eventTime.getTime()) {
        throw new InvalidInputError(f.fullName, field, WRITE_ERRORS.eventTimeMismatch(field, eventTime, inValue, where));
      }
      return { key: checkedKey(f, row.key, where), event: { ...stored, eventTime } };
    });
    return this.path.append(grant, checked);
  }
}

function rowsOf<T>(f: CatalogFeature, rows: readonly T[]): readonly T[] {
  if (!Array.isArray(rows)) throw new InvalidInputError(f.fullName, undefined, WRITE_ERRORS.notAnArray);
  return rows;
}

function checkedKey(f: CatalogFeature, key: unknown, where: string): KeyValues {
  return keyCodecOf(f.fullName, f.keyFields).check(key, where);
}

function checkedValue(f: CatalogFeature, value: unknown, where: string): { stored: StoredValue; record: Readonly<Record<string, unknown>> } {
  if (typeof value !== 'object' || value === null) throw new InvalidInputError(f.fullName, undefined, WRITE_ERRORS.notBytes(where));
  const { value: bytes, schemaId, updatedAt } = value as Partial<StoredValue>;
  if (!(bytes instanceof Uint8Array)) throw new InvalidInputError(f.fullName, undefined, WRITE_ERRORS.notBytes(where));
  if (typeof schemaId !== 'bigint' || !f.serde.has(schemaId)) throw new InvalidInputError(f.fullName, undefined, WRITE_ERRORS.unknownSchema(schemaId, where));
  if (!isValidDate(updatedAt)) throw new InvalidInputError(f.fullName, undefined, WRITE_ERRORS.badTime('updatedAt', updatedAt, where));
  let record: Readonly<Record<string, unknown>>;
  try {
    record = f.serde.decode({ value: bytes, schemaId });
  } catch (e) {
    throw new InvalidInputError(f.fullName, undefined, WRITE_ERRORS.undecodable(schemaId, e instanceof Error ? e.message : String(e), where));
  }
  return { stored: { value: bytes, schemaId, updatedAt }, record };
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}
