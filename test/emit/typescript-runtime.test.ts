/**
 * The generated modules at runtime, bound to the real runtime/: zod schemas, accessors with a fake
 * reader (keys handed over as KeyValues, checked once), typed writes with a fake writer (values checked
 * with the generated zod schema), the process-wide default reader, and Avro round trips through the
 * generated descriptors.
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
  InvalidInputError,
  NO_FEATURE_READER_CONFIGURED,
  WRITE_ERRORS,
  WritesUnsupportedError,
  type FeatureClient,
  type FeatureReader,
  type HistoryAccessor,
  type HistoryFeatureDescriptor,
  type ObjectAccessor,
  type ObjectFeatureDescriptor,
  type WritableHistoryAccessor,
  type WritableObjectAccessor,
} from '../../runtime/index.ts';
import { keyCodecOf, KeyShapeError } from '../../runtime/read/key-codec.ts';
import { feature, field, hostStat, writeEmitted } from './ts-sample-ir.ts';
import { writableSampleIR } from './ts-writable-ir.ts';

type Row = Record<string, unknown>;
interface ZodLike {
  safeParse(v: unknown): { success: boolean };
}
interface HostStatModule {
  HakunaHostStatV1KeySchema: ZodLike;
  HakunaHostStatV1ValueSchema: ZodLike;
  hakunaHostStatV1Descriptor: ObjectFeatureDescriptor<Row, Row>;
  hakunaHostStatV1(reader?: FeatureReader): WritableObjectAccessor<Row, Row>;
}
interface IndexModule {
  createFeatures(reader?: FeatureReader): {
    live: { hakunaHostStatV1: WritableObjectAccessor<Row, Row> };
    delete: { purgeRequestV1: ObjectAccessor<Row, Row> };
    azarMatch: { matchEventV1: WritableHistoryAccessor<Row, Row> };
  };
  features: ReturnType<IndexModule['createFeatures']>;
  featureDescriptors: Record<string, ObjectFeatureDescriptor<Row, Row> | HistoryFeatureDescriptor<Row, Row>>;
}

let dir = '';
let out = '';
const load = async <T>(rel: string): Promise<T> => (await import(pathToFileURL(path.join(out, rel)).href)) as T;

/** Records every read; answers absent / no events. */
function fakeReader(calls: unknown[][]): FeatureReader {
  return {
    get: async (f, key) => (calls.push(['get', f.fullName, key]), null),
    getMany: async (f, keys) => (calls.push(['getMany', f.fullName, keys]), keys.map(() => null)),
    latest: async (f, key, n) => (calls.push(['latest', f.fullName, key, n]), []),
    range: async (f, key, from, to) => (calls.push(['range', f.fullName, key, from, to]), []),
  };
}

/** A fake reader that also writes, recording the rows it is handed. */
function fakeClient(calls: unknown[][]): FeatureClient {
  return {
    ...fakeReader(calls),
    put: async (f, rows) => void calls.push(['put', f.fullName, rows]),
    append: async (f, rows) => void calls.push(['append', f.fullName, rows]),
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
  ({ dir, out } = await writeEmitted('ts-runtime', writableSampleIR));
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
    const wrongType = await f.live.hakunaHostStatV1.get({ userId: 42 }).catch((e: unknown) => e);
    expect(wrongType).toBeInstanceOf(TypeError);
    expect((wrongType as Error).message).toBe('invalid key for feature live::hakuna-host-stat-v1: field "userId" (user_id): expected a string, got number 42');
    await expect(f.live.hakunaHostStatV1.get({ userID: 'u' })).rejects.toThrow(/field "userId" \(user_id\).*unknown field\(s\) "userID" \(key fields: userId\)/);
    await expect(f.live.hakunaHostStatV1.get({ userId: 'u', extra: 1 })).rejects.toThrow(/: unknown field\(s\) "extra" \(key fields: userId\)$/);
    await expect(f.live.hakunaHostStatV1.getMany([{ userId: 'a' }, { userId: null }])).rejects.toThrow(
      /^invalid key at keys\[1\] for feature live::hakuna-host-stat-v1: field "userId"/,
    );
    await expect(f.delete.purgeRequestV1.get({ accountId: 1 as unknown as bigint, region: 'eu' })).rejects.toThrow(
      'delete::purge-request-v1: field "accountId" (account_id): expected a bigint in the signed 64-bit range (a Long), got number 1',
    );
    await expect(f.delete.purgeRequestV1.get({ accountId: 1n })).rejects.toThrow(/field "region": expected a string, got undefined$/);
    await expect(f.live.hakunaHostStatV1.get('u' as unknown as Row)).rejects.toThrow(/expected an object with the key fields userId, got string "u"/);
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
    // Keys reach the reader as KeyValues, in key-field order: what the reader takes without checking.
    expect(calls).toEqual([
      ['getMany', 'delete::purge-request-v1', [[2n, 'b'], [1n, 'a']]],
      ['latest', 'azar-match::match-event-v1', ['u'], 50],
      ['latest', 'azar-match::match-event-v1', ['u'], 3],
      ['range', 'azar-match::match-event-v1', ['u'], from, to],
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
    expect(calls).toEqual([['get', 'live::hakuna-host-stat-v1', ['u']]]);
  });
});

