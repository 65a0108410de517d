/**
 * The generated modules at runtime, bound to the real runtime/: zod schemas, accessors with a fake
 * reader, the process-wide default reader, and Avro round trips through the generated descriptors.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { avroValueSchema } from '../../generator/emit/avro/index.ts';
import {
  configureFeatureReader,
  decodeFeatureValue,
  encodeFeatureValue,
  NO_FEATURE_READER_CONFIGURED,
  type FeatureReader,
  type HistoryAccessor,
  type HistoryFeatureDescriptor,
  type ObjectAccessor,
  type ObjectFeatureDescriptor,
} from '../../runtime/index.ts';
import { feature, hostStat, sampleIR, writeEmitted } from './ts-sample-ir.ts';

type Row = Record<string, unknown>;
interface ZodLike {
  safeParse(v: unknown): { success: boolean };
}
interface HostStatModule {
  HakunaHostStatV1KeySchema: ZodLike;
  HakunaHostStatV1ValueSchema: ZodLike;
  hakunaHostStatV1Descriptor: ObjectFeatureDescriptor<Row, Row>;
  hakunaHostStatV1(reader?: FeatureReader): ObjectAccessor<Row, Row>;
}
interface IndexModule {
  createFeatures(reader?: FeatureReader): {
    live: { hakunaHostStatV1: ObjectAccessor<Row, Row> };
    delete: { purgeRequestV1: ObjectAccessor<Row, Row> };
    azarMatch: { matchEventV1: HistoryAccessor<Row, Row> };
  };
  features: ReturnType<IndexModule['createFeatures']>;
  featureDescriptors: Record<string, ObjectFeatureDescriptor<Row, Row> | HistoryFeatureDescriptor<Row, Row>>;
}

let dir = '';
let out = '';
const load = async <T>(rel: string): Promise<T> => (await import(pathToFileURL(path.join(out, rel)).href)) as T;

/** Records every call; answers get/getMany with a value echoing the key. */
function fakeReader(calls: unknown[][]): FeatureReader {
  return {
    get: async (f, key) => (calls.push(['get', f.fullName, key]), null),
    getMany: async (f, keys) => (calls.push(['getMany', f.fullName, keys]), keys.map(() => null)),
    latest: async (f, key, n) => (calls.push(['latest', f.fullName, key, n]), []),
    range: async (f, key, from, to) => (calls.push(['range', f.fullName, key, from, to]), []),
  };
}

const sampleValue = {
  viewerCount: 2n ** 63n - 1n,
  giftCount: -(2 ** 31),
  score: 0.25,
  ratio: null,
  isLive: true,
  lastSeen: new Date('2024-02-29T23:59:59.999Z'),
  avatar: new Uint8Array([0, 1, 255]),
  tags: ['a', 'b'],
  embedding: [0.5, -1],
  bigIds: [-(2n ** 63n), 0n],
};

beforeAll(async () => {
  ({ dir, out } = await writeEmitted('ts-runtime', sampleIR));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));
afterEach(() => configureFeatureReader(null));

describe('generated zod schemas', () => {
  it('accept a valid value and reject out-of-range Ints, non-bigint Longs, non-finite and lossy floats', async () => {
    const m = await load<HostStatModule>('ts/live/hakuna-host-stat-v1.ts');
    const schema = m.HakunaHostStatV1ValueSchema;
    expect(schema.safeParse(sampleValue).success).toBe(true);
    expect(schema.safeParse({ ...sampleValue, giftCount: 2 ** 31 }).success).toBe(false);
    expect(schema.safeParse({ ...sampleValue, giftCount: 1.5 }).success).toBe(false);
    expect(schema.safeParse({ ...sampleValue, viewerCount: 5 }).success).toBe(false);
    expect(schema.safeParse({ ...sampleValue, viewerCount: 2n ** 63n }).success).toBe(false);
    expect(schema.safeParse({ ...sampleValue, score: Number.POSITIVE_INFINITY }).success).toBe(false);
    expect(schema.safeParse({ ...sampleValue, ratio: 1e39 }).success).toBe(false);
    expect(schema.safeParse({ ...sampleValue, lastSeen: new Date(Number.NaN) }).success).toBe(false);
    expect(schema.safeParse({ ...sampleValue, tags: ['a', 1] }).success).toBe(false);
    expect(m.HakunaHostStatV1KeySchema.safeParse({ userId: 'u', extra: 1 }).success).toBe(false);
  });
});

