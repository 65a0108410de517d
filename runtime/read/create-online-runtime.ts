/**
 * The online runtime (see online-runtime.ts for the contract): the generated manifest, an online store
 * and an optional Redis read-through cache behind one object that checks, on every call, that the
 * feature exists, that the consumer may read or write it (generated/acl/acl.json), and that keys and
 * values match the feature's schema; then reads or writes tagged Avro bytes and decodes them with the
 * writer schema each value names.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheKey } from '../cache/cache-key.ts';
import { ReadThroughCache } from '../cache/read-through-cache.ts';
import type { RedisFeatureCache } from '../cache/redis/redis-feature-cache.ts';
import { DRIVER_USES, loadDriver } from '../connect/optional-drivers.ts';
import { loadFeatureCatalog, type CatalogFeature, type FeatureCatalog } from '../manifest/feature-catalog.ts';
import type { KeyValues, OnlineStore, StoredEvent } from '../online/online-store.ts';
import { openOnlineStore } from '../online/open-online-store.ts';
import type { TaggedAvro } from '../../core/serde/single-object.ts';
import { DEFAULT_LATEST_EVENTS } from './accessors.ts';
import type { FeatureReader } from './feature-reader.ts';
import {
  AccessDeniedError,
  InvalidInputError,
  ManifestNotFoundError,
  UnknownFeatureError,
  WrongFeatureTypeError,
  type FieldRecord,
  type OnlineRuntime,
  type OnlineRuntimeOptions,
  type ReadinessReport,
  type RuntimeFeatureInfo,
  type RuntimeObserver,
} from './online-runtime.ts';
import { coerceKey, coerceValue } from './record-coercion.ts';
import { RuntimeFeatureReader } from './runtime-reader.ts';

/** How long startup waits for Redis before serving from the store alone (it keeps reconnecting). */
export const REDIS_STARTUP_WAIT_MS = 1_000;

/** Events a `range` read returns at most for a feature without `max_events`. */
export const MAX_RANGE_EVENTS = 10_000;

export const RUNTIME_ERRORS = {
  eventCount: (n: unknown, max: number | null) => `n must be an integer from 1 to ${max ?? 'any'}, got ${String(n)}`,
  timeRange: (from: unknown, to: unknown) => `expected valid Dates with from <= to, got ${String(from)} .. ${String(to)}`,
  notAnArray: (what: string) => `${what} must be an array`,
  notARow: (where: string) => `each row must be an object { key, value }${where}`,
  unencodable: (problem: string, where: string) => `the value does not fit the feature's Avro schema: ${problem}${where}`,
  noManifest: (file: string) =>
    `no feature manifest at ${file}: pass createOnlineRuntime({ generatedDir }) the folder featurestore codegen writes (run featurestore codegen first)`,
  noDefaultManifest: (file: string, cwd: string) =>
    `no feature manifest at ${file} (generatedDir defaults to "${DEFAULT_GENERATED_DIR}" under the working folder ${cwd}): pass createOnlineRuntime({ generatedDir }) the folder featurestore codegen writes, e.g. new URL('../generated/', import.meta.url)`,
} as const;

/** Where createOnlineRuntime looks for manifest.json when `generatedDir` is not given. */
export const DEFAULT_GENERATED_DIR = 'generated';