describe('the key codec', () => {
  // Every key type, so the codec's checks can be held against the generated zod key schema.
  const fiveKeys = feature('edge', 'five-keys', [
    field('a', { kind: 'scalar', scalar: 'Text' }, { key: true }),
    field('b', { kind: 'scalar', scalar: 'Long' }, { key: true }),
    field('c', { kind: 'scalar', scalar: 'Int' }, { key: true }),
    field('d', { kind: 'scalar', scalar: 'Boolean' }, { key: true }),
    field('e', { kind: 'scalar', scalar: 'Timestamp' }, { key: true }),
    field('v', { kind: 'scalar', scalar: 'Int' }),
  ]);
  const good = { a: 'x', b: -(2n ** 63n), c: -(2 ** 31), d: false, e: new Date(0) };
  const candidates: [string, unknown][] = [
    ['valid', good],
    ['Long at its maximum', { ...good, b: 2n ** 63n - 1n }],
    ['Long beyond 64 bits', { ...good, b: 2n ** 63n }],
    ['Long as a number', { ...good, b: 5 }],
    ['Long as a string', { ...good, b: '5' }],
    ['Int beyond 32 bits', { ...good, c: 2 ** 31 }],
    ['Int with a fraction', { ...good, c: 1.5 }],
    ['Int as NaN', { ...good, c: Number.NaN }],
    ['Int as a bigint', { ...good, c: 1n }],
    ['Text as a number', { ...good, a: 1 }],
    ['Text empty', { ...good, a: '' }],
    ['Boolean as 0', { ...good, d: 0 }],
    ['Timestamp invalid', { ...good, e: new Date(Number.NaN) }],
    ['Timestamp as millis', { ...good, e: 0 }],
    ['a field missing', { a: 'x', b: 1n, c: 1, d: true }],
    ['a field undefined', { ...good, e: undefined }],
    ['an extra field', { ...good, f: 1 }],
    ['an extra field set to undefined', { ...good, f: undefined }],
    ['null', null],
    ['an array', ['x', 1n, 1, true, new Date(0)]],
    ['a string', 'x'],
  ];

  let m: { FiveKeysV1KeySchema: ZodLike; fiveKeysV1Descriptor: ObjectFeatureDescriptor<Row, Row> };
  let scratch = '';
  beforeAll(async () => {
    const emitted = await writeEmitted('ts-key-codec', { ...writableSampleIR, features: [fiveKeys] });
    scratch = emitted.dir;
    m = (await import(pathToFileURL(path.join(emitted.out, 'ts/edge/five-keys-v1.ts')).href)) as typeof m;
  });
  afterAll(async () => rm(scratch, { recursive: true, force: true }));

  it.each(candidates)('accepts exactly what the generated key schema accepts: %s', (_name, key) => {
    const codec = keyCodecOf(m.fiveKeysV1Descriptor.fullName, m.fiveKeysV1Descriptor.keyFields);
    const zodAccepts = m.FiveKeysV1KeySchema.safeParse(key).success;
    const codecAccepts = (() => {
      try {
        codec.fromTyped(key);
        return true;
      } catch (e) {
        expect(e).toBeInstanceOf(KeyShapeError);
        return false;
      }
    })();
    expect(codecAccepts).toBe(zodAccepts);
    if (codecAccepts) expect(codec.fromTyped(key)).toEqual(m.fiveKeysV1Descriptor.keyFields.map((f) => (key as Row)[f.tsName]));
  });
});

