/**
 * The HTTP client with `format: 'avro'`: every example feature read over Avro equals the same read over
 * JSON and in process (bigints beyond 2^53, Dates, Uint8Arrays, nulls, lists); a client generated from
 * an older schema than the server's fetches the server's schema once and resolves into its own; bad
 * envelopes are BAD_RESPONSE errors, the error classes are the JSON transport's. SQLite; no services.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureDescriptors } from '../../generated/ts/index.ts';
import { AVRO_ENVELOPE_ERRORS, AvroEnvelopeError, decodeFeatureValuesEnvelope } from '../../runtime/read/http-avro.ts';
import { createHttpFeatureReader, HTTP_READER_ERRORS, ReadApiError } from '../../runtime/read/http-reader.ts';
import type { AnyFeatureDescriptor, FeatureReader, HistoryFeatureDescriptor, ObjectFeatureDescriptor } from '../../runtime/read/feature-reader.ts';
import { AccessDeniedError, type FieldRecord } from '../../runtime/read/online-runtime.ts';
import type { KeyScalar, KeyValues } from '../../runtime/online/online-store.ts';
import { schemaFingerprint, type AvroSchemaJson } from '../../core/serde/index.ts';
import { ACL, HISTORY_ROWS, keyOf, OBJECT_ROWS, startReadApi, T0, type ReadApiFixture } from './read-api-fixture.ts';

let api: ReadApiFixture;
let url: string;
const requests: { url: string; accept: string }[] = [];
/** fetch, recording what was asked for. */
const recording: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  requests.push({ url: String(input), accept: headers.get('accept') ?? '' });
  return fetch(input, init);
};

