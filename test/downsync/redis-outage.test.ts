/**
 * Redis down in the middle of a command stream, with a redis-server of this test's own: the worker's
 * online writes go on (the store takes them; the cache's deletes fail), the keys are kept as pending
 * invalidations and retried with backoff, and once Redis is back no read through the cache returns a
 * value older than the newest applied.
 *
 * The outage is a crash and a restart with an append-only file (fsync always): the entries cached with
 * the old value before the outage come back with it, for the rest of their minute, and the deletes sent
 * during the outage are lost. The Redis adapter replays up to MAX_PENDING_INVALIDATIONS of them on
 * reconnect; this stream writes more keys than that, so only the worker's retries make the cache
 * coherent (without them this test fails). A SIGSTOP would not show it: the deletes written while Redis
 * is frozen wait in its socket buffer and run when it resumes, retries or not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { MAX_PENDING_INVALIDATIONS, RedisFeatureCache } from '../../runtime/cache/redis/redis-feature-cache.ts';
import { withCache, type CachedOnlineStore } from '../../runtime/cache/with-cache.ts';
import { DownsyncWorker, MemorySamplerStateStore } from '../../runtime/downsync/index.ts';
import { SqliteOnlineStore } from '../../runtime/online/sqlite/sqlite-online-store.ts';
import { inspectValue } from '../../runtime/read/decoded-values.ts';
import { MemoryFeatureStream } from '../../runtime/stream/memory/memory-feature-stream.ts';
import { WritePath } from '../../runtime/write/write-path.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { eventually, loadFixture, ROOM, roomCommand, type Fixture } from './helpers/fixture.ts';
import { freePort } from '../helpers/free-port.ts';

const TOPIC = 'featurestore.commands';
// More keys than the Redis adapter remembers for its own replay on reconnect (MAX_PENDING_INVALIDATIONS):
// the ones beyond it stay stale unless the worker retries them.
const ROOMS = Array.from({ length: MAX_PENDING_INVALIDATIONS + 2_000 }, (_, i) => 80_000n + BigInt(i));

let redis: ChildProcess | undefined;

async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let banner = '';
  child.stdout?.on('data', (d: Buffer) => (banner += d.toString()));
  await vi.waitFor(() => expect(banner).toContain('Ready to accept connections'), { timeout: 10_000, interval: 20 });
  return child;
}
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  if (redis?.pid && redis.exitCode === null && redis.signalCode === null) {
    redis.kill('SIGKILL');
    await once(redis, 'exit');
  }
  for (const close of closers.reverse()) await close().catch(() => {});
});

/** The cache decorator as a sync job or the Read API builds it, with entries that live the full minute. */
function cached(fx: Fixture, store: SqliteOnlineStore, cache: RedisFeatureCache): CachedOnlineStore {
  const byTable = new Map([...fx.catalog.features.values()].map((f) => [f.table, f]));
  return withCache(store, cache, {
    policy: () => ({ ttlMs: 60_000, historyWindow: 50 }),
    inspect: (table, value) => inspectValue(byTable.get(table)!, value),
  });
}

