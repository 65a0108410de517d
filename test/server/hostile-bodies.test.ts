/**
 * Hostile and malformed requests: each gets a 4xx with a JSON error naming what is wrong (feature and
 * field where there is one), nothing leaks onto Object.prototype, and the server keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, startReadApi, type ReadApiFixture } from './read-api-fixture.ts';

let api: ReadApiFixture;
beforeAll(async () => {
  api = await startReadApi();
});
afterAll(async () => api?.close());

const HOST = '/v1/features/live::hakuna-host-stat-v1';
const STATS = '/v1/features/azar-lounge::user-stats-v1';
const WATCH = '/v1/features/live::viewer-watch-history-v1';
const ONLINE = '/v1/get-online-features';

interface Case {
  readonly name: string;
  readonly url: string;
  /** A string is sent as the raw body; anything else as JSON. */
  readonly body: unknown;
  readonly consumer?: string;
  readonly contentType?: string;
  readonly status: number;
  readonly expect: Record<string, unknown>;
}

const nested = (depth: number) => `{"keys":[${'['.repeat(depth)}${']'.repeat(depth)}]}`;
const manyKeys = (n: number, key: object) => ({ keys: Array.from({ length: n }, () => key) });

const CASES: Case[] = [
  { name: 'not JSON', url: `${HOST}/get`, body: '{"keys": [', status: 400, expect: { code: 'INVALID_REQUEST', message: expect.stringContaining('not valid JSON') } },
  { name: 'empty body', url: `${HOST}/get`, body: '', status: 400, expect: { code: 'INVALID_REQUEST', message: expect.stringContaining('empty body') } },
  { name: 'JSON array instead of object', url: `${HOST}/get`, body: '[{"user_id":"1001"}]', status: 400, expect: { message: 'request body must be a JSON object, got an array' } },
  { name: 'JSON scalar body', url: `${HOST}/get`, body: '42', status: 400, expect: { message: 'request body must be a JSON object, got an integer' } },
  { name: 'JSON null body', url: `${HOST}/get`, body: 'null', status: 400, expect: { message: 'request body must be a JSON object, got null' } },
  { name: 'keys not an array', url: `${HOST}/get`, body: { keys: { user_id: '1001' } }, status: 400, expect: { message: '"keys" must be an array, got an object' } },
  { name: 'missing keys', url: `${HOST}/get`, body: { key: [{ user_id: '1001' }] }, status: 400, expect: { message: 'unknown property "key" (allowed: keys)' } },
  { name: 'unknown top-level property', url: `${HOST}/get`, body: { keys: [{ user_id: '1' }], limit: 5 }, status: 400, expect: { message: 'unknown property "limit" (allowed: keys)' } },
  { name: 'empty keys list', url: `${HOST}/get`, body: { keys: [] }, status: 400, expect: { message: '"keys" must not be empty' } },
  { name: '10k keys over the 1000 limit', url: `${HOST}/get`, body: manyKeys(10_000, { user_id: '1' }), status: 400, expect: { code: 'TOO_MANY_KEYS', message: 'too many keys: 10000 (at most 1000 per request)' } },
  { name: 'huge body over bodyLimit', url: `${HOST}/get`, body: `{"keys":[{"user_id":"${'x'.repeat(2 * 1024 * 1024)}"}]}`, status: 413, expect: { code: 'BODY_TOO_LARGE' } },
  { name: 'deeply nested JSON (100k levels)', url: `${HOST}/get`, body: nested(100_000), status: 400, expect: { code: 'INVALID_KEY', feature: 'live::hakuna-host-stat-v1', message: expect.stringContaining('keys[0] must be an object with the key field(s) user_id, got an array') } },
  { name: '__proto__ at the top (prototype pollution)', url: `${HOST}/get`, body: '{"__proto__":{"polluted":true},"keys":[{"user_id":"1001"}]}', status: 400, expect: { message: expect.stringContaining('forbidden property name') } },
  { name: '__proto__ inside a key', url: `${HOST}/get`, body: '{"keys":[{"user_id":"1001","__proto__":{"user_id":"x"}}]}', status: 400, expect: { message: expect.stringContaining('forbidden property name') } },
  { name: 'constructor.prototype inside a key', url: `${HOST}/get`, body: '{"keys":[{"user_id":"1","constructor":{"prototype":{"polluted":true}}}]}', status: 400, expect: { message: expect.stringContaining('forbidden property name') } },
  { name: 'key field missing', url: `${HOST}/get`, body: { keys: [{ user_id: '1' }, {}] }, status: 400, expect: { code: 'INVALID_KEY', feature: 'live::hakuna-host-stat-v1', field: 'user_id', message: 'keys[1] lacks the key field "user_id"' } },
  { name: 'extra unknown key field', url: `${HOST}/get`, body: { keys: [{ user_id: '1', userId: '1' }] }, status: 400, expect: { field: 'userId', message: 'keys[0] has unknown field "userId" (key fields: user_id)' } },
  { name: 'number for a Text key', url: `${HOST}/get`, body: { keys: [{ user_id: 1001 }] }, status: 400, expect: { field: 'user_id', message: expect.stringMatching(/^keys\[0\]\.user_id must be a string .*got an integer$/) } },
  { name: 'float for a Long key', url: `${STATS}/get`, body: { keys: [{ user_id: 1.5 }] }, status: 400, expect: { feature: 'azar-lounge::user-stats-v1', field: 'user_id', message: expect.stringMatching(/must be a Long: .*got a number$/) } },
  { name: 'unsafe integer for a Long key', url: `${STATS}/get`, body: '{"keys":[{"user_id":9007199254740993}]}', status: 400, expect: { field: 'user_id', message: expect.stringContaining('decimal string') } },
  { name: '"abc" for a Long key', url: `${STATS}/get`, body: { keys: [{ user_id: 'abc' }] }, status: 400, expect: { field: 'user_id', message: expect.stringMatching(/got a string$/) } },
  { name: 'Long beyond 64 bits', url: `${STATS}/get`, body: { keys: [{ user_id: '9223372036854775808' }] }, status: 400, expect: { field: 'user_id' } },
  { name: 'null key', url: `${HOST}/get`, body: { keys: [null] }, status: 400, expect: { message: 'keys[0] must be an object with the key field(s) user_id, got null' } },
  { name: 'null key field', url: `${HOST}/get`, body: { keys: [{ user_id: null }] }, status: 400, expect: { field: 'user_id', message: expect.stringMatching(/got null$/) } },
  { name: 'NUL in a Text key', url: `${HOST}/get`, body: { keys: [{ user_id: 'a\u0000b' }] }, status: 400, expect: { field: 'user_id', message: expect.stringContaining('no NUL') } },
  { name: 'lone surrogate in a Text key', url: `${HOST}/get`, body: '{"keys":[{"user_id":"\\ud800"}]}', status: 400, expect: { field: 'user_id', message: expect.stringContaining('well-formed Unicode') } },
  { name: 'Text key over 1024 characters', url: `${HOST}/get`, body: { keys: [{ user_id: 'x'.repeat(1025) }] }, status: 400, expect: { field: 'user_id' } },
  { name: 'unknown feature', url: '/v1/features/live::no-such-feature-v1/get', body: { keys: [{ user_id: '1' }] }, status: 404, expect: { code: 'UNKNOWN_FEATURE', feature: 'live::no-such-feature-v1', message: 'unknown feature "live::no-such-feature-v1"' } },
  { name: 'History op on an Object feature', url: `${HOST}/latest`, body: { key: { user_id: '1' }, n: 5 }, status: 400, expect: { code: 'WRONG_FEATURE_TYPE', feature: 'live::hakuna-host-stat-v1', message: expect.stringContaining('is an Object feature: latest') } },
  { name: 'get on a History feature', url: `${WATCH}/get`, body: { keys: [{ viewer_id: '5' }] }, status: 400, expect: { code: 'WRONG_FEATURE_TYPE', feature: 'live::viewer-watch-history-v1' } },
  { name: 'impossible ISO date (Feb 30)', url: `${WATCH}/range`, body: { key: { viewer_id: '5' }, from: '2024-02-30T00:00:00Z', to: '2024-03-01T00:00:00Z' }, status: 400, expect: { field: 'from', message: expect.stringContaining('ISO-8601') } },
  { name: 'date without a time zone', url: `${WATCH}/range`, body: { key: { viewer_id: '5' }, from: '2024-02-01T00:00:00Z', to: '2024-03-01' }, status: 400, expect: { field: 'to' } },
  { name: 'not a date at all', url: `${WATCH}/range`, body: { key: { viewer_id: '5' }, from: 'yesterday', to: 1714564800000 }, status: 400, expect: { field: 'from' } },
  { name: 'from after to', url: `${WATCH}/range`, body: { key: { viewer_id: '5' }, from: '2024-03-01T00:00:00Z', to: '2024-02-01T00:00:00Z' }, status: 400, expect: { message: 'time range must have from <= to' } },
  ...[0, -1, 51, 1.5, '20'].map((n): Case => ({
    name: `n = ${JSON.stringify(n)} out of range`, url: `${WATCH}/latest`, body: { key: { viewer_id: '5' }, n }, status: 400,
    expect: { field: 'n', message: '"n" must be an integer from 1 to 50 for live::viewer-watch-history-v1' },
  })),
  { name: 'text/plain content type', url: `${HOST}/get`, body: '{"keys":[{"user_id":"1"}]}', contentType: 'text/plain', status: 415, expect: { code: 'UNSUPPORTED_MEDIA_TYPE' } },
  { name: 'form content type', url: `${HOST}/get`, body: 'keys=1', contentType: 'application/x-www-form-urlencoded', status: 415, expect: { code: 'UNSUPPORTED_MEDIA_TYPE' } },
  { name: 'online: features not an array', url: ONLINE, body: { features: 'live::hakuna-host-stat-v1', keys: [{ user_id: '1' }] }, status: 400, expect: { message: '"features" must be an array, got a string' } },
  { name: 'online: feature name not a string', url: ONLINE, body: { features: [{}], keys: [{ user_id: '1' }] }, status: 400, expect: { message: 'features[0] must be a feature name string, got an object' } },
  { name: 'online: duplicate feature', url: ONLINE, body: { features: ['live::hakuna-host-stat-v1', 'live::hakuna-host-stat-v1'], keys: [{ user_id: '1' }] }, status: 400, expect: { feature: 'live::hakuna-host-stat-v1' } },
  { name: 'online: unknown feature', url: ONLINE, body: { features: ['live::hakuna-host-stat-v1', 'nope::x-v1'], keys: [{ user_id: '1' }] }, status: 404, expect: { code: 'UNKNOWN_FEATURE', feature: 'nope::x-v1' } },
  { name: 'online: key field no feature uses', url: ONLINE, body: { features: ['live::hakuna-host-stat-v1'], keys: [{ user_id: '1', usr_id: '2' }] }, status: 400, expect: { code: 'INVALID_KEY', field: 'usr_id' } },
  { name: 'online: 51 features', url: ONLINE, body: { features: Array.from({ length: 51 }, (_, i) => `f::x-v${i}`), keys: [{ user_id: '1' }] }, status: 400, expect: { code: 'TOO_MANY_FEATURES' } },
  { name: 'online: features × keys over 10k', url: ONLINE, body: { features: Array.from({ length: 20 }, (_, i) => `f::x-v${i}`), ...manyKeys(600, { user_id: '1' }) }, status: 400, expect: { code: 'TOO_MANY_KEYS', message: 'too many lookups: 12000 features × keys (at most 10000 per request)' } },
];

