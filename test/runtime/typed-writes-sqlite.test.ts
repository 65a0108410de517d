/**
 * Typed writes through the generated accessors bound to the runtime (embedded SQLite, no servers):
 * `put` on Object features and `append` on History features round-trip exactly (Longs beyond 2^53,
 * Dates, lists), the ACL's `access.write` decides who may, the generated zod schema refuses wrong
 * values before anything is written, and a client generated from a schema the runtime does not know
 * cannot write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeatures } from '../../generated/ts/index.ts';
import { hakunaHostStatV1Descriptor } from '../../generated/ts/live/hakuna-host-stat-v1.ts';
import {
  AccessDeniedError,
  createOnlineRuntime,
  InvalidInputError,
  UndeployedSchemaError,
  writableObjectAccessor,
  type OnlineRuntime,
} from '../../runtime/index.ts';
import { schemaFingerprint, type AvroSchemaJson } from '../../core/serde/index.ts';
import { uniqueLong } from './helpers/samples.ts';

let runtime: OnlineRuntime;
beforeAll(async () => {
  runtime = await createOnlineRuntime({ store: { kind: 'sqlite', path: ':memory:' } });
});
afterAll(() => runtime?.close());

describe('typed writes', () => {
  it('put then get (Object): the value comes back exactly, as the generated type', async () => {
    const writer = createFeatures(runtime.reader('upsync-worker'));
    const reader = createFeatures(runtime.reader('live-recommender'));
    const userId = `typed-${uniqueLong()}`;
    const value = { gender: 'FEMALE', level: 2n ** 63n - 1n, countryCode: 'KR', birthday: '1999-03-04' };
    await writer.live.hakunaHostStatV1.put({ userId }, value);
    expect(await reader.live.hakunaHostStatV1.get({ userId })).toEqual(value);
    // The by-name API reads the same row.
    expect(await runtime.getMany('live-recommender', 'live::hakuna-host-stat-v1', [{ user_id: userId }])).toEqual([
      { gender: 'FEMALE', level: 2n ** 63n - 1n, country_code: 'KR', birthday: '1999-03-04' },
    ]);
  });

  it('append then latest and range (History): newest first, lists and Longs beyond 2^53 exact', async () => {
    const writer = createFeatures(runtime.reader('realtime-calculator'));
    const reader = createFeatures(runtime.reader('live-recommender'));
    const viewerId = uniqueLong();
    const event = (at: number) => ({ watchedAt: new Date(at), roomId: 2n ** 53n + BigInt(at), watchSeconds: at, categoryTags: ['music'], giftAmounts: [0.5] });
    await writer.live.viewerWatchHistoryV1.append({ viewerId }, event(1000));
    await writer.live.viewerWatchHistoryV1.append({ viewerId }, event(2000));
    expect(await reader.live.viewerWatchHistoryV1.latest({ viewerId })).toEqual([event(2000), event(1000)]);
    expect(await reader.live.viewerWatchHistoryV1.range({ viewerId }, new Date(1500), new Date(3000))).toEqual([event(2000)]);
  });

  it('access.write decides: a consumer that only reads the feature is refused, naming it and the mode', async () => {
    const asReader = createFeatures(runtime.reader('live-recommender'));
    await expect(asReader.live.hakunaHostStatV1.put({ userId: 'x' }, { gender: 'M', level: 1n, countryCode: 'KR', birthday: '2000-01-01' })).rejects.toThrow(
      new AccessDeniedError('live-recommender', 'live::hakuna-host-stat-v1', 'write'),
    );
    const otherWriter = createFeatures(runtime.reader('upsync-worker'));
    await expect(otherWriter.live.viewerWatchHistoryV1.append({ viewerId: 1n }, { watchedAt: new Date(1), roomId: 1n, watchSeconds: 1, categoryTags: [], giftAmounts: [] })).rejects.toBeInstanceOf(
      AccessDeniedError,
    );
  });

  it('a number for a Long or a string for an Int is an InvalidInputError, and nothing is stored', async () => {
    const writer = createFeatures(runtime.reader('realtime-calculator'));
    const roomId = uniqueLong();
    const room = { viewerCount: 1, likeCount1m: 2, giftAmount10m: 1.5, clickThroughRate1h: 0.25, visionLabels: [], lastFrameAt: null, isAdultSuspected: false };
    const wrongInt = await writer.live.realtimeRoomContextV1.put({ roomId }, { ...room, viewerCount: '1' as unknown as number }).catch((e: unknown) => e);
    expect(wrongInt).toBeInstanceOf(InvalidInputError);
    expect(wrongInt).toMatchObject({ feature: 'live::realtime-room-context-v1', field: 'viewer_count' });
    const wrongLongKey = await writer.live.realtimeRoomContextV1.put({ roomId: 5 as unknown as bigint }, room).catch((e: unknown) => e);
    expect(wrongLongKey).toBeInstanceOf(InvalidInputError);
    expect((wrongLongKey as Error).message).toContain('field "roomId" (room_id): expected a bigint');
    expect(await runtime.getMany('live-recommender', 'live::realtime-room-context-v1', [{ room_id: roomId }, { room_id: 5n }])).toEqual([null, null]);
  });

  it('a client whose value schema this runtime does not know (generated from a newer manifest) is refused: UndeployedSchemaError', async () => {
    const schema = hakunaHostStatV1Descriptor.avroSchema as unknown as { fields: readonly object[] } & Record<string, unknown>;
    const newerSchema = { ...schema, fields: [...schema.fields, { name: 'extra', type: 'string', default: '' }] } as unknown as AvroSchemaJson;
    const newer = { ...hakunaHostStatV1Descriptor, avroSchema: newerSchema, fingerprint: schemaFingerprint(newerSchema) };
    const accessor = writableObjectAccessor(runtime.reader('upsync-worker'), newer);
    await expect(accessor.put({ userId: 'newer' }, { gender: 'M', level: 1n, countryCode: 'KR', birthday: '2000-01-01' })).rejects.toThrow(
      new UndeployedSchemaError('live::hakuna-host-stat-v1', newer.fingerprint),
    );
  });
});
