/**
 * The FeatureCache on Redis (ioredis). A cache must never make a read fail or slow it much:
 *
 * - every call is bounded by `timeoutMs` (default 50 ms: a healthy Redis answers in well under 1 ms on
 *   the same network, so 50 ms means it is in trouble), and a timeout or error reads as a miss;
 * - the offline queue is off, so while disconnected commands fail at once instead of queueing behind a
 *   reconnect, and unanswered commands are not resent after one (the caller has given up on them);
 * - a circuit breaker stops sending reads after a few consecutive failures and probes again later;
 * - auto-pipelining coalesces the commands of concurrent requests into one write per tick.
 *
 * Writes are the exception: `invalidate` resolves only once Redis acknowledged the DEL, and rejects after
 * INVALIDATION_ATTEMPTS tries (see "Cache staleness contract" in docs/online-runtime.md).
 *
 * Values are stored as given (the read-through layer hands single-object-encoded Avro); an empty string
 * marks a cached absence (no valid entry is empty).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { CacheInvalidationError, type CachedEntry, type FeatureCache } from '../feature-cache.ts';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker.ts';

export const DEFAULT_REDIS_TIMEOUT_MS = 50;
/** Failed invalidations remembered for replay on reconnect; beyond this, entries age out by their TTL. */
export const MAX_PENDING_INVALIDATIONS = 10_000;

/**
 * Tries of a DEL before the write is reported as failed; waits of 1×, 2×… the timeout between them, so
 * a write against a hung Redis fails after about 6× the timeout (300 ms by default), not never.
 */
export const INVALIDATION_ATTEMPTS = 3;

export const REDIS_CACHE_ERRORS = {
  timeout: (ms: number) => `Redis did not answer within ${ms} ms`,
  notConnected: (status: string) => `not connected to Redis (connection ${status})`,
} as const;

export interface RedisFeatureCacheOptions {
  /** `redis://[:password@]host:port[/db]`; ignored when `redis` is given. */
  readonly url?: string;
  /** An existing client (its options are then the caller's business). */
  readonly redis?: Redis;
  /** Bound on every cache call, in milliseconds; default 50. */
  readonly timeoutMs?: number;
  /** Prepended to every key (isolates tests or tenants sharing a Redis). */
  readonly keyPrefix?: string;
  readonly breaker?: CircuitBreakerOptions;
}

export interface RedisCacheStats {
  /** Calls that failed or timed out. */
  errors: number;
  /** Reads answered as misses without asking Redis (circuit open or not connected). */
  skipped: number;
}

const EMPTY = Buffer.alloc(0);

export class RedisFeatureCache implements FeatureCache {
  readonly stats: RedisCacheStats = { errors: 0, skipped: 0 };
  private readonly redis: Redis;
  private readonly timeoutMs: number;
  private readonly breaker: CircuitBreaker;
  private lastError: unknown = null;
  /** Keys whose DEL failed (Redis down or slow): deleted first thing after a reconnect. */
  private readonly pending = new Set<string>();
  /** True when the client is ours, so ioredis's commandTimeout already bounds every single command. */
  private readonly ownClient: boolean;

  constructor(options: RedisFeatureCacheOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    this.breaker = new CircuitBreaker(options.breaker);
    const tuned: RedisOptions = {
      commandTimeout: this.timeoutMs,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      enableAutoPipelining: true,
      connectTimeout: 1_000,
      // Keep trying to reconnect, never more than a second apart, so the cache comes back on its own.
      retryStrategy: (times) => Math.min(50 * 2 ** times, 1_000),
      ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
    };
    this.ownClient = options.redis === undefined;
    this.redis = options.redis ?? new Redis(options.url ?? 'redis://127.0.0.1:6379', tuned);
    // Without a listener ioredis prints every connection error; they are expected while Redis is down.
    this.redis.on('error', (e: unknown) => {
      this.lastError = e;
    });
    // Commands on one connection run in order, so this DEL precedes every read after the reconnect.
    this.redis.on('ready', () => void this.replayInvalidations());
  }

  get circuitState(): CircuitState {
    return this.breaker.state;
  }

  /** The last connection or command error, for diagnostics. */
  get lastFailure(): unknown {
    return this.lastError;
  }

