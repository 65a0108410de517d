/**
 * The cache interface in front of the online store (Redis in production). It stores the same tagged
 * Avro bytes as the store, so a hit needs no store round trip and no re-encoding. A cache must never
 * make a read fail: adapters time out and report a miss instead.
 */

/** A cache entry: the stored bytes, or `null` for "known absent" (negative caching). */
export type CachedEntry = Uint8Array | null;

export interface FeatureCache {
  /** One result per key, in order: bytes, null (cached absence) or undefined (miss / cache unavailable). */
  getMany(keys: readonly string[]): Promise<(CachedEntry | undefined)[]>;
  /** Sets entries with a time-to-live in milliseconds; errors are swallowed and counted. */
  setMany(entries: readonly { readonly key: string; readonly entry: CachedEntry; readonly ttlMs: number }[]): Promise<void>;
  /** Removes keys after a write, so readers never see a value older than the store's. */
  invalidate(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
