/**
 * The cache interface in front of the online store (Redis in production). It stores the same tagged
 * Avro bytes as the store, so a hit needs no store round trip and no re-encoding. A cache must never
 * make a read fail: adapters time out and report a miss instead. A write is different: see invalidate.
 */

/** A cache entry: the stored bytes, or `null` for "known absent" (negative caching). */
export type CachedEntry = Uint8Array | null;

export interface FeatureCache {
  /** One result per key, in order: bytes, null (cached absence) or undefined (miss / cache unavailable). */
  getMany(keys: readonly string[]): Promise<(CachedEntry | undefined)[]>;
  /** Sets entries with a time-to-live in milliseconds; errors are swallowed and counted. */
  setMany(entries: readonly { readonly key: string; readonly entry: CachedEntry; readonly ttlMs: number }[]): Promise<void>;
  /**
   * Removes keys after a write, so readers never see a value older than the store's. Resolves once the
   * cache confirmed the delete; rejects with CacheInvalidationError when it could not (after retries).
   */
  invalidate(keys: readonly string[]): Promise<void>;
  /** True when the cache answers now (readiness probes); never throws. A false does not fail reads. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The longest any entry lives, whatever a feature's `cache.ttl` says: the bound on staleness in the cases
 * a confirmed delete cannot cover (a load in another process that read the old row before the
 * write and fills after the delete, a writer that crashed between store and cache, a writer running
 * without the cache configured). A minute keeps hot keys cached (one store read per key per
 * minute) while a stale value outlives its write by at most that; a 10-minute TTL would let a lost race
 * serve an old value for ten.
 */
export const MAX_CACHE_TTL_MS = 60_000;

export const CACHE_INVALIDATION_FAILED = 'CACHE_INVALIDATION_FAILED';

export const CACHE_ERRORS = {
  invalidationFailed: (keys: number, attempts: number, reason: string) =>
    `the store write succeeded, but the cache did not confirm deleting ${keys} cached ${keys === 1 ? 'entry' : 'entries'} ` +
    `after ${attempts} attempts (${reason}): other processes may serve the previous value until the delete is ` +
    `replayed or the entry expires (at most ${MAX_CACHE_TTL_MS / 1000} s); retry the write (writes are idempotent)`,
} as const;

/**
 * A write reached the store but its cache entries may still hold the old value. Thrown instead of
 * resolving, so a caller never takes "written" to mean "visible" when it is not.
 */
export class CacheInvalidationError extends Error {
  override readonly name = 'CacheInvalidationError';
  readonly code = CACHE_INVALIDATION_FAILED;
  constructor(
    readonly keyCount: number,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(CACHE_ERRORS.invalidationFailed(keyCount, attempts, cause instanceof Error ? cause.message : String(cause)), { cause });
  }
}
