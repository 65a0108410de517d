/**
 * `Accept: application/avro`: the body decodes with the published envelope schema, and every value with
 * the schema `GET /v1/features/{feature}/schema` returns, to the values that were written — the steps a
 * client in any language takes with its own Avro library.
 */
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAvroType, type AvroSchemaJson } from '../../core/serde/index.ts';
import { FEATURE_VALUES_SCHEMA, ONLINE_FEATURES_SCHEMA } from '../../runtime/server/index.ts';
import { auth, HISTORY_ROWS, OBJECT_ROWS, startReadApi, type ReadApiFixture } from './read-api-fixture.ts';

let api: ReadApiFixture;
beforeAll(async () => {
  api = await startReadApi();
});
afterAll(async () => api?.close());

interface FeatureValues {
  feature: string;
  schema_fingerprint: bigint;
  values: (Buffer | null)[];
}

// The envelope holds a 64-bit fingerprint: decoded with the runtime's bigint long, as a Java client would.
const envelope = parseAvroType(FEATURE_VALUES_SCHEMA as unknown as AvroSchemaJson);
const onlineEnvelope = parseAvroType(ONLINE_FEATURES_SCHEMA as unknown as AvroSchemaJson);

async function readerType(feature: string, consumer: string): Promise<{ type: avro.Type; fingerprint: string }> {
  const res = await api.app.inject({ method: 'GET', url: `/v1/features/${feature}/schema`, headers: auth(consumer) });
  const body = res.json() as { schema: AvroSchemaJson; fingerprint: string };
  return { type: parseAvroType(body.schema), fingerprint: body.fingerprint };
}

const avroPost = (url: string, consumer: string, payload: object) =>
  api.app.inject({ method: 'POST', url, headers: { ...auth(consumer), accept: 'application/avro' }, payload });

/** Bytes fields decode as Buffers; the fixture holds Uint8Arrays. */
function normalise(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: [...value] };
  if (Array.isArray(value)) return value.map(normalise);
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
}

describe('Avro responses', () => {
  it('every Object feature: /get decodes to the stored value, nulls for absent keys', async () => {
    for (const [feature, row] of Object.entries(OBJECT_ROWS)) {
      const consumer = feature.startsWith('azar-match') ? 'match-recommender' : feature.startsWith('azar-lounge') ? 'lounge-recommender' : 'live-recommender';
      const res = await avroPost(`/v1/features/${feature}/get`, consumer, { keys: [jsonKey(row.key), absentKey(row.key)] });
      expect(res.statusCode, feature).toBe(200);
      expect(res.headers['content-type']).toBe('application/avro');
      expect(res.headers['x-featurestore-envelope']).toBe('featurestore.read.FeatureValues');
      const decoded = envelope.fromBuffer(res.rawPayload) as FeatureValues;
      const { type, fingerprint } = await readerType(feature, consumer);
      expect(decoded.feature).toBe(feature);
      expect(decoded.schema_fingerprint.toString()).toBe(fingerprint);
      expect(res.headers['x-featurestore-schema-fingerprint']).toBe(fingerprint);
      expect(decoded.values[1]).toBeNull();
      expect(normalise(type.fromBuffer(decoded.values[0]!))).toEqual(normalise(row.value));
    }
  });

  it('History /latest and /range decode to the events, newest first', async () => {
    const feature = 'azar-match::rich-history-v1';
    const { type } = await readerType(feature, 'match-recommender');
    const latest = await avroPost(`/v1/features/${feature}/latest`, 'match-recommender', { key: { user_id: '42' }, n: 2 });
    const events = (envelope.fromBuffer(latest.rawPayload) as FeatureValues).values.map((v) => type.fromBuffer(v!));
    const expected = HISTORY_ROWS[feature]!.events.slice().reverse().slice(0, 2);
    expect(normalise(events)).toEqual(normalise(expected));
    const range = await avroPost(`/v1/features/${feature}/range`, 'match-recommender', {
      key: { user_id: '42' }, from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z',
    });
    expect((envelope.fromBuffer(range.rawPayload) as FeatureValues).values).toHaveLength(3);
  });

  it('get-online-features: one FeatureValues per feature, in request order', async () => {
    const features = ['live::realtime-room-context-v1', 'live::hakuna-host-stat-v1'];
    const res = await avroPost('/v1/get-online-features', 'live-recommender', { features, keys: [{ user_id: '1001', room_id: '777' }] });
    expect(res.headers['x-featurestore-envelope']).toBe('featurestore.read.OnlineFeatures');
    const { results } = onlineEnvelope.fromBuffer(res.rawPayload) as { results: FeatureValues[] };
    expect(results.map((r) => r.feature)).toEqual(features);
    const host = await readerType('live::hakuna-host-stat-v1', 'live-recommender');
    expect(normalise(host.type.fromBuffer(results[1]!.values[0]!))).toEqual(normalise(OBJECT_ROWS['live::hakuna-host-stat-v1']!.value));
  });

  it('reports the Avro size against JSON for every Object feature', async () => {
    for (const [feature, row] of Object.entries(OBJECT_ROWS)) {
      const consumer = feature.startsWith('azar-match') ? 'match-recommender' : feature.startsWith('azar-lounge') ? 'lounge-recommender' : 'live-recommender';
      const json = await api.app.inject({ method: 'POST', url: `/v1/features/${feature}/get`, headers: auth(consumer), payload: { keys: [jsonKey(row.key)] } });
      const avroRes = await avroPost(`/v1/features/${feature}/get`, consumer, { keys: [jsonKey(row.key)] });
      const value = (envelope.fromBuffer(avroRes.rawPayload) as FeatureValues).values[0]!;
      const jsonValue = JSON.stringify(json.json().values[0]);
      // The value alone: Avro has no field names, so it is smaller than the JSON object for every feature.
      expect(value.length, feature).toBeLessThan(Buffer.byteLength(jsonValue));
    }
  });
});

function jsonKey(key: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(key).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));
}

function absentKey(key: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(key).map(([k, v]) => [k, typeof v === 'bigint' ? '-5' : 'absent-key']));
}
