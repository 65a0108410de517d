/** The JSON read routes over the real runtime and a SQLite store, through Fastify's `inject`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auth,
  BIG_USER_ID,
  expectedJson,
  HISTORY_ROWS,
  OBJECT_ROWS,
  startReadApi,
  T0,
  type ReadApiFixture,
} from './read-api-fixture.ts';

let api: ReadApiFixture;
beforeAll(async () => {
  api = await startReadApi();
});
afterAll(async () => api?.close());

const post = (url: string, consumer: string, payload: unknown) =>
  api.app.inject({ method: 'POST', url, headers: auth(consumer), payload: payload as object });

describe('POST /v1/features/{feature}/get', () => {
  it('reads one key, Long as a decimal string', async () => {
    const res = await post('/v1/features/live::hakuna-host-stat-v1/get', 'live-recommender', { keys: [{ user_id: '1001' }] });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual({
      feature: 'live::hakuna-host-stat-v1',
      values: [{ gender: 'FEMALE', level: '12', country_code: 'KR', birthday: '1999-03-04' }],
    });
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('answers a batch in input order, null where absent, with a URL-encoded feature name', async () => {
    const keys = [{ user_id: 'nobody' }, { user_id: '1001' }, { user_id: '사용자' }, { user_id: '1001' }];
    const res = await post(`/v1/features/${encodeURIComponent('live::hakuna-host-stat-v1')}/get`, 'live-recommender', { keys });
    expect(res.statusCode).toBe(200);
    const host = expectedJson(OBJECT_ROWS['live::hakuna-host-stat-v1']!.value);
    expect(res.json().values).toEqual([null, host, null, host]);
  });

  it('writes every type exactly: Long beyond 2^53, Timestamp, Bytes, null, lists, floats', async () => {
    const stats = await post('/v1/features/azar-lounge::user-stats-v1/get', 'match-recommender', {
      keys: [{ user_id: BIG_USER_ID.toString() }],
    });
    expect(stats.statusCode).toBe(200);
    // Compared as text: JSON.parse would round a Long that travelled as a number.
    expect(stats.body).toContain('"total_matches":"4611686018427387904"');
    expect(stats.json().values[0]).toEqual({
      gender: 'F', country_code: 'KR', age: null, avg_chat_sec: 12.5, total_matches: '4611686018427387904',
      is_verified: true, profile_photo_hash: 'AP8BgA==',
    });
    const interaction = await post('/v1/features/azar-lounge::user-interaction-v1/get', 'lounge-recommender', {
      keys: [{ user_id: 1, target_user_id: BIG_USER_ID.toString() }],
    });
    expect(interaction.json().values[0]).toEqual({ impressions_28d: 5, clicks_28d: 2, likes_28d: 1, last_interaction_at: T0.toISOString() });
    const room = await post('/v1/features/live::realtime-room-context-v1/get', 'anomaly-detector', { keys: [{ room_id: '777' }] });
    expect(room.json().values[0]).toEqual(expectedJson(OBJECT_ROWS['live::realtime-room-context-v1']!.value));
    const embedding = await post('/v1/features/azar-match::user-embedding-v2/get', 'match-recommender', { keys: [{ user_id: 42 }] });
    expect(embedding.json().values[0]).toEqual({ embedding: [0.5, -0.25, 0.125, 1], model_version: 'two-tower-3', trained_at: T0.toISOString() });
  });
});

describe('request ids', () => {
  it('echoes a sane X-Request-Id (response header and error body), else makes one up', async () => {
    const url = '/v1/features/live::hakuna-host-stat-v1/get';
    const traced = await api.app.inject({ method: 'POST', url, headers: { ...auth('live-recommender'), 'x-request-id': 'trace-42.a:b' }, payload: { keys: [] } });
    expect(traced.headers['x-request-id']).toBe('trace-42.a:b');
    expect(traced.json().requestId).toBe('trace-42.a:b');
    const hostile = await api.app.inject({ method: 'POST', url, headers: { ...auth('live-recommender'), 'x-request-id': 'a b\u0000"' }, payload: { keys: [{ user_id: '1' }] } });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
  });
});

describe('History routes', () => {
  const feature = 'live::viewer-watch-history-v1';
  const events = HISTORY_ROWS[feature]!.events;
  const newestFirst = [...events].reverse().map(expectedJson);

  it('latest returns the newest n events, newest first', async () => {
    const res = await post(`/v1/features/${feature}/latest`, 'live-recommender', { key: { viewer_id: '5' }, n: 20 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ feature, values: newestFirst.slice(0, 20) });
  });

  it('latest without n defaults to the feature max_events (50 here, all 30 stored)', async () => {
    const res = await post(`/v1/features/${feature}/latest`, 'live-recommender', { key: { viewer_id: 5 } });
    expect(res.json().values).toHaveLength(30);
  });

  it('range returns from <= event time < to, newest first', async () => {
    const from = new Date(T0.getTime() + 10 * 60_000).toISOString();
    const to = new Date(T0.getTime() + 13 * 60_000).toISOString();
    const res = await post(`/v1/features/${feature}/range`, 'live-recommender', { key: { viewer_id: '5' }, from, to });
    expect(res.statusCode).toBe(200);
    expect(res.json().values.map((v: { room_id: string }) => v.room_id)).toEqual(['712', '711', '710']);
  });

  it('an unknown History key is an empty list, and Long event fields stay exact', async () => {
    const empty = await post(`/v1/features/${feature}/latest`, 'live-recommender', { key: { viewer_id: '6' }, n: 5 });
    expect(empty.json()).toEqual({ feature, values: [] });
    const rich = await post('/v1/features/azar-match::rich-history-v1/latest', 'match-recommender', { key: { user_id: '42' }, n: 1 });
    expect(rich.json().values).toEqual([expectedJson(HISTORY_ROWS['azar-match::rich-history-v1']!.events[2]!)]);
    expect(rich.body).toContain('"peer_user_id":"9007199254740995"');
  });
});

describe('POST /v1/get-online-features', () => {
  it('reads many features × many keys; each feature takes its own key fields from each key object', async () => {
    const res = await post('/v1/get-online-features', 'anomaly-detector', {
      features: ['live::hakuna-host-stat-v1', 'live::realtime-room-context-v1', 'azar-lounge::user-stats-v1'],
      keys: [
        { user_id: '1001', room_id: '777' },
        { user_id: '1002', room_id: 1 },
      ],
    });
    expect(res.statusCode).toBe(200);
    // user_id is Text for the Hakuna feature and Long for the Azar one: '1001' parses as both.
    expect(res.json()).toEqual({
      results: {
        'live::hakuna-host-stat-v1': [expectedJson(OBJECT_ROWS['live::hakuna-host-stat-v1']!.value), null],
        'live::realtime-room-context-v1': [expectedJson(OBJECT_ROWS['live::realtime-room-context-v1']!.value), null],
        'azar-lounge::user-stats-v1': [null, null],
      },
    });
  });

  it('names the feature, field and key index when a key object lacks a field a feature needs', async () => {
    const res = await post('/v1/get-online-features', 'anomaly-detector', {
      features: ['live::hakuna-host-stat-v1', 'live::realtime-room-context-v1'],
      keys: [{ user_id: '1001', room_id: '777' }, { user_id: '1002' }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'INVALID_KEY',
      feature: 'live::realtime-room-context-v1',
      field: 'room_id',
      message: 'keys[1] lacks the key field "room_id"',
    });
  });

  it('rejects History features (use /latest or /range)', async () => {
    const res = await post('/v1/get-online-features', 'live-recommender', {
      features: ['live::viewer-watch-history-v1'],
      keys: [{ viewer_id: '5' }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'WRONG_FEATURE_TYPE', feature: 'live::viewer-watch-history-v1' });
  });
});

describe('schemas', () => {
  it('GET /v1/features/{feature}/schema gives the reader schema, its fingerprint and the field list', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/v1/features/azar-lounge::user-stats-v1/schema', headers: auth('upsync-worker') });
    expect(res.statusCode).toBe(200);
    const info = api.runtime.features.get('azar-lounge::user-stats-v1')!;
    const body = res.json();
    expect(body).toMatchObject({ feature: 'azar-lounge::user-stats-v1', featureType: 'Object', fingerprint: info.avroFingerprint.toString() });
    expect(body.schema).toEqual(JSON.parse(info.avroSchemaText));
    expect(res.headers['x-featurestore-schema-fingerprint']).toBe(info.avroFingerprint.toString());
    expect(body.keyFields).toEqual([{ name: 'user_id', type: 'Long', nullable: false }]);
  });

  it('GET /v1/schemas/envelopes gives the Avro envelope records', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/v1/schemas/envelopes', headers: auth('live-recommender') });
    expect(Object.keys(res.json())).toEqual(['FeatureValues', 'OnlineFeatures']);
  });
});
