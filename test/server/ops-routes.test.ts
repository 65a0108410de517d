/** /healthz, /readyz and /metrics, over SQLite and over Cassandra + Redis, including Redis going down. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, startReadApi, type ReadApiFixture } from './read-api-fixture.ts';
import { cassandraStore, startPrivateRedis, type PrivateRedis } from './backing-services.ts';

const hostRead = (api: ReadApiFixture) =>
  api.app.inject({ method: 'POST', url: '/v1/features/live::hakuna-host-stat-v1/get', headers: auth('live-recommender'), payload: { keys: [{ user_id: '1001' }] } });

describe('over SQLite without a cache', () => {
  let api: ReadApiFixture;
  beforeAll(async () => {
    api = await startReadApi();
  });
  afterAll(async () => api?.close());

  it('/healthz: the process answers', async () => {
    const res = await api.app.inject({ url: '/healthz' });
    expect([res.statusCode, res.json()]).toEqual([200, { status: 'ok' }]);
  });

  it('/readyz: store true, no cache configured', async () => {
    const res = await api.app.inject({ url: '/readyz' });
    expect([res.statusCode, res.json()]).toEqual([200, { ready: true, store: true, cache: null }]);
  });

  it('/metrics: the latency histogram per route and feature, key counts, process metrics', async () => {
    expect((await hostRead(api)).statusCode).toBe(200);
    await api.app.inject({ method: 'POST', url: '/v1/features/live::no-such-v1/get', headers: auth('live-recommender'), payload: { keys: [{ user_id: '1' }] } });
    const res = await api.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('# TYPE featurestore_http_request_duration_seconds histogram');
    expect(res.body).toMatch(
      /featurestore_http_request_duration_seconds_bucket\{le="\+Inf",route="\/v1\/features\/:feature\/get",feature="live::hakuna-host-stat-v1",status_code="200"\} [1-9]/,
    );
    // An unknown feature name is not echoed into a label.
    expect(res.body).toContain('feature="?",status_code="404"');
    expect(res.body).not.toContain('no-such-v1');
    expect(res.body).toMatch(/featurestore_read_keys_total\{feature="live::hakuna-host-stat-v1"\} [1-9]/);
    expect(res.body).toContain('featurestore_cache_requests_total');
    expect(res.body).toContain('featurestore_store_errors_total');
    expect(res.body).toContain('process_cpu_seconds_total');
  });
});

describe('over Cassandra with a Redis cache', () => {
  let cassandra: Awaited<ReturnType<typeof cassandraStore>>;
  let redis: PrivateRedis;
  let api: ReadApiFixture;
  beforeAll(async () => {
    cassandra = await cassandraStore('read_api_ops');
    redis = await startPrivateRedis();
    api = await startReadApi({ store: cassandra.store, cache: { redisUrl: redis.url, timeoutMs: 100 } });
  });
  afterAll(async () => {
    await api?.close();
    await redis?.kill();
    await cassandra?.drop();
  });

  it('/readyz reports store and cache; repeated reads hit the cache and the counters show it', async () => {
    expect((await api.app.inject({ url: '/readyz' })).json()).toEqual({ ready: true, store: true, cache: true });
    for (let i = 0; i < 3; i++) expect((await hostRead(api)).json().values[0]).toMatchObject({ level: '12' });
    const metrics = (await api.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/featurestore_cache_requests_total\{feature="live::hakuna-host-stat-v1",result="miss"\} 1\n/);
    expect(metrics).toMatch(/featurestore_cache_requests_total\{feature="live::hakuna-host-stat-v1",result="hit"\} 2\n/);
  });

  it('Redis killed: /readyz says cache false but stays ready, reads still answer from Cassandra', async () => {
    await redis.kill();
    const ready = await api.app.inject({ url: '/readyz' });
    expect([ready.statusCode, ready.json()]).toEqual([200, { ready: true, store: true, cache: false }]);
    for (let i = 0; i < 5; i++) {
      const res = await hostRead(api);
      expect(res.statusCode).toBe(200);
      expect(res.json().values[0]).toMatchObject({ gender: 'FEMALE', level: '12' });
    }
    const batch = await api.app.inject({
      method: 'POST',
      url: '/v1/get-online-features',
      headers: auth('anomaly-detector'),
      payload: { features: ['live::hakuna-host-stat-v1', 'azar-lounge::user-stats-v1'], keys: [{ user_id: '1001' }, { user_id: '9007199254740993' }] },
    });
    expect(batch.statusCode).toBe(200);
    expect(batch.json().results['azar-lounge::user-stats-v1'][1]).toMatchObject({ total_matches: '4611686018427387904' });
  });
});
