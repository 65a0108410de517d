/**
 * The cache staleness contract (docs/online-runtime.md), across two processes and a real Redis: a
 * writer process (cache-writer-process.ts) puts while Redis is frozen (SIGSTOP), and the Read API in
 * this process serves the key. A put that resolves means the old value is gone from Redis; a put whose
 * delete Redis did not confirm rejects with CACHE_INVALIDATION_FAILED, so no write is ever reported done
 * while the server keeps answering the old value for the whole TTL. Entries never live longer than
 * MAX_CACHE_TTL_MS. The redis-server is this test's own: freezing the shared one would stall other files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CACHE_INVALIDATION_FAILED, MAX_CACHE_TTL_MS } from '../../runtime/cache/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { freePort } from '../server/backing-services.ts';
import { auth, startReadApi, type ReadApiFixture } from '../server/read-api-fixture.ts';

const HOST = 'live::hakuna-host-stat-v1';

interface WriterResult {
  readonly ok: boolean;
  readonly code?: string;
  readonly message?: string;
  readonly ms?: number;
}

/** The writer child: one JSON line per command. */
class Writer {
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | null = null;
  readonly exited: Promise<unknown>;

  constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(line);
      } else this.lines.push(line);
    });
    this.exited = once(child, 'exit');
  }

  static async start(dbPath: string, redisUrl: string): Promise<Writer> {
    const child = spawn('node', ['--import', 'tsx', path.resolve('test/hostile/cache-writer-process.ts'), dbPath, redisUrl], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const writer = new Writer(child);
    expect(await writer.next()).toEqual({ ready: true });
    return writer;
  }

  next(): Promise<Record<string, unknown>> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(JSON.parse(line) as Record<string, unknown>);
    return new Promise((resolve) => (this.waiting = (l) => resolve(JSON.parse(l) as Record<string, unknown>)));
  }

  async put(level: number): Promise<WriterResult> {
    this.child.stdin!.write(`put ${level}\n`);
    const line = await this.next();
    expect(typeof line['ok']).toBe('boolean');
    return line as unknown as WriterResult;
  }

  async exit(): Promise<void> {
    this.child.stdin!.end('exit\n');
    await this.exited;
  }
}

let redisServer: ChildProcess;
let redisUrl: string;
let observer: Redis;
let dbPath: string;
let api: ReadApiFixture;
const cacheKey = `fs:{${HOST}}:1001`;

beforeAll(async () => {
  const port = await freePort();
  redisServer = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  redisServer.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await vi.waitFor(() => expect(out).toContain('Ready to accept connections'), { timeout: 10_000, interval: 20 });
  redisUrl = `redis://127.0.0.1:${port}`;
  observer = new Redis(redisUrl);
  dbPath = path.join(await tempDir('lost-invalidation'), 'online.sqlite');
  api = await startReadApi({ store: { kind: 'sqlite', path: dbPath }, cache: { redisUrl } });
});
afterAll(async () => {
  if (redisServer.exitCode === null && redisServer.signalCode === null) {
    redisServer.kill('SIGCONT');
    redisServer.kill('SIGKILL');
    await once(redisServer, 'exit');
  }
  observer?.disconnect();
  await api?.close();
});

async function servedLevel(): Promise<string> {
  const res = await api.app.inject({ method: 'POST', url: `/v1/features/${HOST}/get`, headers: auth('live-recommender'), payload: { keys: [{ user_id: '1001' }] } });
  expect(res.statusCode).toBe(200);
  return (res.json() as { values: { level: string }[] }).values[0]!.level;
}

/** Reads until the value is cached in Redis (the fill is not awaited by the read). */
async function cachedLevel(expected: string): Promise<void> {
  expect(await servedLevel()).toBe(expected);
  await vi.waitFor(async () => expect(await observer.exists(cacheKey)).toBe(1));
}

describe('cache staleness contract', () => {
  it('entries live at most MAX_CACHE_TTL_MS, whatever cache.ttl says (10m here)', async () => {
    await cachedLevel('12');
    const ttl = await observer.pttl(cacheKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(MAX_CACHE_TTL_MS);
  });

  it('a writer started while Redis is frozen: its put is refused, not silently left stale; a retry once Redis is back is fresh at once', async () => {
    await cachedLevel('12');
    redisServer.kill('SIGSTOP');
    let first: WriterResult;
    try {
      const writer = await Writer.start(dbPath, redisUrl);
      first = await writer.put(13);
      // A job that exits after its write: nothing in it survives to replay the delete later.
      await writer.exit();
    } finally {
      redisServer.kill('SIGCONT');
    }
    // The contract: a put that resolved must be visible; one that could not be made visible must say so.
    if (first.ok) expect(await servedLevel()).toBe('13');
    expect(first).toMatchObject({ ok: false, code: CACHE_INVALIDATION_FAILED, message: expect.stringContaining('retry the write') });
    expect(first.ms).toBeLessThan(2_000);

    const retry = await Writer.start(dbPath, redisUrl);
    expect(await retry.put(13)).toMatchObject({ ok: true });
    await retry.exit();
    expect(await servedLevel()).toBe('13');
  });

  it('a connected writer whose DEL times out in a frozen Redis: the put rejects within the retry bound; its retry after SIGCONT is fresh', async () => {
    const before = await servedLevel();
    await cachedLevel(before);
    const next = Number(before) + 1;
    const writer = await Writer.start(dbPath, redisUrl);
    try {
      redisServer.kill('SIGSTOP');
      let result: WriterResult;
      try {
        result = await writer.put(next);
      } finally {
        redisServer.kill('SIGCONT');
      }
      expect(result).toMatchObject({ ok: false, code: CACHE_INVALIDATION_FAILED });
      // 3 attempts of 50 ms with waits of 50 and 100 ms between them, plus scheduling slack.
      expect(result.ms).toBeLessThan(1_500);
      await vi.waitFor(async () => expect(await writer.put(next)).toMatchObject({ ok: true }), { timeout: 10_000, interval: 200 });
      expect(await servedLevel()).toBe(String(next));
    } finally {
      await writer.exit();
    }
  });
});
