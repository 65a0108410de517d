/**
 * Redis stopped in the middle of a test: a redis-server of this test's own (a free port, no
 * persistence) is killed, then hung (SIGSTOP), while reads go on. Reads must keep answering, correctly
 * and within a bounded time, from the store; once Redis is back, the cache is used again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CACHE_INVALIDATION_FAILED } from '../../runtime/cache/index.ts';
import { createOnlineRuntime, type OnlineRuntime } from '../../runtime/index.ts';
import { SqliteOnlineStore } from '../../runtime/online/sqlite/sqlite-online-store.ts';
import { CountingStore } from './helpers/counting-store.ts';
import { freePort } from '../helpers/free-port.ts';

const HOST = 'live::hakuna-host-stat-v1';
/** Redis timeout 50 ms, plus SQLite and scheduling slack on a loaded 2-core CI machine. */
const BOUND_MS = 250;

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await vi.waitFor(() => expect(out).toContain('Ready to accept connections'), { timeout: 10_000, interval: 20 });
  return child;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

let port: number;
let server: ChildProcess | undefined;
let store: CountingStore;
let runtime: OnlineRuntime;

beforeAll(async () => {
  port = await freePort();
  server = await startRedis(port);
  store = new CountingStore(new SqliteOnlineStore({ path: ':memory:' }));
  runtime = await createOnlineRuntime({ store: { kind: 'custom', store }, cache: { redisUrl: `redis://127.0.0.1:${port}`, timeoutMs: 50 } });
  await runtime.put('upsync-worker', HOST, [{ key: { user_id: 'h1' }, value: { level: 1n } }, { key: { user_id: 'h2' }, value: { level: 2n } }]);
});
afterAll(async () => {
  if (server?.pid && server.signalCode === null && server.exitCode === null) server.kill('SIGCONT');
  await runtime?.close();
  await stop(server);
});

/** Reads both keys, checks the values, and returns how long the read took. */
async function timedRead(): Promise<number> {
  const started = performance.now();
  const got = await runtime.getMany('live-recommender', HOST, [{ user_id: 'h1' }, { user_id: 'h2' }]);
  const elapsed = performance.now() - started;
  expect(got.map((v) => v?.['level'])).toEqual([1n, 2n]);
  return elapsed;
}

describe('Redis outage', () => {
  it('serves from the cache while Redis is up', async () => {
    await timedRead();
    store.reset();
    await timedRead();
    expect(store.calls.getMany).toBe(0);
  });

  it('Redis killed: reads continue from the store within the bound, readiness reports the cache down', async () => {
    await stop(server);
    store.reset();
    const times: number[] = [];
    for (let i = 0; i < 20; i++) times.push(await timedRead());
    expect(Math.max(...times)).toBeLessThan(BOUND_MS);
    expect(store.calls.getMany).toBe(20);
    expect(await runtime.ready()).toEqual({ store: true, cache: false });
    // A write reaches the store but cannot be confirmed in the cache: it says so rather than succeeding
    // quietly (the cache staleness contract, docs/online-runtime.md).
    await expect(runtime.put('upsync-worker', HOST, [{ key: { user_id: 'h3' }, value: { level: 3n } }])).rejects.toMatchObject({
      code: CACHE_INVALIDATION_FAILED,
    });
  });

  it('Redis back: the runtime reconnects by itself and the cache is used again', async () => {
    server = await startRedis(port);
    await vi.waitFor(async () => expect((await runtime.ready()).cache).toBe(true), { timeout: 10_000, interval: 100 });
    await timedRead(); // refills the (empty) new server
    store.reset();
    await timedRead();
    expect(store.calls.getMany).toBe(0);
  });

  it('Redis hung (SIGSTOP): reads time out of the cache, then the breaker skips it; after SIGCONT it is used again', async () => {
    server?.kill('SIGSTOP');
    store.reset();
    const times: number[] = [];
    for (let i = 0; i < 20; i++) times.push(await timedRead());
    expect(Math.max(...times)).toBeLessThan(BOUND_MS);
    expect(store.calls.getMany).toBe(20);
    // After the first few timeouts the circuit is open: later reads do not wait for Redis at all.
    const tail = times.slice(5);
    expect(tail.reduce((a, b) => a + b, 0) / tail.length).toBeLessThan(25);

    server?.kill('SIGCONT');
    await vi.waitFor(
      async () => {
        store.reset();
        await timedRead();
        expect(store.calls.getMany).toBe(0);
      },
      { timeout: 10_000, interval: 200 },
    );
  });
});

describe('invalidations during an outage', () => {
  it('are replayed on reconnect, so an entry cached before the outage does not outlive a write made during it', async () => {
    const { Redis } = await import('ioredis');
    const { RedisFeatureCache } = await import('../../runtime/cache/redis/redis-feature-cache.ts');
    const client = new Redis(`redis://127.0.0.1:${port}`, { enableOfflineQueue: false, lazyConnect: true });
    const observer = new Redis(`redis://127.0.0.1:${port}`);
    const cache = new RedisFeatureCache({ redis: client });
    try {
      await client.connect();
      await observer.set('outage:k', 'old');
      const ended = once(client, 'end');
      client.disconnect(); // as if the network dropped: the server keeps its data
      await ended;
      await expect(cache.invalidate(['outage:k'])).rejects.toMatchObject({ code: CACHE_INVALIDATION_FAILED });
      expect(cache.pendingInvalidations).toBe(1);
      expect(await observer.get('outage:k')).toBe('old');
      await client.connect();
      await vi.waitFor(async () => expect(await observer.get('outage:k')).toBeNull());
      expect(cache.pendingInvalidations).toBe(0);
    } finally {
      observer.disconnect();
      await cache.close();
    }
  });
});
