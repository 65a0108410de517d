/**
 * A FeatureCache in this process's memory: for tests, and for a single-process service that wants
 * read-through caching without Redis. It keeps the FeatureCache promises the Redis adapter keeps —
 * entries expire after their TTL, a cached absence (`null`) is distinct from a miss (`undefined`), an
 * invalidation is done when the call resolves, a read never throws — with two differences that follow
 * from living in one process: other processes never see its entries (so it cannot keep several
 * replicas coherent: use Redis for that), and its size is bounded by `maxEntries`, evicting the least
 * recently used entry first (Redis evicts by its own maxmemory policy).
 *
 * Entries are copied when set, so a caller reusing its buffer cannot change what is cached; reads hand
 * out the cached bytes themselves (no copy per hit), which callers must treat as read-only, as they do
 * Redis's.
 */
import type { CachedEntry, FeatureCache } from '../feature-cache.ts';

export interface MemoryFeatureCacheOptions {
  /** Entries kept at most (default 100,000); the least recently used goes first. */
  readonly maxEntries?: number;
  /** The clock, in milliseconds (tests pass a fake one to expire entries without waiting). */
  readonly now?: () => number;
}

export const MEMORY_CACHE_ERRORS = {
  maxEntries: (value: unknown) => `maxEntries must be a positive integer, got ${String(value)}`,
} as const;

interface Slot {
  readonly entry: CachedEntry;
  readonly expiresAt: number;
}

export class MemoryFeatureCache implements FeatureCache {
  private readonly slots = new Map<string, Slot>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private closed = false;

  constructor(options: MemoryFeatureCacheOptions = {}) {
    const max = options.maxEntries ?? 100_000;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(MEMORY_CACHE_ERRORS.maxEntries(max));
    this.maxEntries = max;
    this.now = options.now ?? Date.now;
  }

  /** Live entries (expired ones are dropped when next touched). */
  get size(): number {
    return this.slots.size;
  }

  async getMany(keys: readonly string[]): Promise<(CachedEntry | undefined)[]> {
    const now = this.now();
    return keys.map((key) => {
      const slot = this.slots.get(key);
      if (!slot) return undefined;
      if (slot.expiresAt <= now) {
        this.slots.delete(key);
        return undefined;
      }
      // Re-inserting moves the key to the young end of the Map's order: the LRU order.
      this.slots.delete(key);
      this.slots.set(key, slot);
      return slot.entry;
    });
  }

  async setMany(entries: readonly { readonly key: string; readonly entry: CachedEntry; readonly ttlMs: number }[]): Promise<void> {
    if (this.closed) return;
    const now = this.now();
    for (const { key, entry, ttlMs } of entries) {
      this.slots.delete(key);
      // As Redis's PX: at least one millisecond.
      this.slots.set(key, { entry: entry === null ? null : new Uint8Array(entry), expiresAt: now + Math.max(1, Math.round(ttlMs)) });
    }
    for (const key of this.slots.keys()) {
      if (this.slots.size <= this.maxEntries) break;
      this.slots.delete(key);
    }
  }

  async invalidate(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.slots.delete(key);
  }

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.slots.clear();
  }
}