  async getMany(keys: readonly string[]): Promise<(CachedEntry | undefined)[]> {
    const misses = (): undefined[] => new Array<undefined>(keys.length).fill(undefined);
    if (keys.length === 0) return [];
    if (this.redis.status !== 'ready' || !this.breaker.allow()) {
      this.stats.skipped++;
      return misses();
    }
    // Writes made while Redis was unreachable are deleted before this read is sent (same connection, in order).
    if (this.pending.size > 0) void this.replayInvalidations();
    try {
      const values = await this.single(this.redis.mgetBuffer(...keys));
      this.breaker.success();
      return values.map((v) => (v === null ? undefined : v.length === 0 ? null : v));
    } catch (e) {
      this.fail(e);
      return misses();
    }
  }

  async setMany(entries: readonly { readonly key: string; readonly entry: CachedEntry; readonly ttlMs: number }[]): Promise<void> {
    if (entries.length === 0 || this.redis.status !== 'ready' || this.breaker.state === 'open') return;
    const bytes = (entry: CachedEntry) => (entry === null ? EMPTY : Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength));
    try {
      if (entries.length === 1) {
        const [{ key, entry, ttlMs }] = entries as [(typeof entries)[number]];
        await this.single(this.redis.set(key, bytes(entry), 'PX', Math.max(1, Math.round(ttlMs))));
      } else {
        const pipeline = this.redis.pipeline();
        for (const { key, entry, ttlMs } of entries) pipeline.set(key, bytes(entry), 'PX', Math.max(1, Math.round(ttlMs)));
        await this.bounded(pipeline.exec());
      }
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * Resolves only when Redis acknowledged the DEL: the write that called it then knows no reader anywhere
   * gets the old entry from Redis. A few quick retries ride out a blip; after them the keys are remembered
   * for replay on reconnect (bounded) and the call rejects with CacheInvalidationError, so the writer
   * learns the truth instead of a silent success that would leave the old value served for the whole
   * TTL. (Versioned entries checked on every hit were the alternative; checking a version against the
   * store costs the store read the cache exists to save, and against Redis it fails with Redis.)
   * Not gated by the breaker: a stale entry outliving a write is worse than a fast failed attempt.
   */
  async invalidate(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    let cause: unknown = null;
    for (let attempt = 0; attempt < INVALIDATION_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(this.timeoutMs * attempt);
      if (this.redis.status !== 'ready') {
        this.stats.errors++;
        cause = new Error(REDIS_CACHE_ERRORS.notConnected(this.redis.status));
        continue;
      }
      try {
        await this.single(this.redis.del(...keys));
        return;
      } catch (e) {
        this.fail(e);
        cause = e;
      }
    }
    this.remember(keys);
    throw new CacheInvalidationError(keys.length, INVALIDATION_ATTEMPTS, cause);
  }

  /** Invalidations waiting for Redis to come back. */
  get pendingInvalidations(): number {
    return this.pending.size;
  }

  /**
   * Waits until connected, at most `timeoutMs`: a service starting next to a healthy Redis serves its
   * first requests from the cache, and one starting while Redis is down still starts (reads use the store).
   */
  async waitUntilReady(timeoutMs = 1_000): Promise<boolean> {
    if (this.redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      timer.unref();
      this.redis.on('ready', onReady);
    });
  }

  /** True when Redis answers a PING within the timeout (readiness probes). */
  async ping(): Promise<boolean> {
    try {
      return (await this.bounded(this.redis.ping())) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    try {
      await this.bounded(this.redis.quit());
    } catch {
      this.redis.disconnect();
    }
  }

  private remember(keys: readonly string[]): void {
    for (const key of keys) {
      if (this.pending.size >= MAX_PENDING_INVALIDATIONS) return;
      this.pending.add(key);
    }
  }

  private async replayInvalidations(): Promise<void> {
    if (this.pending.size === 0) return;
    const keys = [...this.pending];
    this.pending.clear();
    try {
      // Chunks keep one DEL from blocking Redis for long.
      for (let i = 0; i < keys.length; i += 500) await this.bounded(this.redis.del(...keys.slice(i, i + 500)));
    } catch (e) {
      this.fail(e);
      this.remember(keys);
    }
  }

  private fail(e: unknown): void {
    this.stats.errors++;
    this.lastError = e;
    this.breaker.failure();
  }

  /** A single command: our client's commandTimeout bounds it already (one timer per read, not two). */
  private single<T>(promise: Promise<T>): Promise<T> {
    return this.ownClient ? promise : this.bounded(promise);
  }

  /** Pipelines, and clients configured by the caller, get a timer of their own. */
  private bounded<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(REDIS_CACHE_ERRORS.timeout(this.timeoutMs))), this.timeoutMs);
      timer.unref();
    });
    // The losing promise may still reject later; that must not become an unhandled rejection.
    promise.catch(() => {});
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