describe('downsync with Redis hung mid-stream', () => {
  it('keeps applying, retries the deletes, and serves no older value once Redis is back', async () => {
    const fx = await loadFixture();
    const port = await freePort();
    const dir = await tempDir('downsync-redis');
    redis = await startRedis(port, dir);
    const url = `redis://127.0.0.1:${port}`;

    const file = path.join(dir, 'online.sqlite');
    const tables = [...fx.catalog.features.values()].map((f) => f.table);
    // The worker's process and a reader's (the Read API): one SQLite file, one Redis, separate clients.
    const workerCache = new RedisFeatureCache({ url, timeoutMs: 50 });
    const readerCache = new RedisFeatureCache({ url, timeoutMs: 50 });
    const workerStore = cached(fx, new SqliteOnlineStore({ path: file, tables }), workerCache);
    const rawStore = new SqliteOnlineStore({ path: file, tables });
    const readerStore = cached(fx, new SqliteOnlineStore({ path: file, tables }), readerCache);
    closers.push(() => workerStore.close(), () => readerStore.close(), () => rawStore.close());
    expect(await workerCache.waitUntilReady(5_000)).toBe(true);
    expect(await readerCache.waitUntilReady(5_000)).toBe(true);

    const stream = new MemoryFeatureStream({ partitions: 4, maxBatchSize: 2_000 });
    closers.push(() => stream.close());
    const events: string[] = [];
    const worker = new DownsyncWorker({
      stream,
      topic: TOPIC,
      groupId: 'downsync',
      catalog: fx.catalog,
      features: fx.features,
      writePath: new WritePath(fx.catalog, workerStore),
      cache: workerCache,
      offline: null,
      samplerState: new MemorySamplerStateStore(),
      flushMs: 50,
      invalidationRetryMs: 50,
      log: (event) => events.push(event),
    });
    await worker.start();
    closers.push(() => worker.stop());
    const f = fx.feature(ROOM);
    const read = async (store: { getMany: CachedOnlineStore['getMany'] }) =>
      (await store.getMany(f.table, ROOMS.map((r) => [r]))).map((v) => (v ? (f.serde.decode(v).viewer_count as number) : null));

    // Version 1 applied, then read through the cache: every key is cached with it.
    await stream.publish(TOPIC, ROOMS.map((r) => roomCommand(fx, r, new Date(1_000), 1)));
    await eventually(() => worker.stats().applied === ROOMS.length, 10_000, 'version 1 applied');
    expect(await read(readerStore)).toEqual(ROOMS.map(() => 1));
    // Fills are not awaited by reads (and a large one may time out): read again until every key is cached.
    const keys = ROOMS.map((r) => `fs:{${ROOM}}:${r}`);
    const allCached = async () => (await readerCache.getMany(keys)).every((e) => e instanceof Uint8Array);
    await eventually(async () => (await read(readerStore)).every((v) => v === 1) && (await allCached()), 30_000, 'every key cached');

    // Redis crashes; versions 2 and 3 stream in.
    redis.kill('SIGKILL');
    await once(redis, 'exit');
    {
      await stream.publish(TOPIC, ROOMS.map((r) => roomCommand(fx, r, new Date(2_000), 2)));
      await stream.publish(TOPIC, ROOMS.map((r) => roomCommand(fx, r, new Date(3_000), 3)));
      // Online writes continue: the store has the newest value while Redis is still hung.
      await eventually(() => worker.stats().applied === 3 * ROOMS.length, 30_000, 'versions 2 and 3 applied during the outage');
      expect(await read(rawStore)).toEqual(ROOMS.map(() => 3));
      expect(worker.stats().pendingInvalidations).toBe(ROOMS.length);
      expect(await worker.registry.render()).toContain(`featurestore_downsync_pending_cache_invalidations ${ROOMS.length}`);
      expect(events).toContain('cache deletes failing');
    }
    // Redis is back, with the entries of version 1 from its append-only file.
    redis = await startRedis(port, dir);

    // The retried deletes are confirmed, and no read through the (connected) cache serves version 1 or 2.
    await eventually(() => worker.stats().pendingInvalidations === 0, 20_000, 'pending invalidations confirmed');
    expect(events).toContain('cache deletes confirmed again');
    expect(await readerCache.waitUntilReady(5_000)).toBe(true);
    expect(await read(readerStore)).toEqual(ROOMS.map(() => 3));
    // The reads went through the cache: it holds version 3 now, and serves it.
    await eventually(async () => (await read(readerStore)).every((v) => v === 3) && (await allCached()), 30_000, 'every key cached again');
    expect(await read(readerStore)).toEqual(ROOMS.map(() => 3));
    await worker.stop();
    expect(await worker.registry.render()).toContain('featurestore_downsync_pending_cache_invalidations 0');
  }, 60_000);
});