/** A cache the runtime can also ask for readiness; RedisFeatureCache is one. */
interface PingableCache {
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

type Row = { readonly key: FieldRecord; readonly value: FieldRecord };

export async function createOnlineRuntime(options: OnlineRuntimeOptions): Promise<OnlineRuntime> {
  const catalog = await loadFeatureCatalog(await manifestFolder(options.generatedDir));
  const tables = [...catalog.features.values()].map((f) => f.table);
  const store = await openOnlineStore(options.store, { keyspace: catalog.keyspace, tables });
  let redis: RedisFeatureCache | null = null;
  try {
    if (options.cache) {
      const { RedisFeatureCache } = await loadDriver('ioredis', DRIVER_USES.redisCache, () => import('../cache/redis/redis-feature-cache.ts'));
      const { redisUrl, timeoutMs, keyPrefix } = options.cache;
      redis = new RedisFeatureCache({ url: redisUrl, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(keyPrefix ? { keyPrefix } : {}) });
      await redis.waitUntilReady(REDIS_STARTUP_WAIT_MS);
    }
  } catch (e) {
    await store.close().catch(() => {});
    throw e;
  }
  const readThrough = redis
    ? new ReadThroughCache(redis, {
        ...(options.cache?.negativeTtlMs !== undefined ? { negativeTtlMs: options.cache.negativeTtlMs } : {}),
        ...(options.cache?.maxNegativeWrites !== undefined ? { maxNegativeWrites: options.cache.maxNegativeWrites } : {}),
        ...(options.observer ? { observer: options.observer } : {}),
        // An entry whose value does not decode under the writer schema it names is a miss. An unknown
        // schema passes: the store holds the same bytes, and the read must say "redeploy".
        checkValue: (feature, value) => {
          const f = catalog.features.get(feature);
          if (f?.serde.has(value.schemaId)) f.serde.decode(value);
        },
      })
    : null;
  return new StoreBackedRuntime(catalog, store, readThrough, redis, options.observer ?? {});
}

/**
 * The generated folder, checked to hold a manifest. The default stays the working folder's
 * `generated/` (services started from their own root, the repository's scripts and tests); a service
 * started from elsewhere gets this error naming the option, not a bare ENOENT.
 */
async function manifestFolder(given: string | URL | undefined): Promise<string> {
  const dir = given === undefined ? DEFAULT_GENERATED_DIR : given instanceof URL ? fileURLToPath(given) : given;
  const file = path.resolve(dir, 'manifest.json');
  const found = await stat(file).then((s) => s.isFile(), () => false);
  if (!found) throw new ManifestNotFoundError(file, given === undefined ? RUNTIME_ERRORS.noDefaultManifest(file, process.cwd()) : RUNTIME_ERRORS.noManifest(file));
  return dir;
}

class StoreBackedRuntime implements OnlineRuntime {
  readonly features: ReadonlyMap<string, RuntimeFeatureInfo>;

  constructor(
    private readonly catalog: FeatureCatalog,
    private readonly store: OnlineStore,
    private readonly cache: ReadThroughCache | null,
    private readonly redis: PingableCache | null,
    private readonly observer: RuntimeObserver,
  ) {
    this.features = new Map([...catalog.features].map(([name, f]) => [name, f.info]));
  }

  reader(consumer: string): FeatureReader {
    return new RuntimeFeatureReader(consumer, this);
  }

  async getMany(consumer: string, feature: string, keys: readonly FieldRecord[]): Promise<(FieldRecord | null)[]> {
    const f = this.resolve(consumer, feature, 'read', 'Object', 'getMany');
    const values = await this.readObjects(f, this.keysOf(f, keys));
    return values.map((v) => (v ? { ...f.serde.decode(v) } : null));
  }

  async getManyAvro(consumer: string, feature: string, keys: readonly FieldRecord[]): Promise<(Uint8Array | null)[]> {
    const f = this.resolve(consumer, feature, 'read', 'Object', 'getManyAvro');
    const values = await this.readObjects(f, this.keysOf(f, keys));
    return values.map((v) => (v ? f.serde.toReaderBytes(v) : null));
  }

  async latest(consumer: string, feature: string, key: FieldRecord, n?: number): Promise<FieldRecord[]> {
    const f = this.resolve(consumer, feature, 'read', 'History', 'latest');
    const events = await this.readLatest(f, coerceKey(f, key), this.eventCount(f, n));
    return events.map((e) => ({ ...f.serde.decode(e) }));
  }

  async range(consumer: string, feature: string, key: FieldRecord, from: Date, to: Date): Promise<FieldRecord[]> {
    const f = this.resolve(consumer, feature, 'read', 'History', 'range');
    const events = await this.readRange(f, coerceKey(f, key), from, to);
    return events.map((e) => ({ ...f.serde.decode(e) }));
  }

  async put(consumer: string, feature: string, rows: readonly Row[]): Promise<void> {
    const f = this.resolve(consumer, feature, 'write', 'Object', 'put');
    const updatedAt = new Date();
    const prepared = this.rowsOf(f, rows).map(({ key, bytes }) => ({ key, value: { value: bytes, schemaId: f.serde.readerId, updatedAt } }));
    await this.guard(f, 'write', () => this.store.putMany(f.table, prepared));
    await this.invalidate(f, prepared.map((r) => r.key));
  }

  async append(consumer: string, feature: string, rows: readonly Row[]): Promise<void> {
    const f = this.resolve(consumer, feature, 'write', 'History', 'append');
    const updatedAt = new Date();
    const eventTimeField = f.eventTimeField as string;
    const prepared = this.rowsOf(f, rows).map(({ key, record, bytes }) => {
      const event: StoredEvent = { value: bytes, schemaId: f.serde.readerId, updatedAt, eventTime: record[eventTimeField] as Date };
      return { key, event };
    });
    await this.guard(f, 'write', () => this.store.appendMany(f.table, prepared));
    await this.invalidate(f, prepared.map((r) => r.key));
  }