describe('generated accessors', () => {
  it('validate keys, naming the feature and the field, before the reader sees them', async () => {
    const calls: unknown[][] = [];
    const { createFeatures } = await load<IndexModule>('ts/index.ts');
    const f = createFeatures(fakeReader(calls));
    await expect(f.live.hakunaHostStatV1.get({ userId: 42 })).rejects.toThrow(
      new TypeError('invalid key for feature live::hakuna-host-stat-v1: field "userId" (user_id): Invalid input: expected string, received number'),
    );
    await expect(f.live.hakunaHostStatV1.get({ userID: 'u' })).rejects.toThrow(/field "userId" \(user_id\).*unknown field\(s\) "userID" \(key fields: userId\)/);
    await expect(f.live.hakunaHostStatV1.getMany([{ userId: 'a' }, { userId: null }])).rejects.toThrow(
      /^invalid key at keys\[1\] for feature live::hakuna-host-stat-v1: field "userId"/,
    );
    await expect(f.delete.purgeRequestV1.get({ accountId: 1 as unknown as bigint, region: 'eu' })).rejects.toThrow(
      /delete::purge-request-v1: field "accountId" \(account_id\): .*bigint/,
    );
    await expect(f.delete.purgeRequestV1.get({ accountId: 1n })).rejects.toThrow(/field "region": .*expected string/);
    await expect(f.live.hakunaHostStatV1.get('u' as unknown as Row)).rejects.toThrow(/expected an object with the key fields userId/);
    expect(calls).toEqual([]);
  });

  it('pass valid calls through in order, with History defaults and bounds', async () => {
    const calls: unknown[][] = [];
    const { createFeatures } = await load<IndexModule>('ts/index.ts');
    const f = createFeatures(fakeReader(calls));
    await f.delete.purgeRequestV1.getMany([{ accountId: 2n, region: 'b' }, { accountId: 1n, region: 'a' }]);
    await f.azarMatch.matchEventV1.latest({ userId: 'u' });
    await f.azarMatch.matchEventV1.latest({ userId: 'u' }, 3);
    const from = new Date(0);
    const to = new Date(1000);
    await f.azarMatch.matchEventV1.range({ userId: 'u' }, from, to);
    expect(calls).toEqual([
      ['getMany', 'delete::purge-request-v1', [{ accountId: 2n, region: 'b' }, { accountId: 1n, region: 'a' }]],
      ['latest', 'azar-match::match-event-v1', { userId: 'u' }, 50],
      ['latest', 'azar-match::match-event-v1', { userId: 'u' }, 3],
      ['range', 'azar-match::match-event-v1', { userId: 'u' }, from, to],
    ]);
    for (const n of [0, 51, 1.5, Number.NaN]) {
      await expect(f.azarMatch.matchEventV1.latest({ userId: 'u' }, n)).rejects.toThrow(
        `invalid event count ${n} for feature azar-match::match-event-v1: expected an integer from 1 to 50`,
      );
    }
    await expect(f.azarMatch.matchEventV1.range({ userId: 'u' }, to, from)).rejects.toThrow(RangeError);
    await expect(f.azarMatch.matchEventV1.range({ userId: 'u' }, new Date(Number.NaN), to)).rejects.toThrow(/invalid time range/);
  });

  it('read through the process-wide reader once configured, and say how when it is not', async () => {
    const { features } = await load<IndexModule>('ts/index.ts');
    await expect(features.live.hakunaHostStatV1.get({ userId: 'u' })).rejects.toThrow(NO_FEATURE_READER_CONFIGURED);
    const calls: unknown[][] = [];
    configureFeatureReader(fakeReader(calls));
    await features.live.hakunaHostStatV1.get({ userId: 'u' });
    expect(calls).toEqual([['get', 'live::hakuna-host-stat-v1', { userId: 'u' }]]);
  });
});

describe('generated descriptors with the value codec', () => {
  it('round-trip every field type exactly through Avro', async () => {
    const { hakunaHostStatV1Descriptor: d } = await load<HostStatModule>('ts/live/hakuna-host-stat-v1.ts');
    const back = decodeFeatureValue(d, encodeFeatureValue(d, sampleValue));
    expect(back).toEqual({ ...sampleValue, avatar: Buffer.from([0, 1, 255]) });
    expect(Object.keys(back)).toEqual(Object.keys(sampleValue));
  });

  it('reject invalid values with the feature and field named', async () => {
    const { hakunaHostStatV1Descriptor: d } = await load<HostStatModule>('ts/live/hakuna-host-stat-v1.ts');
    expect(() => encodeFeatureValue(d, { ...sampleValue, giftCount: 2 ** 31 })).toThrow(
      /^invalid value for feature live::hakuna-host-stat-v1: field "giftCount": /,
    );
  });

  it('read values written by an older schema, filling exact defaults', async () => {
    const { hakunaHostStatV1Descriptor: d } = await load<HostStatModule>('ts/live/hakuna-host-stat-v1.ts');
    // An earlier revision of the feature had two value fields; the others were added with defaults.
    const kept = new Set(['user_id', 'gift_count', 'tags']);
    const old = feature('live', 'hakuna-host-stat', hostStat.fields.filter((f) => kept.has(f.name)));
    const oldDescriptor: ObjectFeatureDescriptor<Row, Row> = {
      ...d,
      valueFields: d.valueFields.filter((f) => kept.has(f.name)),
      avroSchema: avroValueSchema(old),
      valueSchema: z.object({ giftCount: z.int32(), tags: z.array(z.string()) }),
    };
    const bytes = encodeFeatureValue(oldDescriptor, { giftCount: 3, tags: ['x'] });
    const value = decodeFeatureValue(d, bytes, oldDescriptor.avroSchema);
    expect(value).toMatchObject({
      giftCount: 3,
      tags: ['x'],
      viewerCount: 9223372036854775807n,
      lastSeen: new Date(1700000000000),
      avatar: Buffer.from([0, 255]),
      bigIds: [-(2n ** 63n), 1n],
      ratio: null,
    });
  });
});
