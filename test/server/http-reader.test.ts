/**
 * The generated typed clients over HTTP: a real listening server, `createHttpFeatureReader`, and the
 * same reads in process (`runtime.reader(consumer)`) must give identical typed values — bigints beyond
 * 2^53, Dates, Uint8Arrays, nulls, lists — and the same error classes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeatures } from '../../generated/ts/index.ts';
import { createHttpFeatureReader, ReadApiError } from '../../runtime/read/http-reader.ts';
import { AccessDeniedError, UnknownFeatureError } from '../../runtime/read/online-runtime.ts';
import { cassandraStore, startPrivateRedis, type PrivateRedis } from './backing-services.ts';
import { BIG_COUNT, BIG_USER_ID, keyOf, startReadApi, T0, type FixtureStore, type ReadApiFixture } from './read-api-fixture.ts';

interface Listening {
  readonly api: ReadApiFixture;
  readonly url: string;
}

async function listen(store?: FixtureStore, redisUrl?: string): Promise<Listening> {
  const api = await startReadApi({ ...(store ? { store } : {}), ...(redisUrl ? { cache: { redisUrl } } : {}) });
  const url = await api.app.listen({ port: 0, host: '127.0.0.1' });
  return { api, url };
}

/** Both transports for one consumer: over HTTP, and the runtime's in-process typed reader. */
function clients(l: Listening, consumer: string) {
  return {
    http: createFeatures(createHttpFeatureReader({ baseUrl: l.url, apiKey: keyOf(consumer) })),
    local: createFeatures(l.api.runtime.reader(consumer)),
  };
}

