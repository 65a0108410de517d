/**
 * runtime.writer (runtime/write/online-writer.ts): writes of already-encoded tagged bytes, as the sync
 * jobs make them, on the embedded SQLite store. The bytes are stored as given and read back by every
 * reader; the ACL's `access.write` applies; rows no reader of this deployment could decode are refused
 * before anything is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeatures } from '../../generated/ts/index.ts';
import {
  AccessDeniedError,
  createOnlineRuntime,
  encodeFeatureValue,
  InvalidInputError,
  WRITE_ERRORS,
  WrongFeatureTypeError,
  type OnlineRuntime,
} from '../../runtime/index.ts';
import { hakunaHostStatV1Descriptor } from '../../generated/ts/live/hakuna-host-stat-v1.ts';
import { viewerWatchHistoryV1Descriptor } from '../../generated/ts/live/viewer-watch-history-v1.ts';
import { uniqueLong } from './helpers/samples.ts';

const HOST = 'live::hakuna-host-stat-v1';
const WATCH = 'live::viewer-watch-history-v1';
const hostValue = { gender: 'FEMALE', level: 2n ** 62n + 3n, countryCode: 'KR', birthday: '1999-03-04' };
const hostBytes = encodeFeatureValue(hakunaHostStatV1Descriptor, hostValue);
const schemaId = hakunaHostStatV1Descriptor.fingerprint;

let runtime: OnlineRuntime;
beforeAll(async () => {
  runtime = await createOnlineRuntime({ store: { kind: 'sqlite', path: ':memory:' } });
});
afterAll(() => runtime?.close());

function refusal(promise: Promise<unknown>): Promise<InvalidInputError> {
  return promise.then(
    () => {
      throw new Error('expected the write to be refused');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(InvalidInputError);
      return e as InvalidInputError;
    },
  );
}

describe('encoded writes', () => {
  it('stores the bytes as given; every reader reads them', async () => {
    const userId = `enc-${uniqueLong()}`;
    await runtime.writer.put('upsync-worker', HOST, [{ key: [userId], value: { value: hostBytes, schemaId, updatedAt: new Date(5) } }]);
    expect(await createFeatures(runtime.reader('live-recommender')).live.hakunaHostStatV1.get({ userId })).toEqual(hostValue);
    const [avro] = await runtime.getManyAvro('live-recommender', HOST, [{ user_id: userId }]);
    expect(Buffer.from(avro!)).toEqual(hostBytes);
  });

  it('History: events with their event time, which must be the value\'s event-time field', async () => {
    const viewerId = uniqueLong();
    const event = { watchedAt: new Date(7000), roomId: 2n ** 60n, watchSeconds: 3, categoryTags: ['a'], giftAmounts: [] };
    const bytes = encodeFeatureValue(viewerWatchHistoryV1Descriptor, event);
    const id = viewerWatchHistoryV1Descriptor.fingerprint;
    await runtime.writer.append('realtime-calculator', WATCH, [{ key: [viewerId], event: { value: bytes, schemaId: id, updatedAt: new Date(1), eventTime: new Date(7000) } }]);
    expect(await createFeatures(runtime.reader('live-recommender')).live.viewerWatchHistoryV1.latest({ viewerId })).toEqual([event]);
    const mismatch = await refusal(
      runtime.writer.append('realtime-calculator', WATCH, [{ key: [viewerId], event: { value: bytes, schemaId: id, updatedAt: new Date(1), eventTime: new Date(8000) } }]),
    );
    expect(mismatch.message).toBe(`${WATCH}.watched_at: ${WRITE_ERRORS.eventTimeMismatch('watched_at', new Date(8000), new Date(7000), ' (at rows[0])')}`);
  });

  it('the ACL and the feature type apply, as on every write path', async () => {
    const row = { key: ['x'], value: { value: hostBytes, schemaId, updatedAt: new Date() } };
    await expect(runtime.writer.put('live-recommender', HOST, [row])).rejects.toThrow(new AccessDeniedError('live-recommender', HOST, 'write'));
    await expect(runtime.writer.put('realtime-calculator', HOST, [row])).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(runtime.writer.append('realtime-calculator', 'live::realtime-room-context-v1', [])).rejects.toBeInstanceOf(WrongFeatureTypeError);
  });

  it('refuses rows no reader could read, before writing any of them', async () => {
    const userId = `bad-${uniqueLong()}`;
    const good = { key: [userId], value: { value: hostBytes, schemaId, updatedAt: new Date() } };
    const put = (bad: unknown) => runtime.writer.put('upsync-worker', HOST, [good, bad as typeof good]);
    expect((await refusal(put({ key: [userId], value: { value: hostBytes, schemaId: 42n, updatedAt: new Date() } }))).message).toBe(
      `${HOST}: ${WRITE_ERRORS.unknownSchema(42n, ' (at rows[1])')}`,
    );
    expect((await refusal(put({ key: [userId], value: { value: hostBytes.subarray(0, 3), schemaId, updatedAt: new Date() } }))).message).toMatch(
      new RegExp(`^${HOST}: the value bytes do not decode under writer schema ${schemaId}: .+ \\(at rows\\[1\\]\\)$`),
    );
    expect((await refusal(put({ key: [userId], value: { value: Buffer.concat([hostBytes, Buffer.from([1])]), schemaId, updatedAt: new Date() } }))).message).toContain('do not decode');
    expect((await refusal(put({ key: [7], value: good.value }))).field).toBe('user_id');
    expect((await refusal(put({ key: [userId], value: { value: 'AAE=', schemaId, updatedAt: new Date() } }))).message).toBe(`${HOST}: ${WRITE_ERRORS.notBytes(' (at rows[1])')}`);
    expect((await refusal(put({ key: [userId], value: { value: hostBytes, schemaId, updatedAt: new Date(Number.NaN) } }))).message).toContain('updatedAt must be a valid Date');
    expect(await runtime.getMany('live-recommender', HOST, [{ user_id: userId }])).toEqual([null]);
  });
});
