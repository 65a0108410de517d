/**
 * End to end, the way a service uses the feature store: the generated typed client reading through
 * the runtime from a real Cassandra node behind the real Redis, acting as one consumer.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createFeatures, features } from '../../generated/ts/index.ts';
import type { HakunaHostStatV1Value } from '../../generated/ts/live/hakuna-host-stat-v1.ts';
import { AccessDeniedError, configureFeatureReader, createOnlineRuntime, type OnlineRuntime } from '../../runtime/index.ts';
import { createTestKeyspace, dropTestKeyspace } from '../conformance/cassandra-keyspace.ts';
import { uniqueLong } from './helpers/samples.ts';

const HOST = 'live::hakuna-host-stat-v1';
let keyspace: string;
let runtime: OnlineRuntime;

beforeAll(async () => {
  keyspace = await createTestKeyspace('typed');
  runtime = await createOnlineRuntime({
    store: { kind: 'cassandra', keyspace },
    cache: { redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', keyPrefix: `test-${randomUUID()}:` },
  });
  configureFeatureReader(runtime.reader('live-recommender'));
});
afterAll(async () => {
  configureFeatureReader(null);
  await runtime?.close();
  await dropTestKeyspace(keyspace);
});

describe('generated typed accessors over Cassandra + Redis', () => {
  it('get returns a typed value with defaults filled; an absent key is null', async () => {
    await runtime.put('upsync-worker', HOST, [{ key: { user_id: '1001' }, value: { level: 12n, country_code: 'KR' } }]);
    const host = await features.live.hakunaHostStatV1.get({ userId: '1001' });
    expectTypeOf(host).toEqualTypeOf<HakunaHostStatV1Value | null>();
    expect(host).toEqual({ gender: 'MALE', level: 12n, countryCode: 'KR', birthday: '2000-01-01' });
    // The second read is a cache hit and must decode to the same value.
    expect(await features.live.hakunaHostStatV1.get({ userId: '1001' })).toEqual(host);
    expect(await features.live.hakunaHostStatV1.get({ userId: 'no-such-host' })).toBeNull();
  });

  it('getMany preserves input order, duplicates and gaps included', async () => {
    const ids = ['2001', '2002', '2003'];
    await runtime.put('upsync-worker', HOST, ids.map((id, i) => ({ key: { user_id: id }, value: { level: BigInt(i) } })));
    const got = await features.live.hakunaHostStatV1.getMany([{ userId: '2003' }, { userId: 'gap' }, { userId: '2001' }, { userId: '2003' }]);
    expect(got.map((v) => v?.level ?? null)).toEqual([2n, null, 0n, 2n]);
  });

  it('History: latest and range, camelCase, newest first', async () => {
    const viewerId = uniqueLong();
    await runtime.append('realtime-calculator', 'live::viewer-watch-history-v1', [
      { key: { viewer_id: viewerId }, value: { watched_at: new Date(1000), room_id: 1n, gift_amounts: [1.5] } },
      { key: { viewer_id: viewerId }, value: { watched_at: new Date(2000), room_id: 2n } },
    ]);
    const latest = await features.live.viewerWatchHistoryV1.latest({ viewerId });
    expect(latest).toEqual([
      { watchedAt: new Date(2000), roomId: 2n, watchSeconds: 0, categoryTags: [], giftAmounts: [] },
      { watchedAt: new Date(1000), roomId: 1n, watchSeconds: 0, categoryTags: [], giftAmounts: [1.5] },
    ]);
    const range = await features.live.viewerWatchHistoryV1.range({ viewerId }, new Date(1500), new Date(5000));
    expect(range.map((e) => e.roomId)).toEqual([2n]);
  });

  it('the ACL applies to typed reads: another consumer is refused, naming the feature', async () => {
    const asMatcher = createFeatures(runtime.reader('match-recommender'));
    await expect(asMatcher.live.hakunaHostStatV1.get({ userId: '1001' })).rejects.toThrow(new AccessDeniedError('match-recommender', HOST, 'read'));
    const lounge = createFeatures(runtime.reader('lounge-recommender'));
    await expect(lounge.azarLounge.userInteractionV1.get({ userId: 1n, targetUserId: 2n })).resolves.toBeNull();
  });

  it('keys are checked before any I/O, with the field named', async () => {
    await expect(features.live.hakunaHostStatV1.get({ userId: 1001 } as never)).rejects.toThrow(/field "userId"/);
  });
});

/** Compile-time checks: `tsc` fails if any of these lines stops being an error. Never executed. */
export function typeChecks(): void {
  // @ts-expect-error a misspelt key field
  void features.live.hakunaHostStatV1.get({ user_id: '1001' });
  // @ts-expect-error a key of the wrong type
  void features.live.hakunaHostStatV1.get({ userId: 1001 });
  // @ts-expect-error a missing key field of a composite key
  void features.azarLounge.userInteractionV1.get({ userId: 1n });
  void features.live.hakunaHostStatV1.get({ userId: '1' }).then((v) => {
    // @ts-expect-error value fields are camelCase
    void v?.country_code;
  });
  // @ts-expect-error History features have no get
  void features.live.viewerWatchHistoryV1.get;
}