describe('hostile request bodies', () => {
  it(`has at least 15 kinds (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(15));

  it.each(CASES)('$name → $status', async (c) => {
    const res = await api.app.inject({
      method: 'POST',
      url: c.url,
      headers: { ...auth(c.consumer ?? 'anomaly-detector'), 'content-type': c.contentType ?? 'application/json' },
      payload: typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
    });
    expect(res.statusCode).toBe(c.status);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json();
    expect(body).toMatchObject({ statusCode: c.status, requestId: expect.any(String), ...c.expect });
    expect(typeof body.code).toBe('string');
    expect(body.message.length).toBeLessThan(400);
  });

  it('well-formed Unicode keys are fine (absent → null), and nothing reached Object.prototype', async () => {
    const res = await api.app.inject({ method: 'POST', url: `${HOST}/get`, headers: auth('live-recommender'), payload: { keys: [{ user_id: '사용자😀' }, { user_id: '' }] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().values).toEqual([null, null]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('keeps serving after all of the above', async () => {
    const res = await api.app.inject({ method: 'POST', url: `${HOST}/get`, headers: auth('live-recommender'), payload: { keys: [{ user_id: '1001' }] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().values[0]).toMatchObject({ level: '12' });
  });

  it('unknown routes and methods are JSON 404s', async () => {
    for (const [method, url] of [['GET', `${HOST}/get`], ['POST', '/v2/x'], ['DELETE', '/healthz']] as const) {
      const res = await api.app.inject({ method, url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });
});