  async ready(): Promise<ReadinessReport> {
    const store = await this.store.ping().then(() => true, () => false);
    return { store, cache: this.redis ? await this.redis.ping() : null };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.store.close(), this.redis?.close()]);
  }

  // ---- used by RuntimeFeatureReader (typed reads) as well ----

  /** The feature, after the existence, ACL and feature-type checks. */
  resolve(consumer: string, feature: string, mode: 'read' | 'write', type: 'Object' | 'History', operation: string): CatalogFeature {
    const f = this.catalog.features.get(feature);
    if (!f) throw new UnknownFeatureError(feature);
    const allowed = mode === 'read' ? this.catalog.canRead(consumer, feature) : this.catalog.canWrite(consumer, feature);
    if (!allowed) throw new AccessDeniedError(consumer, feature, mode);
    if (f.featureType !== type) throw new WrongFeatureTypeError(feature, f.featureType, operation);
    return f;
  }

  async readObjects(f: CatalogFeature, keys: readonly KeyValues[]): Promise<(TaggedAvro | null)[]> {
    if (keys.length === 0) return [];
    const load = (subset: readonly KeyValues[]) => this.guard(f, 'read', () => this.store.getMany(f.table, subset));
    if (!this.cache || f.cacheTtlMs === null) return load(keys);
    const cacheKeys = keys.map((k) => cacheKey(f.fullName, f.table.keyColumns, k));
    return this.cache.getObjects(f.fullName, f.cacheTtlMs, cacheKeys, (positions) => load(positions.map((p) => keys[p] as KeyValues)));
  }

  async readLatest(f: CatalogFeature, key: KeyValues, n: number): Promise<TaggedAvro[]> {
    // The cache holds a key's newest `window` events, so every n up to it is one cache read. (Ranges
    // are not cached: arbitrary bounds would need one entry per range, each invalidated by an append.)
    const window = f.maxEvents ?? DEFAULT_LATEST_EVENTS;
    if (!this.cache || f.cacheTtlMs === null || n > window) return this.guard(f, 'read', () => this.store.latest(f.table, key, n));
    const events = await this.cache.getHistory(f.fullName, f.cacheTtlMs, cacheKey(f.fullName, f.table.keyColumns, key), () =>
      this.guard(f, 'read', () => this.store.latest(f.table, key, window)),
    );
    return events.slice(0, n);
  }

  async readRange(f: CatalogFeature, key: KeyValues, from: unknown, to: unknown): Promise<TaggedAvro[]> {
    if (!(from instanceof Date) || !(to instanceof Date) || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from > to) {
      throw new InvalidInputError(f.fullName, undefined, RUNTIME_ERRORS.timeRange(from, to));
    }
    const limit = f.maxEvents ?? MAX_RANGE_EVENTS;
    return this.guard(f, 'read', () => this.store.range(f.table, key, from, to, limit));
  }

  eventCount(f: CatalogFeature, n: number | undefined): number {
    const count = n ?? f.maxEvents ?? DEFAULT_LATEST_EVENTS;
    if (!Number.isSafeInteger(count) || count < 1 || (f.maxEvents !== null && count > f.maxEvents)) {
      throw new InvalidInputError(f.fullName, undefined, RUNTIME_ERRORS.eventCount(n, f.maxEvents));
    }
    return count;
  }

  private keysOf(f: CatalogFeature, keys: readonly FieldRecord[]): KeyValues[] {
    if (!Array.isArray(keys)) throw new InvalidInputError(f.fullName, undefined, RUNTIME_ERRORS.notAnArray('keys'));
    return keys.map((key, i) => coerceKey(f, key, ` (at keys[${i}])`));
  }

  private rowsOf(f: CatalogFeature, rows: readonly Row[]): { key: KeyValues; record: Record<string, unknown>; bytes: Buffer }[] {
    if (!Array.isArray(rows)) throw new InvalidInputError(f.fullName, undefined, RUNTIME_ERRORS.notAnArray('rows'));
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
      return { key: coerceKey(f, row.key, where), record, bytes };
    });
  }

  private async invalidate(f: CatalogFeature, keys: readonly KeyValues[]): Promise<void> {
    if (!this.cache || f.cacheTtlMs === null || keys.length === 0) return;
    await this.cache.invalidate([...new Set(keys.map((k) => cacheKey(f.fullName, f.table.keyColumns, k)))]);
  }

  private async guard<T>(f: CatalogFeature, operation: 'read' | 'write', call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      this.observer.storeError?.(f.fullName, operation, e);
      throw e;
    }
  }
}
