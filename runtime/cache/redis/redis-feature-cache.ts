/**
 * The FeatureCache on Redis (ioredis). A cache must never make a read fail or slow it much:
 *
 * - every call is bounded by `timeoutMs` (default 50 ms: a healthy Redis answers in well under 1 ms on
 *   the same network, so 50 ms means it is in trouble), and a timeout or error reads as a miss. Reads
 *   are bounded without a timer each (read-deadlines.ts): when one has waited longer, the connection is
 *   dropped, failing every read in flight at once, and ioredis reconnects; other commands (fills, DELs,
 *   PING) are rare and get a timer of their own;
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
import { ReadDeadlines } from './read-deadlines.ts';

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
  /** True when the client is ours: its reads are bounded by `deadlines`, else each by a timer. */
  private readonly ownClient: boolean;
  private readonly deadlines: ReadDeadlines;
  /** Bumped when the connection is dropped: answers of reads from before no longer pop `deadlines`. */
  private generation = 0;
  private tracked = this.trackedHandlers();

  constructor(options: RedisFeatureCacheOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    this.breaker = new CircuitBreaker(options.breaker);
    const tuned: RedisOptions = {
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      enableAutoPipelining: true,
      connectTimeout: 1_000,
      // A dropped connection (a hung Redis, see ReadDeadlines) is destroyed now, not after 2 s of FIN.
      disconnectTimeout: 0,
      // Keep trying to reconnect, never more than a second apart, so the cache comes back on its own.
      retryStrategy: (times) => Math.min(50 * 2 ** times, 1_000),
      ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
    };
    this.ownClient = options.redis === undefined;
    this.deadlines = new ReadDeadlines(this.timeoutMs, () => this.hung());
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

  getMany(keys: readonly string[]): Promise<(CachedEntry | undefined)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    if (this.redis.status !== 'ready' || !this.breaker.allow()) {
      this.stats.skipped++;
      return Promise.resolve(misses(keys.length));
    }
    // Writes made while Redis was unreachable are deleted before this read is sent (same connection, in order).
    if (this.pending.size > 0) void this.replayInvalidations();
    // One key (most reads) is a GET: its reply is a bulk string, not an array to walk. Handlers bound once
    // (`then` with no closure per read): this is the hot path of every cache hit.
    const tracked = this.ownClient && this.deadlines.start();
    const handlers = tracked ? this.tracked : this.untracked;
    if (keys.length === 1) {
      const get = this.redis.getBuffer(keys[0]!);
      return (tracked ? get : this.bounded(get)).then(handlers.one, handlers.oneFailed);
    }
    const mget = this.redis.mgetBuffer(...keys);
    return (tracked ? mget : this.bounded(mget)).then(handlers.many, (e: unknown) => {
      handlers.oneFailed(e);
      return misses(keys.length);
    });
  }

  /** Answers of reads bounded by `deadlines`, for the current connection. */
  private trackedHandlers(): ReadHandlers {
    const generation = this.generation;
    const done = (): void => {
      if (generation === this.generation) this.deadlines.done();
    };
    return {
      one: (value) => {
        done();
        this.breaker.success();
        return [entryOf(value)];
      },
      many: (values) => {
        done();
        this.breaker.success();
        return values.map(entryOf);
      },
      oneFailed: (e) => {
        done();
        this.fail(e);
        return [undefined];
      },
    };
  }

  /** Answers of reads bounded by a timer each (a caller's client, or more reads in flight than tracked). */
  private readonly untracked: ReadHandlers = {
    one: (value) => {
      this.breaker.success();
      return [entryOf(value)];
    },
    many: (values) => {
      this.breaker.success();
      return values.map(entryOf);
    },
    oneFailed: (e) => {
      this.fail(e);
      return [undefined];
    },
  };

  /** The oldest read in flight waited longer than the timeout: drop the connection, failing them all. */
  private hung(): void {
    this.generation++;
    this.tracked = this.trackedHandlers();
    this.fail(new Error(REDIS_CACHE_ERRORS.timeout(this.timeoutMs)));
    this.redis.disconnect(true);
  }


  async setMany(entries: readonly { readonly key: string; readonly entry: CachedEntry; readonly ttlMs: number }[]): Promise<void> {
    if (entries.length === 0 || this.redis.status !== 'ready' || this.breaker.state === 'open') return;
    const bytes = (entry: CachedEntry) => (entry === null ? EMPTY : Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength));
    try {
      if (entries.length === 1) {
        const [{ key, entry, ttlMs }] = entries as [(typeof entries)[number]];
        await this.bounded(this.redis.set(key, bytes(entry), 'PX', Math.max(1, Math.round(ttlMs))));
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
        await this.bounded(this.redis.del(...keys));
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
    this.deadlines.close();
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

  /** Every command but a tracked read gets a timer of its own (they are rare: fills, DELs, PING, QUIT). */
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

/** Redis nil is a miss; an empty string a cached absence (no valid entry is empty). */
function entryOf(value: Buffer | null): CachedEntry | undefined {
  return value === null ? undefined : value.length === 0 ? null : value;
}

interface ReadHandlers {
  readonly one: (value: Buffer | null) => (CachedEntry | undefined)[];
  readonly many: (values: (Buffer | null)[]) => (CachedEntry | undefined)[];
  readonly oneFailed: (e: unknown) => undefined[];
}

function misses(count: number): undefined[] {
  return new Array<undefined>(count).fill(undefined);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
