/**
 * The OnlineRuntime over one online store (the cache decorator in front of it, when there is a cache):
 * the three boundaries where keys enter, each checking them once, on one path behind them.
 *
 * - typed accessors → RuntimeFeatureReader (runtime-reader.ts): KeyValues from the accessor's key codec;
 * - the by-name API (getMany, latest, range, put, append): YAML field names, checked by the feature's key
 *   codec (`fromNames`) and record-coercion.ts, with InvalidInputErrors naming the field;
 * - `checked`: KeyValues from another boundary (the HTTP Read API parses its JSON keys per feature).
 *
 * Behind them: the ACL, then the store's tagged bytes, decoded once (decoded-values.ts) with the writer
 * schema each value names. Writes go through the write path (runtime/write), which grants them per ACL.
 */
import type { CatalogFeature, FeatureCatalog } from '../manifest/feature-catalog.ts';
import type { KeyValues, OnlineStore, TaggedValue } from '../online/online-store.ts';
import type { FeatureClient } from '../write/feature-writer.ts';
import { OnlineWriter } from '../write/online-writer.ts';
import { WritePath } from '../write/write-path.ts';
import { DEFAULT_LATEST_EVENTS } from './accessors.ts';
import { decodeValue } from './decoded-values.ts';
import { writeClock } from '../write/write-clock.ts';
import { keyCodecOf, type KeyCodec } from './key-codec.ts';
import {
  AccessDeniedError,
  InvalidInputError,
  UnknownFeatureError,
  WrongFeatureTypeError,
  type CheckedReads,
  type FieldRecord,
  type OnlineRuntime,
  type ReadinessReport,
  type RuntimeFeatureInfo,
} from './online-runtime.ts';
import { coerceValue } from './record-coercion.ts';
import { RUNTIME_ERRORS } from './runtime-errors.ts';
import { RuntimeFeatureReader, type RuntimeReads } from './runtime-reader.ts';

/** Events a `range` read returns at most for a feature without `max_events`. */
export const MAX_RANGE_EVENTS = 10_000;

type Row = { readonly key: FieldRecord; readonly value: FieldRecord };

/** What readiness asks of the cache; null when there is none. */
export interface Pingable {
  ping(): Promise<boolean>;
}

export class StoreBackedRuntime implements OnlineRuntime, RuntimeReads {
  readonly features: ReadonlyMap<string, RuntimeFeatureInfo>;
  readonly checked: CheckedReads;
  readonly writer: OnlineWriter;
  readonly writes: WritePath;

  /** @param store the store every read and write goes to, cache decorator included */
  constructor(
    private readonly catalog: FeatureCatalog,
    readonly store: OnlineStore,
    private readonly cache: Pingable | null,
  ) {
    this.features = new Map([...catalog.features].map(([name, f]) => [name, f.info]));
    this.writes = new WritePath(catalog, store);
    this.writer = new OnlineWriter(this.writes);
    this.checked = this.checkedReads();
  }

  reader(consumer: string): FeatureClient {
    return new RuntimeFeatureReader(consumer, this);
  }

  async getMany(consumer: string, feature: string, keys: readonly FieldRecord[]): Promise<(FieldRecord | null)[]> {
    const f = this.readable(consumer, feature, 'Object', 'getMany');
    if (!Array.isArray(keys)) throw new InvalidInputError(f.fullName, undefined, RUNTIME_ERRORS.notAnArray('keys'));
    const codec = this.keys(f);
    return this.objects(f, keys.map((key, i) => codec.fromNames(key, ` (at keys[${i}])`)));
  }

  async getManyAvro(consumer: string, feature: string, keys: readonly FieldRecord[]): Promise<(Uint8Array | null)[]> {
    const f = this.readable(consumer, feature, 'Object', 'getManyAvro');
    if (!Array.isArray(keys)) throw new InvalidInputError(f.fullName, undefined, RUNTIME_ERRORS.notAnArray('keys'));
    const codec = this.keys(f);
    return this.objectBytes(f, keys.map((key, i) => codec.fromNames(key, ` (at keys[${i}])`)));
  }

  async latest(consumer: string, feature: string, key: FieldRecord, n?: number): Promise<FieldRecord[]> {
    const f = this.readable(consumer, feature, 'History', 'latest');
    const checked = this.keys(f).fromNames(key, '');
    const count = n ?? f.maxEvents ?? DEFAULT_LATEST_EVENTS;
    if (!Number.isSafeInteger(count) || count < 1 || (f.maxEvents !== null && count > f.maxEvents)) {
      throw new InvalidInputError(f.fullName, undefined, RUNTIME_ERRORS.eventCount(n, f.maxEvents));
    }
    return this.records(f, await this.store.latest(f.table, checked, count));
  }

  async range(consumer: string, feature: string, key: FieldRecord, from: Date, to: Date): Promise<FieldRecord[]> {
    const f = this.readable(consumer, feature, 'History', 'range');
    const checked = this.keys(f).fromNames(key, '');
    if (!isValidDate(from) || !isValidDate(to) || from > to) throw new InvalidInputError(f.fullName, undefined, RUNTIME_ERRORS.timeRange(from, to));
    return this.records(f, await this.store.range(f.table, checked, from, to, this.rangeLimit(f)));
  }

  async put(consumer: string, feature: string, rows: readonly Row[]): Promise<void> {
    const grant = this.writes.grant(consumer, feature, 'Object', 'put');
    const f = grant.feature;
    const encoded = this.rowsOf(f, rows).map(({ key, bytes }) => ({
      key,
      value: { value: bytes, schemaId: f.serde.readerId, updatedAt: writeClock.timeFor(f.fullName, key) },
    }));
    await this.writes.put(grant, encoded);
  }

