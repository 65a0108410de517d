/**
 * The Redis read-through cache, through the runtime, over a store that counts its calls: hits avoid the
 * store, one MGET per request, single-flight, invalidation by every write path, bounded negative caching.
 * Uses the shared Redis with a key prefix of its own (never flushed).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_CACHE_TTL_MS } from '../../runtime/cache/index.ts';
import { createOnlineRuntime, type OnlineRuntime } from '../../runtime/index.ts';
import { SqliteOnlineStore } from '../../runtime/online/sqlite/sqlite-online-store.ts';
import { CountingStore } from './helpers/counting-store.ts';
import { uniqueLong } from './helpers/samples.ts';

const HOST = 'live::hakuna-host-stat-v1';
const ROOM = 'live::realtime-room-context-v1';
const RICH = 'azar-match::rich-history-v1';
const WATCH = 'live::viewer-watch-history-v1';
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `test-${randomUUID()}:`;
const redis = new Redis(REDIS_URL);

let store: CountingStore;
let runtime: OnlineRuntime;
const lookups: { feature: string; hits: number; misses: number }[] = [];

beforeAll(async () => {
  store = new CountingStore(new SqliteOnlineStore({ path: ':memory:' }));
  runtime = await createOnlineRuntime({
    store: { kind: 'custom', store },
    cache: { redisUrl: REDIS_URL, keyPrefix: prefix, negativeTtlMs: 300, maxNegativeWrites: 2 },
    observer: { cacheLookup: (feature, hits, misses) => lookups.push({ feature, hits, misses }) },
  });
  expect(await runtime.ready()).toEqual({ store: true, cache: true });
});
afterAll(async () => {
  await runtime?.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});
beforeEach(() => {
  store.reset();
  store.delayMs = 0;
  lookups.length = 0;
});

const host = (id: string, level: bigint) => ({ key: { user_id: id }, value: { level } });
const read = (ids: string[]) => runtime.getMany('live-recommender', HOST, ids.map((user_id) => ({ user_id })));

describe('read-through', () => {
  it('a hit never reaches the store; the entry is the single-object encoding under the documented key', async () => {
    const id = `hit:${uniqueLong()}%`;
    await runtime.put('upsync-worker', HOST, [host(id, 1n)]);
    expect((await read([id]))[0]).toMatchObject({ level: 1n });
    expect(store.calls.getMany).toBe(1);
    expect((await read([id]))[0]).toMatchObject({ level: 1n });
    expect(store.calls.getMany).toBe(1);
    expect(lookups.at(-1)).toEqual({ feature: HOST, hits: 1, misses: 0 });

    const escaped = id.replace(/%/g, '%25').replace(/:/g, '%3A');
    const raw = await redis.getBuffer(`${prefix}fs:{${HOST}}:${escaped}`);
    expect(raw?.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(raw?.subarray(10)).toEqual(Buffer.from((await runtime.getManyAvro('live-recommender', HOST, [{ user_id: id }]))[0]!));
    expect(raw?.readBigInt64LE(2)).toBe(runtime.features.get(HOST)!.avroFingerprint);
    const ttl = await redis.pttl(`${prefix}fs:{${HOST}}:${escaped}`);
    // cache.ttl is 10m, capped at MAX_CACHE_TTL_MS (the staleness bound, docs/online-runtime.md).
    expect(ttl).toBeGreaterThan(MAX_CACHE_TTL_MS - 10_000);
    expect(ttl).toBeLessThanOrEqual(MAX_CACHE_TTL_MS);
  });

  it('a multi-key read asks the store only for the misses, in one call, and keeps order', async () => {
    const [a, b, c] = [`m-${uniqueLong()}`, `m-${uniqueLong()}`, `m-${uniqueLong()}`];
    await runtime.put('upsync-worker', HOST, [host(a, 1n), host(b, 2n), host(c, 3n)]);
    await read([b]);
    store.reset();
    const got = await read([c, b, a, b]);
    expect(got.map((v) => v?.['level'])).toEqual([3n, 2n, 1n, 2n]);
    expect(store.calls).toMatchObject({ getMany: 1, keys: 2 });
    expect(lookups.at(-1)).toEqual({ feature: HOST, hits: 1, misses: 2 });
  });

  it('concurrent misses of one key cause one store read (single-flight)', async () => {
    const id = `flight-${uniqueLong()}`;
    await runtime.put('upsync-worker', HOST, [host(id, 9n)]);
    store.delayMs = 50;
    const results = await Promise.all(Array.from({ length: 20 }, () => read([id])));
    expect(results.every(([v]) => v?.['level'] === 9n)).toBe(true);
    expect(store.calls.getMany).toBe(1);
  });

  it('every write path invalidates: put (Object) and append (History)', async () => {
    const id = `inv-${uniqueLong()}`;
    await runtime.put('upsync-worker', HOST, [host(id, 1n)]);
    await read([id]);
    await runtime.put('upsync-worker', HOST, [host(id, 2n)]);
    expect((await read([id]))[0]).toMatchObject({ level: 2n });

    const user = uniqueLong();
    const match = (at: number) => ({ key: { user_id: user }, value: { matched_at: new Date(at), peer_user_id: BigInt(at) } });
    await runtime.append('realtime-calculator', RICH, [match(1000)]);
    expect(await runtime.latest('match-recommender', RICH, { user_id: user }, 5)).toHaveLength(1);
    expect(await runtime.latest('match-recommender', RICH, { user_id: user }, 1)).toHaveLength(1);
    expect(store.calls.latest).toBe(1); // the second read, for fewer events, came from the cache
    await runtime.append('realtime-calculator', RICH, [match(2000)]);
    const events = await runtime.latest('match-recommender', RICH, { user_id: user }, 5);
    expect(events.map((e) => e['peer_user_id'])).toEqual([2000n, 1000n]);
    expect(store.calls.latest).toBe(2);
  });

  it('a write during a slow load keeps that load from caching the old value', async () => {
    const id = `race-${uniqueLong()}`;
    await runtime.put('upsync-worker', HOST, [host(id, 1n)]);
    store.delayMs = 100;
    const slow = read([id]);
    await sleep(20);
    store.delayMs = 0;
    await runtime.put('upsync-worker', HOST, [host(id, 2n)]);
    await slow;
    expect((await read([id]))[0]).toMatchObject({ level: 2n });
  });

  it('features without cache.ttl always read the store', async () => {
    const viewer = uniqueLong();
    await runtime.latest('live-recommender', WATCH, { viewer_id: viewer });
    await runtime.latest('live-recommender', WATCH, { viewer_id: viewer });
    expect(store.calls.latest).toBe(2);
    expect(lookups).toEqual([]);
  });
});

describe('negative caching', () => {
  it('caches an absence briefly (min of feature TTL and negativeTtlMs); a put replaces it at once', async () => {
    const id = `neg-${uniqueLong()}`;
    expect(await read([id])).toEqual([null]);
    expect(await read([id])).toEqual([null]);
    expect(store.calls.getMany).toBe(1);
    await sleep(400); // negativeTtlMs is 300 here
    await read([id]);
    expect(store.calls.getMany).toBe(2);
    await runtime.put('upsync-worker', HOST, [host(id, 4n)]);
    expect((await read([id]))[0]).toMatchObject({ level: 4n });
  });

  it('writes at most maxNegativeWrites absences per request', async () => {
    const ids = Array.from({ length: 5 }, () => `many-${uniqueLong()}`);
    await read(ids);
    store.reset();
    await read(ids);
    expect(store.calls).toMatchObject({ getMany: 1, keys: 3 });
  });

  it('an absence is stored as an empty string with the negative TTL', async () => {
    const room = uniqueLong();
    await runtime.getMany('live-recommender', ROOM, [{ room_id: room }]);
    // The fill is not awaited by the read, and this client has its own connection: poll.
    const ttl = await vi.waitFor(async () => {
      const t = await redis.pttl(`${prefix}fs:{${ROOM}}:${room}`);
      expect(t).toBeGreaterThan(0);
      return t;
    });
    expect(ttl).toBeLessThanOrEqual(300);
    expect(await redis.strlen(`${prefix}fs:{${ROOM}}:${room}`)).toBe(0);
  });
});
