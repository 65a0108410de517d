/**
 * "An undecodable cache entry is a miss", for entries whose single-object header is intact but whose
 * payload is not (truncated, padded, overwritten): the read answers the store's value, JSON or Avro,
 * and the entry in Redis is replaced by a good one, instead of a 500 (or garbage Avro) until the TTL.
 * Against the real Redis, under a key prefix of this file's own.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auth, startReadApi, type ReadApiFixture } from '../server/read-api-fixture.ts';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `test:corrupt:${randomUUID()}:`;
const HOST = 'live::hakuna-host-stat-v1';
const RICH = 'azar-match::rich-history-v1';
const hostKey = `${prefix}fs:{${HOST}}:1001`;
const richKey = `${prefix}fs:{${RICH}}:42`;

const redis = new Redis(REDIS_URL);
let api: ReadApiFixture;
let goodHost: Buffer;
let goodRich: Buffer;

beforeAll(async () => {
  api = await startReadApi({ cache: { redisUrl: REDIS_URL, keyPrefix: prefix } });
  await getHost();
  await latest();
  goodHost = await vi.waitFor(async () => expectBuffer(await redis.getBuffer(hostKey)));
  goodRich = await vi.waitFor(async () => expectBuffer(await redis.getBuffer(richKey)));
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await api?.close();
});

function expectBuffer(b: Buffer | null): Buffer {
  expect(b).not.toBeNull();
  return b as Buffer;
}

const getHost = (accept = 'application/json') =>
  api.app.inject({ method: 'POST', url: `/v1/features/${HOST}/get`, headers: { ...auth('anomaly-detector'), accept }, payload: { keys: [{ user_id: '1001' }] } });
const latest = () =>
  api.app.inject({ method: 'POST', url: `/v1/features/${RICH}/latest`, headers: auth('anomaly-detector'), payload: { key: { user_id: '42' }, n: 3 } });

const expectedHost = { gender: 'FEMALE', level: '12', country_code: 'KR', birthday: '1999-03-04' };

/** Each keeps the `C3 01` + fingerprint header, so only a full decode can tell. */
const CORRUPTIONS: readonly [string, (good: Buffer) => Buffer][] = [
  ['payload truncated by 3 bytes', (g) => g.subarray(0, g.length - 3)],
  ['header only, no payload', (g) => g.subarray(0, 10)],
  ['trailing garbage after the value', (g) => Buffer.concat([g, Buffer.from([0x01, 0x02, 0x03])])],
  ['a string length pointing past the end', (g) => Buffer.concat([g.subarray(0, 10), Buffer.from([0x7e, 0x41])])],
];

describe('corrupt Object entries', () => {
  it.each(CORRUPTIONS)('%s: JSON read answers the stored value, and the entry is rewritten', async (_name, corrupt) => {
    await redis.set(hostKey, corrupt(goodHost), 'PX', 60_000);
    const res = await getHost();
    expect(res.statusCode).toBe(200);
    expect(res.json().values).toEqual([expectedHost]);
    await vi.waitFor(async () => expect(await redis.getBuffer(hostKey)).toEqual(goodHost));
  });

  it.each(CORRUPTIONS)('%s: Avro read answers the stored bytes, not the corrupt ones', async (_name, corrupt) => {
    const bad = corrupt(goodHost);
    await redis.set(hostKey, bad, 'PX', 60_000);
    const res = await getHost('application/avro');
    expect(res.statusCode).toBe(200);
    const body = res.rawPayload;
    expect(body.includes(goodHost.subarray(10))).toBe(true);
    await vi.waitFor(async () => expect(await redis.getBuffer(hostKey)).toEqual(goodHost));
  });

  it('a corrupt entry is deleted even when no fill follows (the store row is gone meanwhile)', async () => {
    const key = `${prefix}fs:{${HOST}}:no-such-user`;
    await redis.set(key, goodHost.subarray(0, goodHost.length - 1), 'PX', 60_000);
    const res = await api.app.inject({ method: 'POST', url: `/v1/features/${HOST}/get`, headers: auth('anomaly-detector'), payload: { keys: [{ user_id: 'no-such-user' }] } });
    expect(res.json().values).toEqual([null]);
    // Replaced by a cached absence (empty) or deleted: never the corrupt bytes again.
    await vi.waitFor(async () => expect([null, 0]).toContain((await redis.getBuffer(key))?.length ?? null));
  });
});

describe('corrupt History entries', () => {
  it('one truncated event inside a well-framed History entry makes the entry a miss', async () => {
    // Layout: 48 01, u32 count, then per event u32 length + single-object bytes. Cut the first event's
    // payload by one byte and fix its length, so the framing stays valid.
    const firstLength = goodRich.readUInt32BE(6);
    const rest = goodRich.subarray(10 + firstLength);
    const event = goodRich.subarray(10, 10 + firstLength - 1);
    const head = Buffer.from(goodRich.subarray(0, 10));
    head.writeUInt32BE(firstLength - 1, 6);
    await redis.set(richKey, Buffer.concat([head, event, rest]), 'PX', 60_000);
    const res = await latest();
    expect(res.statusCode).toBe(200);
    expect(res.json().values).toHaveLength(3);
    await vi.waitFor(async () => expect(await redis.getBuffer(richKey)).toEqual(goodRich));
  });
});