  async append(consumer: string, feature: string, rows: readonly Row[]): Promise<void> {
    const grant = this.writes.grant(consumer, feature, 'History', 'append');
    const f = grant.feature;
    const eventTimeField = f.eventTimeField as string;
    const encoded = this.rowsOf(f, rows).map(({ key, record, bytes }) => ({
      key,
      event: { value: bytes, schemaId: f.serde.readerId, updatedAt: writeClock.timeFor(f.fullName, key), eventTime: record[eventTimeField] as Date },
    }));
    await this.writes.append(grant, encoded);
  }

  async ready(): Promise<ReadinessReport> {
    const store = await this.store.ping().then(() => true, () => false);
    return { store, cache: this.cache ? await this.cache.ping() : null };
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  // ---- RuntimeReads: what the typed reader uses as well ----

  readable(consumer: string, feature: string, type: 'Object' | 'History', operation: string): CatalogFeature {
    const f = this.catalog.features.get(feature);
    if (!f) throw new UnknownFeatureError(feature);
    if (!this.catalog.canRead(consumer, feature)) throw new AccessDeniedError(consumer, feature, 'read');
    if (f.featureType !== type) throw new WrongFeatureTypeError(feature, f.featureType, operation);
    return f;
  }

  rangeLimit(f: CatalogFeature): number {
    return f.maxEvents ?? MAX_RANGE_EVENTS;
  }

  // ---- behind the boundaries: keys are KeyValues, checked ----

  private checkedReads(): CheckedReads {
    return {
      // Not async: a Read API request is the cache's promise and one reaction, failures still rejections.
      getMany: (consumer, feature, keys) => settle(() => this.objects(this.readable(consumer, feature, 'Object', 'getMany'), keys)),
      getManyAvro: (consumer, feature, keys) => settle(() => this.objectBytes(this.readable(consumer, feature, 'Object', 'getManyAvro'), keys)),
      latest: async (consumer, feature, key, n) => {
        const f = this.readable(consumer, feature, 'History', 'latest');
        return this.records(f, await this.store.latest(f.table, key, n));
      },
      latestAvro: async (consumer, feature, key, n) => {
        const f = this.readable(consumer, feature, 'History', 'latest');
        return this.readerBytes(f, await this.store.latest(f.table, key, n));
      },
      range: async (consumer, feature, key, from, to) => {
        const f = this.readable(consumer, feature, 'History', 'range');
        return this.records(f, await this.store.range(f.table, key, from, to, this.rangeLimit(f)));
      },
      rangeAvro: async (consumer, feature, key, from, to) => {
        const f = this.readable(consumer, feature, 'History', 'range');
        return this.readerBytes(f, await this.store.range(f.table, key, from, to, this.rangeLimit(f)));
      },
    };
  }

  private keys(f: CatalogFeature): KeyCodec {
    return keyCodecOf(f.fullName, f.keyFields);
  }

  private objects(f: CatalogFeature, keys: readonly KeyValues[]): Promise<(FieldRecord | null)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.store.getMany(f.table, keys).then((values) => values.map((v) => (v ? this.record(f, v) : null)));
  }

  private objectBytes(f: CatalogFeature, keys: readonly KeyValues[]): Promise<(Uint8Array | null)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.store.getMany(f.table, keys).then((values) => values.map((v) => (v ? f.serde.toReaderBytes(v) : null)));
  }

  private records(f: CatalogFeature, values: readonly TaggedValue[]): FieldRecord[] {
    return values.map((v) => this.record(f, v));
  }

  /** A plain object of the decoded record (not avsc's record class, whose methods would leak out). */
  private record(f: CatalogFeature, value: TaggedValue): FieldRecord {
    return { ...decodeValue(f, f.serde, value) };
  }

  /**
   * Avro binary of the current reader schema (History events; objectBytes does the same per key): the
   * stored bytes themselves when written with it (no
   * decode, no re-encode), else decoded with the writer schema and encoded with the reader's. Both
   * schemas come from the manifest's exact text, so Long defaults above 2^53 survive either way.
   */
  private readerBytes(f: CatalogFeature, values: readonly TaggedValue[]): Uint8Array[] {
    return values.map((v) => f.serde.toReaderBytes(v));
  }

  private rowsOf(f: CatalogFeature, rows: readonly Row[]): { key: KeyValues; record: Record<string, unknown>; bytes: Buffer }[] {
    if (!Array.isArray(rows)) throw new InvalidInputError(f.fullName, undefined, RUNTIME_ERRORS.notAnArray('rows'));
    const codec = this.keys(f);
    return rows.map((row, i) => {
      const where = ` (at rows[${i}])`;
      if (typeof row !== 'object' || row === null) throw new InvalidInputError(f.fullName, undefined, RUNTIME_ERRORS.notARow(where));
      const record = coerceValue(f, row.value, where);
      let bytes: Buffer;
      try {
        bytes = f.serde.encode(record);
      } catch (e) {
        throw new InvalidInputError(f.fullName, undefined, RUNTIME_ERRORS.unencodable((e as Error).message, where));
      }
      return { key: codec.fromNames(row.key, where), record, bytes };
    });
  }
}

/** `call()`, with a synchronous throw (an ACL refusal, an unknown feature) as a rejection. */
function settle<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call();
  } catch (e) {
    return Promise.reject(e);
  }
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}