describe('HTTP transport over SQLite', () => {
  let l: Listening;
  beforeAll(async () => {
    l = await listen();
  });
  afterAll(async () => l?.api.close());

  it('hakunaHostStatV1.get: camelCase properties, Long as bigint', async () => {
    const { http } = clients(l, 'live-recommender');
    expect(await http.live.hakunaHostStatV1.get({ userId: '1001' })).toEqual({ gender: 'FEMALE', level: 12n, countryCode: 'KR', birthday: '1999-03-04' });
    expect(await http.live.hakunaHostStatV1.get({ userId: 'nobody' })).toBeNull();
  });

  it('bigints beyond 2^53, Uint8Array, null, Dates round-trip exactly, equal to the in-process reads', async () => {
    const { http, local } = clients(l, 'match-recommender');
    const stats = await http.azarLounge.userStatsV1.get({ userId: BIG_USER_ID });
    expect(stats).toEqual({
      gender: 'F', countryCode: 'KR', age: null, avgChatSec: 12.5, totalMatches: BIG_COUNT, isVerified: true,
      profilePhotoHash: Buffer.from([0, 255, 1, 128]),
    });
    expect(stats?.totalMatches).toBe(4_611_686_018_427_387_904n);
    expect(stats?.profilePhotoHash).toBeInstanceOf(Uint8Array);
    expect(stats).toEqual(await local.azarLounge.userStatsV1.get({ userId: BIG_USER_ID }));
    const embedding = await http.azarMatch.userEmbeddingV2.get({ userId: 42n });
    expect(embedding?.trainedAt).toEqual(T0);
    expect(embedding).toEqual(await local.azarMatch.userEmbeddingV2.get({ userId: 42n }));
  });

  it('getMany preserves order with nulls; composite keys', async () => {
    const { http, local } = clients(l, 'lounge-recommender');
    const keys = [{ userId: 2n, targetUserId: 3n }, { userId: 1n, targetUserId: BIG_USER_ID }];
    const values = await http.azarLounge.userInteractionV1.getMany(keys);
    expect(values[0]).toBeNull();
    expect(values[1]).toEqual({ impressions28d: 5, clicks28d: 2, likes28d: 1, lastInteractionAt: T0 });
    expect(values).toEqual(await local.azarLounge.userInteractionV1.getMany(keys));
  });

  it('History latest and range: Dates, bigints and lists, newest first, as in process', async () => {
    const { http, local } = clients(l, 'live-recommender');
    const latest = await http.live.viewerWatchHistoryV1.latest({ viewerId: 5n }, 20);
    expect(latest).toHaveLength(20);
    expect(latest[0]).toEqual({ watchedAt: new Date(T0.getTime() + 29 * 60_000), roomId: 729n, watchSeconds: 89, categoryTags: ['music'], giftAmounts: [] });
    expect(latest).toEqual(await local.live.viewerWatchHistoryV1.latest({ viewerId: 5n }, 20));
    const from = new Date(T0.getTime() + 3 * 60_000);
    const to = new Date(T0.getTime() + 7 * 60_000);
    const range = await http.live.viewerWatchHistoryV1.range({ viewerId: 5n }, from, to);
    expect(range.map((e) => e.roomId)).toEqual([706n, 705n, 704n, 703n]);
    expect(range).toEqual(await local.live.viewerWatchHistoryV1.range({ viewerId: 5n }, from, to));
    const room = clients(l, 'live-recommender');
    expect(await room.http.live.realtimeRoomContextV1.get({ roomId: 777n })).toEqual(await room.local.live.realtimeRoomContextV1.get({ roomId: 777n }));
  });

  it('throws the in-process error classes: AccessDeniedError naming the feature, UnknownFeatureError', async () => {
    const { http } = clients(l, 'live-recommender');
    const denied = await http.azarLounge.userStatsV1.get({ userId: 1n }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(AccessDeniedError);
    expect(denied).toMatchObject({ feature: 'azar-lounge::user-stats-v1', consumer: 'live-recommender' });
    const reader = createHttpFeatureReader({ baseUrl: l.url, apiKey: keyOf('live-recommender') });
    const descriptor = { ...createFeatures(reader).live.hakunaHostStatV1.descriptor, fullName: 'live::gone-v1' };
    await expect(reader.get(descriptor, ['1'])).rejects.toBeInstanceOf(UnknownFeatureError);
  });

  it('a wrong key is a ReadApiError with status 401; accessors still check arguments before any request', async () => {
    const http = createFeatures(createHttpFeatureReader({ baseUrl: `${l.url}/`, apiKey: 'wrong' }));
    const e = await http.live.hakunaHostStatV1.get({ userId: '1001' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ReadApiError);
    expect(e).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    const ok = clients(l, 'live-recommender').http;
    await expect(ok.live.viewerWatchHistoryV1.latest({ viewerId: 5n }, 51)).rejects.toThrow(RangeError);
  });

  it('uses an injected fetch (one keep-alive agent per process by default)', async () => {
    const urls: string[] = [];
    const counting: typeof fetch = async (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    const http = createFeatures(createHttpFeatureReader({ baseUrl: l.url, apiKey: keyOf('live-recommender'), fetch: counting }));
    await http.live.hakunaHostStatV1.get({ userId: '1001' });
    expect(urls).toEqual([`${l.url}/v1/features/live%3A%3Ahakuna-host-stat-v1/get`]);
  });
});

describe('HTTP transport over Cassandra + Redis', () => {
  let cassandra: Awaited<ReturnType<typeof cassandraStore>>;
  let redis: PrivateRedis;
  let l: Listening;
  beforeAll(async () => {
    cassandra = await cassandraStore('read_api_http');
    redis = await startPrivateRedis();
    l = await listen(cassandra.store, redis.url);
  });
  afterAll(async () => {
    await l?.api.close();
    await redis?.kill();
    await cassandra?.drop();
  });

  it('reads the same typed values as in process, cold and cached', async () => {
    const { http, local } = clients(l, 'anomaly-detector');
    for (let i = 0; i < 2; i++) {
      const stats = await http.azarLounge.userStatsV1.getMany([{ userId: BIG_USER_ID }, { userId: 7n }]);
      expect(stats[0]?.totalMatches).toBe(BIG_COUNT);
      expect(stats).toEqual(await local.azarLounge.userStatsV1.getMany([{ userId: BIG_USER_ID }, { userId: 7n }]));
      const rich = await http.azarMatch.richHistoryV1.latest({ userId: 42n }, 3);
      expect(rich.map((e) => e.peerUserId)).toEqual([BIG_USER_ID + 2n, BIG_USER_ID + 1n, BIG_USER_ID]);
      expect(rich).toEqual(await local.azarMatch.richHistoryV1.latest({ userId: 42n }, 3));
    }
  });
});
