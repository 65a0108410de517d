/**
 * withCache(store, cache, options) as an OnlineStore of its own, over the in-memory FeatureCache and an
 * in-memory SQLite store that counts its calls (no servers): read-through per key and per History
 * window, invalidate-after-write and its failure, what counts as a corrupt entry, and, through the
 * runtime assembled on it, one Avro decode per cache hit.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CacheInvalidationError, type CachedEntry, type FeatureCache } from '../../runtime/cache/feature-cache.ts';
import { MemoryFeatureCache } from '../../runtime/cache/memory/memory-feature-cache.ts';
import { cacheKey } from '../../runtime/cache/cache-key.ts';
import { withCache, type WithCacheOptions } from '../../runtime/cache/with-cache.ts';
import { loadFeatureCatalog, type CatalogFeature } from '../../runtime/manifest/feature-catalog.ts';
import type { KeyValues, OnlineTable, StoredValue } from '../../runtime/online/online-store.ts';
import { SqliteOnlineStore } from '../../runtime/online/sqlite/sqlite-online-store.ts';
import { inspectValue } from '../../runtime/read/decoded-values.ts';
import { coerceValue } from '../../runtime/read/record-coercion.ts';
import { StoreBackedRuntime } from '../../runtime/read/store-backed-runtime.ts';
import { hakunaHostStatV1Descriptor } from '../../generated/ts/live/hakuna-host-stat-v1.ts';
import { CountingStore } from './helpers/counting-store.ts';
import { uniqueLong } from './helpers/samples.ts';

const catalog = await loadFeatureCatalog('generated');
const feature = (name: string): CatalogFeature => catalog.features.get(name)!;
const HOST = feature('live::hakuna-host-stat-v1'); // cache.ttl 10m
const RICH = feature('azar-match::rich-history-v1'); // History, cache.ttl, max_events
const WATCH = feature('live::viewer-watch-history-v1'); // History, no cache
const byTable = new Map<OnlineTable, CatalogFeature>([...catalog.features.values()].map((f) => [f.table, f]));

const encoded = (f: CatalogFeature, value: Record<string, unknown>, at = new Date(1)): StoredValue => ({
  value: f.serde.encode(coerceValue(f, value)),
  schemaId: f.serde.readerId,
  updatedAt: at,
});

let inner: CountingStore;
let memory: MemoryFeatureCache;
let lookups: [string, number, number][];

function options(overrides: Partial<WithCacheOptions> = {}): WithCacheOptions {
  return {
    policy: (table) => {
      const f = byTable.get(table)!;
      return f.cacheTtlMs === null ? null : { ttlMs: f.cacheTtlMs, historyWindow: f.maxEvents ?? 20 };
    },
    inspect: (table, value) => byTable.get(table)!.serde.decode(value),
    observer: { cacheLookup: (f, hits, misses) => lookups.push([f, hits, misses]) },
    ...overrides,
  };
}

beforeEach(() => {
  inner = new CountingStore(new SqliteOnlineStore({ path: ':memory:' }));
  memory = new MemoryFeatureCache();
  lookups = [];
});

describe('reads through the cache', () => {
  it('a hit never reaches the store; a multi-key read asks it only for the misses, in order', async () => {
    const store = withCache(inner, memory, options());
    const [a, b, c] = [[`a-${uniqueLong()}`], [`b-${uniqueLong()}`], [`c-${uniqueLong()}`]] as KeyValues[];
    await store.putMany(HOST.table, [a, b, c].map((key, i) => ({ key: key!, value: encoded(HOST, { level: BigInt(i) }) })));
    const first = await store.getMany(HOST.table, [a!]);
    expect(first[0]).toMatchObject({ schemaId: HOST.serde.readerId });
    expect(await store.getMany(HOST.table, [a!])).toEqual([{ value: Buffer.from(first[0]!.value), schemaId: HOST.serde.readerId }]);
    expect(inner.calls.getMany).toBe(1);
    inner.reset();
    const got = await store.getMany(HOST.table, [c!, a!, b!, a!, [`none-${uniqueLong()}`]]);
    expect(got.map((v) => (v ? HOST.serde.decode(v)['level'] : null))).toEqual([2n, 0n, 1n, 0n, null]);
    expect(inner.calls).toMatchObject({ getMany: 1, keys: 3 });
    expect(lookups.at(-1)).toEqual([HOST.fullName, 1, 3]);
  });

  it('History: one entry holds the newest window of events; n up to it is a hit, more (and ranges) go to the store', async () => {
    const store = withCache(inner, memory, options());
    const key: KeyValues = [uniqueLong()];
    const events = [1000, 2000, 3000].map((at) => ({ key, event: { ...encoded(RICH, { matched_at: new Date(at), peer_user_id: BigInt(at) }), eventTime: new Date(at) } }));
    await store.appendMany(RICH.table, events);
    const latest = await store.latest(RICH.table, key, 2);
    expect(latest.map((e) => e.eventTime)).toEqual([new Date(3000), new Date(2000)]);
    const again = await store.latest(RICH.table, key, 3);
    // Event times of cached events come from the decoded values.
    expect(again.map((e) => e.eventTime)).toEqual([new Date(3000), new Date(2000), new Date(1000)]);
    expect(inner.calls.latest).toBe(1);
    await store.latest(RICH.table, key, RICH.maxEvents! + 1);
    await store.range(RICH.table, key, new Date(0), new Date(5000), 10);
    expect(inner.calls).toMatchObject({ latest: 2, range: 1 });
  });

  it('tables without a policy (no cache.ttl) always read the store', async () => {
    const store = withCache(inner, memory, options());
    const key: KeyValues = [uniqueLong()];
    await store.latest(WATCH.table, key, 5);
    await store.latest(WATCH.table, key, 5);
    expect(inner.calls.latest).toBe(2);
    expect(lookups).toEqual([]);
  });
});

describe('writes invalidate', () => {
  it('put and append delete the cached keys, so the next read sees the write', async () => {
    const store = withCache(inner, memory, options());
    const id: KeyValues = [`w-${uniqueLong()}`];
    await store.putMany(HOST.table, [{ key: id, value: encoded(HOST, { level: 1n }) }]);
    await store.getMany(HOST.table, [id]);
    await store.putMany(HOST.table, [{ key: id, value: encoded(HOST, { level: 2n }) }]);
    const [value] = await store.getMany(HOST.table, [id]);
    expect(HOST.serde.decode(value!)['level']).toBe(2n);

    const key: KeyValues = [uniqueLong()];
    const event = (at: number) => ({ key, event: { ...encoded(RICH, { matched_at: new Date(at), peer_user_id: 1n }), eventTime: new Date(at) } });
    await store.appendMany(RICH.table, [event(1)]);
    expect(await store.latest(RICH.table, key, 5)).toHaveLength(1);
    await store.appendMany(RICH.table, [event(2)]);
    expect(await store.latest(RICH.table, key, 5)).toHaveLength(2);
  });

  it('a delete the cache does not confirm rejects the write with CacheInvalidationError; the store holds the new value', async () => {
    const refusing: FeatureCache = {
      getMany: (keys) => memory.getMany(keys),
      setMany: (entries) => memory.setMany(entries),
      invalidate: async (keys) => {
        throw new CacheInvalidationError(keys.length, 3, new Error('frozen'));
      },
      ping: async () => false,
      close: () => memory.close(),
    };
    const store = withCache(inner, refusing, options());
    const id: KeyValues = [`refused-${uniqueLong()}`];
    await expect(store.putMany(HOST.table, [{ key: id, value: encoded(HOST, { level: 5n }) }])).rejects.toBeInstanceOf(CacheInvalidationError);
    const [stored] = await inner.getMany(HOST.table, [id]);
    expect(HOST.serde.decode(stored!)['level']).toBe(5n);
  });
});

describe('entries that are not what a fill writes', () => {
  const put = async (key: string, entry: CachedEntry) => memory.setMany([{ key, entry, ttlMs: 60_000 }]);

  it('a payload that does not decode is a miss: the store answers and the entry is replaced', async () => {
    const store = withCache(inner, memory, options());
    const id: KeyValues = [`corrupt-${uniqueLong()}`];
    await inner.putMany(HOST.table, [{ key: id, value: encoded(HOST, { level: 9n }) }]);
    const key = cacheKey(HOST.fullName, HOST.table.keyColumns, id);
    const good = Buffer.concat([Buffer.from([0xc3, 0x01]), Buffer.alloc(8), Buffer.from([0x02])]);
    good.writeBigInt64LE(HOST.serde.readerId, 2);
    await put(key, good); // header fine, payload one byte: truncated
    const deletes = vi.spyOn(memory, 'invalidate');
    const [value] = await store.getMany(HOST.table, [id]);
    expect(deletes).toHaveBeenCalledWith([key]);
    expect(HOST.serde.decode(value!)['level']).toBe(9n);
    expect(inner.calls.getMany).toBe(1);
    await vi.waitFor(async () => expect((await memory.getMany([key]))[0]).not.toEqual(good));
  });

  it('a value of a writer schema this process does not know: an Object entry is served (the read says "redeploy"), a History entry is a miss, and neither is deleted as corrupt', async () => {
    const unknown = options({ inspect: () => null });
    const store = withCache(inner, memory, unknown);
    const id: KeyValues = [`newer-${uniqueLong()}`];
    const key = cacheKey(HOST.fullName, HOST.table.keyColumns, id);
    const entry = Buffer.concat([Buffer.from([0xc3, 0x01]), Buffer.alloc(8, 0x7f), Buffer.from([0x00])]);
    await put(key, entry);
    const deletes = vi.spyOn(memory, 'invalidate');
    expect(await store.getMany(HOST.table, [id])).toEqual([{ schemaId: entry.readBigInt64LE(2), value: Buffer.from([0x00]) }]);
    expect(inner.calls.getMany).toBe(0);

    const user: KeyValues = [uniqueLong()];
    const historyKey = cacheKey(RICH.fullName, RICH.table.keyColumns, user);
    const historyEntry = Buffer.from([0x48, 0x01, 0, 0, 0, 1, 0, 0, 0, 11, ...entry]);
    await put(historyKey, historyEntry);
    expect(await store.latest(RICH.table, user, 1)).toEqual([]);
    expect(inner.calls.latest).toBe(1);
    expect(deletes).not.toHaveBeenCalled();
  });
});

describe('the runtime over withCache', () => {
  it('decodes each hit once: the decorator\'s inspection is the decode the typed read returns', async () => {
    const store = withCache(inner, memory, options({ inspect: (table, value) => inspectValue(byTable.get(table)!, value) }));
    const runtime = new StoreBackedRuntime(catalog, store, memory);
    const userId = `once-${uniqueLong()}`;
    await runtime.put('upsync-worker', HOST.fullName, [{ key: { user_id: userId }, value: { level: 2n ** 60n + 1n, country_code: 'KR' } }]);
    const reader = runtime.reader('live-recommender');
    const expected = { gender: 'MALE', level: 2n ** 60n + 1n, countryCode: 'KR', birthday: '2000-01-01' };
    expect(await reader.get(hakunaHostStatV1Descriptor, [userId])).toEqual(expected); // miss: fills the cache
    const decode = vi.spyOn(HOST.serde, 'decode');
    try {
      expect(await reader.get(hakunaHostStatV1Descriptor, [userId])).toEqual(expected); // hit
      expect(decode).toHaveBeenCalledTimes(1);
      expect(await runtime.getMany('live-recommender', HOST.fullName, [{ user_id: userId }])).toEqual([
        { gender: 'MALE', level: 2n ** 60n + 1n, country_code: 'KR', birthday: '2000-01-01' },
      ]);
      expect(decode).toHaveBeenCalledTimes(2);
    } finally {
      decode.mockRestore();
    }
    expect(await runtime.ready()).toEqual({ store: true, cache: true });
    await runtime.close();
  });
});
