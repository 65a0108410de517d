/** API keys → consumers, and the generated ACL deciding every consumer × feature pair of the examples. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../generator/load/config.ts';
import { API_KEY_ERRORS, apiKeysFromEnv, createApiKeyTable } from '../../runtime/server/index.ts';
import { ACL, auth, CONSUMERS, FEATURES, HISTORY_ROWS, keyOf, OBJECT_ROWS, startReadApi, type ReadApiFixture } from './read-api-fixture.ts';

let api: ReadApiFixture;
beforeAll(async () => {
  api = await startReadApi();
});
afterAll(async () => api?.close());

const hostUrl = '/v1/features/live::hakuna-host-stat-v1/get';
const hostBody = { keys: [{ user_id: '1001' }] };

/** A valid read of `feature` (its seeded key): /get for Object features, /latest for History. */
function readOf(feature: string): { url: string; payload: object } {
  const object = OBJECT_ROWS[feature];
  const key = object?.key ?? HISTORY_ROWS[feature]!.key;
  const json = Object.fromEntries(Object.entries(key).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));
  return object ? { url: `/v1/features/${feature}/get`, payload: { keys: [json] } } : { url: `/v1/features/${feature}/latest`, payload: { key: json, n: 1 } };
}

describe('authentication', () => {
  it('401 without a key, with WWW-Authenticate', async () => {
    const res = await api.app.inject({ method: 'POST', url: hostUrl, payload: hostBody });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED', message: expect.stringContaining('missing API key') });
  });

  it('401 for an unknown key, an empty bearer, another scheme, and a key one character off', async () => {
    for (const headers of [
      { authorization: 'Bearer not-a-key' },
      { authorization: 'Bearer ' },
      { authorization: `Basic ${keyOf('live-recommender')}` },
      { authorization: `Bearer ${keyOf('live-recommender').slice(0, -1)}x` },
      { 'x-api-key': 'not-a-key' },
      { 'x-api-key': 'x'.repeat(10_000) },
    ]) {
      const res = await api.app.inject({ method: 'POST', url: hostUrl, headers, payload: hostBody });
      expect(res.statusCode, JSON.stringify(headers).slice(0, 60)).toBe(401);
      expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', message: 'unknown API key' });
    }
  });

  it('accepts X-API-Key as well as a bearer token (scheme case-insensitive)', async () => {
    for (const headers of [{ 'x-api-key': keyOf('live-recommender') }, { authorization: `bearer ${keyOf('live-recommender')}` }]) {
      const res = await api.app.inject({ method: 'POST', url: hostUrl, headers, payload: hostBody });
      expect(res.statusCode).toBe(200);
    }
  });

  it('on one keep-alive connection, every request is authenticated with the key it carries', async () => {
    const own = await startReadApi();
    try {
      const base = await own.app.listen({ port: 0, host: '127.0.0.1' });
      const { Agent, request } = await import('node:http');
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const sockets = new Set<unknown>();
      const send = (headers: Record<string, string>) =>
        new Promise<number>((resolve, reject) => {
          const req = request(`${base}${hostUrl}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
            sockets.add(res.socket);
            res.resume().on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject).end(JSON.stringify(hostBody));
        });
      const statuses = [];
      for (const headers of [auth('live-recommender'), { authorization: 'Bearer wrong' }, auth('live-recommender'), auth('match-recommender'), {}]) {
        statuses.push(await send(headers));
      }
      expect(statuses).toEqual([200, 401, 200, 403, 401]);
      expect(sockets.size).toBe(1);
      agent.destroy();
    } finally {
      await own.close();
    }
  });

  it('ops routes need no key', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics']) expect((await api.app.inject({ url })).statusCode).toBe(200);
  });
});

describe('ACL: every consumer × feature pair of the example features', () => {
  const pairs = CONSUMERS.flatMap((consumer) => FEATURES.map((feature) => ({ consumer, feature, allowed: ACL.features[feature]!.read.includes(consumer) })));

  it('covers 6 consumers × 7 features, both outcomes', () => {
    expect(pairs).toHaveLength(42);
    expect(pairs.filter((p) => p.allowed).length).toBeGreaterThan(0);
    expect(pairs.filter((p) => !p.allowed).length).toBeGreaterThan(0);
  });

  it.each(pairs)('$consumer reading $feature → allowed: $allowed', async ({ consumer, feature, allowed }) => {
    const { url, payload } = readOf(feature);
    const res = await api.app.inject({ method: 'POST', url, headers: auth(consumer), payload });
    if (allowed) {
      expect(res.statusCode).toBe(200);
      expect(res.json().values[0]).not.toBeNull();
    } else {
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'ACCESS_DENIED', feature, consumer, message: expect.stringContaining(feature) });
    }
  });

  it('get-online-features: 403 naming every feature the consumer may not read', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/get-online-features',
      headers: auth('live-recommender'),
      payload: { features: ['live::hakuna-host-stat-v1', 'azar-lounge::user-stats-v1', 'azar-match::user-embedding-v2'], keys: [{ user_id: '1001' }] },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      code: 'ACCESS_DENIED',
      feature: 'azar-lounge::user-stats-v1',
      features: ['azar-lounge::user-stats-v1', 'azar-match::user-embedding-v2'],
      message: expect.stringContaining('azar-match::user-embedding-v2'),
    });
  });
});

describe('API key table', () => {
  it('reads each consumer\'s keys from the variable featurestore.yaml names (comma-separated)', async () => {
    const { config } = await loadConfig('featurestore.yaml');
    const warnings: string[] = [];
    const env = { FS_KEYS_LIVE_RECOMMENDER: 'live-a, live-b', FS_KEYS_MATCH_RECOMMENDER: 'match-a' };
    const keys = apiKeysFromEnv(config.consumers, env, (m) => warnings.push(m));
    expect(Object.fromEntries(keys)).toEqual({ 'live-recommender': ['live-a', 'live-b'], 'match-recommender': ['match-a'] });
    expect(warnings.sort()).toEqual(
      [
        API_KEY_ERRORS.unsetEnv('anomaly-detector', 'FS_KEYS_ANOMALY_DETECTOR'),
        API_KEY_ERRORS.unsetEnv('lounge-recommender', 'FS_KEYS_LOUNGE_RECOMMENDER'),
        API_KEY_ERRORS.unsetEnv('realtime-calculator', 'FS_KEYS_REALTIME_CALCULATOR'),
        API_KEY_ERRORS.unsetEnv('upsync-worker', 'FS_KEYS_UPSYNC_WORKER'),
      ].sort(),
    );
    const table = createApiKeyTable(keys);
    expect([table.consumerFor('live-b'), table.consumerFor('match-a'), table.consumerFor('live-')]).toEqual(['live-recommender', 'match-recommender', null]);
    expect(table.consumers).toEqual(['live-recommender', 'match-recommender']);
  });

  it('refuses the same key for two consumers', () => {
    expect(() => createApiKeyTable(new Map([['a', ['k']], ['b', ['k']]]))).toThrow(API_KEY_ERRORS.duplicateKey('a', 'b'));
  });
});