describe('typed writes', () => {
  it('put hands the writer the checked key as KeyValues and the value as the zod schema parsed it', async () => {
    const calls: unknown[][] = [];
    const { createFeatures } = await load<IndexModule>('ts/index.ts');
    const f = createFeatures(fakeClient(calls));
    await f.live.hakunaHostStatV1.put({ userId: 'u1' }, sampleValue);
    const event = { eventTime: new Date(5), peerId: 2n ** 60n, durationMs: null };
    await f.azarMatch.matchEventV1.append({ userId: 'u2' }, event);
    expect(calls).toEqual([
      ['put', 'live::hakuna-host-stat-v1', [{ key: ['u1'], value: sampleValue }]],
      ['append', 'azar-match::match-event-v1', [{ key: ['u2'], value: event }]],
    ]);
  });

  it('a string for an Int or a number for a Long is an InvalidInputError naming the field, and nothing is written', async () => {
    const calls: unknown[][] = [];
    const { createFeatures } = await load<IndexModule>('ts/index.ts');
    const f = createFeatures(fakeClient(calls));
    const intAsText = await f.live.hakunaHostStatV1.put({ userId: 'u' }, { ...sampleValue, giftCount: '5' }).catch((e: unknown) => e);
    expect(intAsText).toBeInstanceOf(InvalidInputError);
    expect(intAsText).toMatchObject({ feature: 'live::hakuna-host-stat-v1', field: 'gift_count' });
    expect((intAsText as Error).message).toBe(
      `live::hakuna-host-stat-v1.gift_count: invalid value: field "giftCount" (gift_count): Invalid input: expected number, received string (${WRITE_ERRORS.intHint})`,
    );
    const longAsNumber = await f.live.hakunaHostStatV1.put({ userId: 'u' }, { ...sampleValue, viewerCount: 5 }).catch((e: unknown) => e);
    expect(longAsNumber).toBeInstanceOf(InvalidInputError);
    expect(longAsNumber).toMatchObject({ field: 'viewer_count' });
    expect((longAsNumber as Error).message).toContain(`field "viewerCount" (viewer_count): Invalid input: expected bigint, received number (${WRITE_ERRORS.longHint})`);
    const listElement = await f.live.hakunaHostStatV1.put({ userId: 'u' }, { ...sampleValue, bigIds: [1n, 2] }).catch((e: unknown) => e);
    expect((listElement as Error).message).toContain('field "bigIds[1]" (big_ids): ');
    await expect(f.azarMatch.matchEventV1.append({ userId: 'u' }, { eventTime: 5, peerId: 1n, durationMs: null })).rejects.toThrow(
      /azar-match::match-event-v1\.event_time: invalid value: field "eventTime" \(event_time\): /,
    );
    const badKey = await f.live.hakunaHostStatV1.put({ userId: 7 }, sampleValue).catch((e: unknown) => e);
    expect(badKey).toBeInstanceOf(InvalidInputError);
    expect((badKey as Error).message).toBe('live::hakuna-host-stat-v1: invalid key: field "userId" (user_id): expected a string, got number 7');
    expect(calls).toEqual([]);
  });

  it('a reader that does not write (the HTTP client) refuses typed writes with WritesUnsupportedError', async () => {
    const calls: unknown[][] = [];
    const { createFeatures, features } = await load<IndexModule>('ts/index.ts');
    const readOnly = createFeatures(fakeReader(calls));
    await expect(readOnly.live.hakunaHostStatV1.put({ userId: 'u' }, sampleValue)).rejects.toThrow(new WritesUnsupportedError('live::hakuna-host-stat-v1'));
    // Through the process-wide reader: writes go to the configured one when it writes.
    configureFeatureReader(fakeReader(calls));
    await expect(features.live.hakunaHostStatV1.put({ userId: 'u' }, sampleValue)).rejects.toBeInstanceOf(WritesUnsupportedError);
    configureFeatureReader(fakeClient(calls));
    await features.live.hakunaHostStatV1.put({ userId: 'u' }, sampleValue);
    expect(calls).toEqual([['put', 'live::hakuna-host-stat-v1', [{ key: ['u'], value: sampleValue }]]]);
  });

  it('read-only features get no put', async () => {
    const { createFeatures } = await load<IndexModule>('ts/index.ts');
    const f = createFeatures(fakeClient([]));
    expect('put' in f.delete.purgeRequestV1).toBe(false);
    expect('put' in f.live.hakunaHostStatV1).toBe(true);
    expect('append' in f.azarMatch.matchEventV1).toBe(true);
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
