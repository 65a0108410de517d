/**
 * createOnlineRuntime on the embedded SQLite store: name-based reads and writes of Object and History
 * features, key coercion and its errors, defaults on write, Avro output, and every consumer × feature
 * ACL pair of the example features, read and write.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  createOnlineRuntime,
  InvalidInputError,
  parseAvroType,
  UnknownFeatureError,
  WrongFeatureTypeError,
  type OnlineRuntime,
} from '../../runtime/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { sampleRow, uniqueLong } from './helpers/samples.ts';

const HOST = 'live::hakuna-host-stat-v1';
const INTERACTION = 'azar-lounge::user-interaction-v1';
const WATCH = 'live::viewer-watch-history-v1';

let runtime: OnlineRuntime;
beforeAll(async () => {
  runtime = await createOnlineRuntime({ store: { kind: 'sqlite', path: path.join(await tempDir('runtime-sqlite'), 'online.db') } });
});
afterAll(() => runtime?.close());

describe('Object features', () => {
  it('put then getMany: order, absence, exact longs, defaults filled for fields left out', async () => {
    const [a, b] = [`host-${uniqueLong()}`, `host-${uniqueLong()}`];
    await runtime.put('upsync-worker', HOST, [
      { key: { user_id: a }, value: { gender: 'FEMALE', level: 2n ** 62n, country_code: 'KR', birthday: '1990-02-03' } },
      { key: { user_id: b }, value: { level: '7' } },
    ]);
    const got = await runtime.getMany('live-recommender', HOST, [{ user_id: b }, { user_id: 'nobody' }, { user_id: a }]);
    expect(got).toEqual([
      { gender: 'MALE', level: 7n, country_code: 'XX', birthday: '2000-01-01' },
      null,
      { gender: 'FEMALE', level: 2n ** 62n, country_code: 'KR', birthday: '1990-02-03' },
    ]);
  });

  it('composite Long keys accept bigint, decimal string and safe integer alike', async () => {
    const u = uniqueLong();
    await runtime.put('upsync-worker', INTERACTION, [{ key: { user_id: u, target_user_id: 5 }, value: { impressions_28d: 3, last_interaction_at: new Date(1234) } }]);
    const forms = [{ user_id: u, target_user_id: 5n }, { user_id: u.toString(), target_user_id: '5' }, { user_id: u, target_user_id: 5 }];
    const got = await runtime.getMany('lounge-recommender', INTERACTION, forms);
    for (const value of got) expect(value).toEqual({ impressions_28d: 3, clicks_28d: 0, likes_28d: 0, last_interaction_at: new Date(1234) });
    expect(await runtime.getMany('lounge-recommender', INTERACTION, [{ user_id: 5, target_user_id: u }])).toEqual([null]);
  });

  it('getManyAvro returns the current reader schema binary', async () => {
    const id = `avro-${uniqueLong()}`;
    await runtime.put('upsync-worker', HOST, [{ key: { user_id: id }, value: { level: 3n } }]);
    const [bytes, absent] = await runtime.getManyAvro('live-recommender', HOST, [{ user_id: id }, { user_id: 'none' }]);
    const info = runtime.features.get(HOST)!;
    const type = parseAvroType(JSON.parse(info.avroSchemaText));
    expect(type.fromBuffer(Buffer.from(bytes!))).toMatchObject({ level: 3n, gender: 'MALE' });
    expect(absent).toBeNull();
  });

  it('reserved-word fields, every type, 64-bit list defaults and Bytes (golden fixture)', async () => {
    const golden = await createOnlineRuntime({ generatedDir: 'test/fixtures/golden/expected', store: { kind: 'sqlite', path: ':memory:' } });
    try {
      await golden.put('ranker', 'edge::reserved-words-v1', [{ key: { select: 's', order: -1n }, value: { blob: 'AAE=' } }]);
      const [value] = await golden.getMany('notebook', 'edge::reserved-words-v1', [{ select: 's', order: '-1' }]);
      expect(value).toEqual({
        from: -2147483648,
        class: 'it\'s "quoted"',
        def: true,
        default: 1.5e-7,
        key: -0.25,
        delete: [2n ** 63n - 1n, -(2n ** 63n)],
        blob: Buffer.from([0, 1]),
        when: new Date('2024-02-29T12:34:56.789Z'),
        maybe: null,
      });
    } finally {
      await golden.close();
    }
  });
});

describe('History features', () => {
  it('append then latest (newest first, default n = maxEvents) and range', async () => {
    const viewer = uniqueLong();
    const event = (at: number) => ({ key: { viewer_id: viewer }, value: { watched_at: new Date(at), room_id: BigInt(at), category_tags: ['x'] } });
    await runtime.append('realtime-calculator', WATCH, [event(1000), event(3000), event(2000)]);
    const latest = await runtime.latest('live-recommender', WATCH, { viewer_id: viewer.toString() });
    expect(latest.map((e) => e['room_id'])).toEqual([3000n, 2000n, 1000n]);
    expect(latest[0]).toEqual({ watched_at: new Date(3000), room_id: 3000n, watch_seconds: 0, category_tags: ['x'], gift_amounts: [] });
    expect((await runtime.latest('live-recommender', WATCH, { viewer_id: viewer }, 2)).map((e) => e['room_id'])).toEqual([3000n, 2000n]);
    const range = await runtime.range('live-recommender', WATCH, { viewer_id: viewer }, new Date(1000), new Date(3000));
    expect(range.map((e) => e['room_id'])).toEqual([2000n, 1000n]);
  });

  it('rejects an event count beyond maxEvents and an inverted time range', async () => {
    await expect(runtime.latest('live-recommender', WATCH, { viewer_id: 1n }, 51)).rejects.toThrow(
      new InvalidInputError(WATCH, undefined, 'n must be an integer from 1 to 50, got 51'),
    );
    await expect(runtime.range('live-recommender', WATCH, { viewer_id: 1n }, new Date(2), new Date(1))).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('input errors name the feature and field', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['unsafe number', { user_id: 2 ** 60, target_user_id: 1 }, `user_id: ${2 ** 60} is beyond Number.MAX_SAFE_INTEGER, so it may already have been rounded: send the Long as a decimal string`],
    ['fraction', { user_id: 1.5, target_user_id: 1 }, 'user_id: expected a Long'],
    ['out of range', { user_id: '9223372036854775808', target_user_id: 1 }, 'user_id: 9223372036854775808 is outside the signed 64-bit range'],
    ['missing field', { user_id: 1 }, 'target_user_id: required'],
    ['unknown field', { user_id: 1, target_user_id: 1, userId: 1 }, 'userId: unknown field (expected user_id, target_user_id)'],
    ['null', { user_id: null, target_user_id: 1 }, 'user_id: must not be null'],
  ];
  it.each(cases)('%s', async (_, key, message) => {
    const error = await runtime.getMany('lounge-recommender', INTERACTION, [{ user_id: 1, target_user_id: 1 }, key]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain(`${INTERACTION}.${message}`);
    expect((error as Error).message).toContain('(at keys[1])');
  });

  it('values: wrong types, nulls, list elements', async () => {
    const put = (value: Record<string, unknown>) => runtime.put('upsync-worker', HOST, [{ key: { user_id: 'x' }, value }]);
    await expect(put({ level: 'high' })).rejects.toThrow(`${HOST}.level: expected a Long`);
    await expect(put({ gender: null })).rejects.toThrow(`${HOST}.gender: must not be null`);
    await expect(runtime.append('realtime-calculator', WATCH, [{ key: { viewer_id: 1 }, value: { watched_at: new Date(1), room_id: 1, category_tags: ['a', 2] } }])).rejects.toThrow(
      `${WATCH}.category_tags[1]: expected a Text`,
    );
    await expect(runtime.append('realtime-calculator', WATCH, [{ key: { viewer_id: 1 }, value: { room_id: 1 } }])).rejects.toThrow(`${WATCH}.watched_at: required`);
  });

  it('unknown features and the wrong feature type', async () => {
    await expect(runtime.getMany('live-recommender', 'live::nope-v1', [])).rejects.toBeInstanceOf(UnknownFeatureError);
    await expect(runtime.getMany('live-recommender', WATCH, [{ viewer_id: 1 }])).rejects.toThrow(
      new WrongFeatureTypeError(WATCH, 'History', 'getMany'),
    );
    await expect(runtime.latest('live-recommender', HOST, { user_id: 'x' })).rejects.toBeInstanceOf(WrongFeatureTypeError);
  });
});

describe('ACL: every consumer × feature pair, read and write (generated/acl/acl.json)', async () => {
  const acl = JSON.parse(await readFile('generated/acl/acl.json', 'utf8')) as { consumers: Record<string, { read: string[]; write: string[] }> };
  const consumers = [...Object.keys(acl.consumers), 'unknown-service'];
  const features = Object.keys((JSON.parse(await readFile('generated/manifest.json', 'utf8')) as { features: object }).features);
  const pairs = consumers.flatMap((consumer) => features.map((feature) => [consumer, feature] as const));

  it.each(pairs)('%s × %s', async (consumer, feature) => {
    const info = runtime.features.get(feature)!;
    const row = sampleRow(info);
    const isObject = info.featureType === 'Object';
    const read = () => (isObject ? runtime.getMany(consumer, feature, [row.key]) : runtime.latest(consumer, feature, row.key));
    const write = () => (isObject ? runtime.put(consumer, feature, [row]) : runtime.append(consumer, feature, [row]));
    for (const [mode, call] of [['write', write], ['read', read]] as const) {
      const allowed = acl.consumers[consumer]?.[mode].includes(feature) ?? false;
      if (allowed) await call(); // resolves: allowed
      else await expect(call(), `${consumer} ${mode} ${feature}`).rejects.toThrow(new AccessDeniedError(consumer, feature, mode));
    }
  });
});