beforeAll(async () => {
  api = await startReadApi();
  url = await api.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => api?.close());

const readerOf = (feature: string) => ACL.features[feature]!.read[0]!;
const descriptor = (name: string) => (featureDescriptors as Record<string, AnyFeatureDescriptor>)[name]!;

/** A key with YAML field names → the KeyValues a reader takes (what the accessors' key codec makes). */
function tsKey(d: AnyFeatureDescriptor, key: FieldRecord): KeyValues {
  return d.keyFields.map((f) => key[f.name] as KeyScalar);
}

function transports(consumer: string): { avro: FeatureReader; json: FeatureReader; local: FeatureReader } {
  return {
    avro: createHttpFeatureReader({ baseUrl: url, apiKey: keyOf(consumer), format: 'avro', fetch: recording }),
    json: createHttpFeatureReader({ baseUrl: url, apiKey: keyOf(consumer) }),
    local: api.runtime.reader(consumer),
  };
}

describe('format: avro', () => {
  it.each(Object.keys(OBJECT_ROWS))('%s: get and getMany equal the JSON and in-process reads', async (name) => {
    const d = descriptor(name) as ObjectFeatureDescriptor<unknown, unknown>;
    const { avro, json, local } = transports(readerOf(name));
    const key = tsKey(d, OBJECT_ROWS[name]!.key);
    const expected = await local.get(d, key);
    expect(expected).not.toBeNull();
    expect(await avro.get(d, key)).toEqual(expected);
    expect(await json.get(d, key)).toEqual(expected);
    const absent: KeyValues = d.keyFields.map((f) => (f.type === 'Text' ? 'nobody' : f.type === 'Int' ? 0 : 123_456_789n));
    expect(await avro.getMany(d, [absent, key, absent])).toEqual([null, expected, null]);
  });

  it.each(Object.keys(HISTORY_ROWS))('%s: latest and range equal the JSON and in-process reads', async (name) => {
    const d = descriptor(name) as HistoryFeatureDescriptor<unknown, unknown>;
    const { avro, json, local } = transports(readerOf(name));
    const key = tsKey(d, HISTORY_ROWS[name]!.key);
    const latest = await local.latest(d, key, 3);
    expect(latest).toHaveLength(3);
    expect(await avro.latest(d, key, 3)).toEqual(latest);
    expect(await json.latest(d, key, 3)).toEqual(latest);
    const from = T0;
    const to = new Date(T0.getTime() + 2 * 60_000);
    expect(await avro.range(d, key, from, to)).toEqual(await local.range(d, key, from, to));
  });

  it('a Long beyond 2^53 arrives exact, Bytes as a Uint8Array, with Accept: application/avro and no schema fetch', async () => {
    requests.length = 0;
    const d = descriptor('azar-lounge::user-stats-v1') as ObjectFeatureDescriptor<unknown, { totalMatches: bigint; profilePhotoHash: Uint8Array }>;
    const { avro } = transports('match-recommender');
    const value = await avro.get(d, tsKey(d, OBJECT_ROWS['azar-lounge::user-stats-v1']!.key));
    expect(value?.totalMatches).toBe(2n ** 62n);
    expect(value?.profilePhotoHash).toBeInstanceOf(Uint8Array);
    expect(requests).toEqual([{ url: `${url}/v1/features/azar-lounge%3A%3Auser-stats-v1/get`, accept: 'application/avro' }]);
  });

  it('a client from an older schema: the server\'s schema fetched once, resolved into the client\'s shape', async () => {
    const current = descriptor('azar-lounge::user-stats-v1') as ObjectFeatureDescriptor<unknown, Record<string, unknown>>;
    const schema = current.avroSchema as { fields: { name: string }[] } & Record<string, unknown>;
    const olderSchema = { ...schema, fields: schema.fields.filter((f) => f.name !== 'gender') } as unknown as AvroSchemaJson;
    const older: ObjectFeatureDescriptor<unknown, Record<string, unknown>> = {
      ...current,
      valueFields: current.valueFields.filter((f) => f.name !== 'gender'),
      avroSchema: olderSchema,
      fingerprint: schemaFingerprint(olderSchema),
    };
    const { avro, local } = transports('match-recommender');
    const key = tsKey(current, OBJECT_ROWS['azar-lounge::user-stats-v1']!.key);
    requests.length = 0;
    const first = await avro.get(older, key);
    const second = await avro.get(older, key);
    expect(first).toEqual(await local.get(older, key));
    expect(first).not.toHaveProperty('gender');
    expect(first).toMatchObject({ countryCode: 'KR', totalMatches: 2n ** 62n });
    expect(second).toEqual(first);
    expect(requests.filter((r) => r.url.endsWith('/schema'))).toHaveLength(1);
  });

  it('errors stay the JSON transport\'s classes: AccessDeniedError, 401 ReadApiError', async () => {
    const d = descriptor('azar-lounge::user-stats-v1') as ObjectFeatureDescriptor<unknown, unknown>;
    const key = tsKey(d, OBJECT_ROWS['azar-lounge::user-stats-v1']!.key);
    await expect(transports('live-recommender').avro.get(d, key)).rejects.toBeInstanceOf(AccessDeniedError);
    const wrongKey = createHttpFeatureReader({ baseUrl: url, apiKey: 'wrong', format: 'avro' });
    await expect(wrongKey.get(d, key)).rejects.toMatchObject({ name: 'ReadApiError', status: 401, code: 'UNAUTHENTICATED' });
  });

  it('a body that is not a FeatureValues envelope is a BAD_RESPONSE naming the problem', async () => {
    const d = descriptor('live::hakuna-host-stat-v1') as ObjectFeatureDescriptor<unknown, unknown>;
    const answering = (body: Uint8Array, type = 'application/avro'): typeof fetch => async () => new Response(body, { status: 200, headers: { 'content-type': type } });
    const reader = (f: typeof fetch) => createHttpFeatureReader({ baseUrl: url, apiKey: 'k', format: 'avro', fetch: f });
    const truncated = await reader(answering(new Uint8Array([0x40, 0x41]))).get(d, ['1']).catch((e: unknown) => e);
    expect(truncated).toBeInstanceOf(ReadApiError);
    expect(truncated).toMatchObject({ code: 'BAD_RESPONSE', message: HTTP_READER_ERRORS.badResponse(d.fullName, AVRO_ENVELOPE_ERRORS.truncated) });
    const json = await reader(answering(new TextEncoder().encode('{}'), 'application/json')).get(d, ['1']).catch((e: unknown) => e);
    expect(json).toMatchObject({ code: 'BAD_RESPONSE', message: HTTP_READER_ERRORS.badResponse(d.fullName, 'Content-Type "application/json" instead of application/avro') });
  });

  it('an unknown format is refused when the reader is created', () => {
    expect(() => createHttpFeatureReader({ baseUrl: url, apiKey: 'k', format: 'xml' as 'json' })).toThrow(new TypeError(HTTP_READER_ERRORS.badFormat('xml')));
  });
});

describe('decodeFeatureValuesEnvelope', () => {
  // feature "f", fingerprint -1 (zig-zag 1), one block of 2 items: null, bytes [7], end.
  const body = new Uint8Array([0x02, 0x66, 0x01, 0x04, 0x00, 0x02, 0x02, 0x07, 0x00]);

  it('reads the feature, the signed fingerprint and null | bytes items', () => {
    const envelope = decodeFeatureValuesEnvelope(body);
    expect(envelope.feature).toBe('f');
    expect(envelope.fingerprint).toBe(-1n);
    expect(envelope.values.map((v) => (v === null ? null : [...v]))).toEqual([null, [7]]);
  });

  it.each([
    ['truncated', body.subarray(0, 7), AVRO_ENVELOPE_ERRORS.truncated],
    ['trailing bytes', new Uint8Array([...body, 1, 2]), AVRO_ENVELOPE_ERRORS.trailing(2)],
    ['a third union branch', new Uint8Array([0x02, 0x66, 0x01, 0x02, 0x04, 0x00]), AVRO_ENVELOPE_ERRORS.badUnion(2n)],
  ] as const)('%s', (_name, bytes, message) => {
    expect(() => decodeFeatureValuesEnvelope(bytes)).toThrow(new AvroEnvelopeError(message));
  });
});
