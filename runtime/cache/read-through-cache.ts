/**
 * Read-through caching in front of the online store, over any FeatureCache:
 *
 * - hits never touch the store; a request's keys are looked up in one cache call (MGET);
 * - misses are loaded with one store call per request, and concurrent misses of the same key in this
 *   process share that load (single-flight), so a hot key expiring causes one store read, not a stampede;
 * - absent keys are cached as absent for a short time, `min(feature TTL, negativeTtlMs)`, and at most
 *   `maxNegativeWrites` of them per request, so a scan over random ids cannot flood the cache;
 * - writes invalidate after the store write: the entry is deleted, and loads of that key still in flight
 *   here are marked stale so they do not put the old value back. The write resolves only once the cache
 *   confirmed the delete (the adapter retries, then rejects: see "Cache staleness contract" in
 *   docs/online-runtime.md). What no confirmation covers — a load in another process that read the old
 *   row before the write and fills after the delete, a writer that crashed between store and cache, a
 *   writer running without the cache configured — is bounded by MAX_CACHE_TTL_MS, whatever the YAML says;
 * - the cache never fails a read: an entry that does not decode completely (header, framing, and the
 *   value bytes under their writer schema, via `checkValue`) is a miss, and it is deleted so the fill
 *   replaces it; the adapter turns errors into misses.
 */
import type { TaggedAvro } from '../../core/serde/single-object.ts';
import { decodeHistoryEntry, decodeObjectEntry, encodeHistoryEntry, encodeObjectEntry } from './cache-entry.ts';
import { MAX_CACHE_TTL_MS, type CachedEntry, type FeatureCache } from './feature-cache.ts';

export const DEFAULT_NEGATIVE_TTL_MS = 5_000;
export const DEFAULT_MAX_NEGATIVE_WRITES = 100;

export interface CacheObserver {
  /** Per lookup: how many keys were served by the cache and how many went to the store. */
  cacheLookup?(feature: string, hits: number, misses: number): void;
}

export interface ReadThroughOptions {
  readonly negativeTtlMs?: number;
  readonly maxNegativeWrites?: number;
  readonly observer?: CacheObserver;
  /**
   * Throws when a cached value is not what a store row could hold: the runtime decodes the value bytes
   * with the writer schema the entry names (a truncated or overwritten payload fails there, while its
   * header still looks fine). The cost is one decode per hit, a few microseconds for these records.
   */
  readonly checkValue?: (feature: string, value: TaggedAvro) => void;
}

type Check = (value: TaggedAvro) => void;

interface Codec<T> {
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array, check: Check): T;
}

const OBJECT: Codec<TaggedAvro> = {
  encode: encodeObjectEntry,
  decode: (bytes, check) => {
    const value = decodeObjectEntry(bytes);
    check(value);
    return value;
  },
};
const HISTORY: Codec<TaggedAvro[]> = {
  encode: encodeHistoryEntry,
  decode: (bytes, check) => {
    const events = decodeHistoryEntry(bytes);
    for (const event of events) check(event);
    return events;
  },
};

const NO_CHECK: Check = () => {};

interface Flight {
  readonly promise: Promise<unknown>;
  stale: boolean;
}

export class ReadThroughCache {
  private readonly inflight = new Map<string, Flight>();
  private readonly negativeTtlMs: number;
  private readonly maxNegativeWrites: number;

  constructor(
    readonly cache: FeatureCache,
    private readonly options: ReadThroughOptions = {},
  ) {
    this.negativeTtlMs = options.negativeTtlMs ?? DEFAULT_NEGATIVE_TTL_MS;
    this.maxNegativeWrites = options.maxNegativeWrites ?? DEFAULT_MAX_NEGATIVE_WRITES;
  }

  /** Object values by cache key; `load` gets the positions (in `keys`) the cache could not answer. */
  getObjects(feature: string, ttlMs: number, keys: readonly string[], load: (positions: number[]) => Promise<(TaggedAvro | null)[]>): Promise<(TaggedAvro | null)[]> {
    return this.read(feature, ttlMs, keys, load, OBJECT);
  }

  /** The newest events of one key (an empty list is cached as absent). */
  async getHistory(feature: string, ttlMs: number, key: string, load: () => Promise<TaggedAvro[]>): Promise<TaggedAvro[]> {
    const [events] = await this.read(feature, ttlMs, [key], async () => [nonEmpty(await load())], HISTORY);
    return events ?? [];
  }

  /** After a store write: delete the entries, and keep loads already running from caching old values. */
  async invalidate(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const flight = this.inflight.get(key);
      if (flight) {
        flight.stale = true;
        this.inflight.delete(key);
      }
    }
    await this.cache.invalidate(keys);
  }

  private async read<T>(
    feature: string,
    ttlMs: number,
    keys: readonly string[],
    load: (positions: number[]) => Promise<(T | null)[]>,
    codec: Codec<T>,
  ): Promise<(T | null)[]> {
    // Most reads are one key: skip the dedup bookkeeping.
    const unique = keys.length === 1 ? keys : [...new Set(keys)];
    const found = new Map<string, T | null>();
    const cached = await this.cache.getMany(unique).catch(() => unique.map(() => undefined));
    const missing: string[] = [];
    const corrupt: string[] = [];
    const checkValue = this.options.checkValue;
    const check: Check = checkValue ? (value) => checkValue(feature, value) : NO_CHECK;
    for (const [i, key] of unique.entries()) {
      const entry = cached[i];
      const value = entry === undefined ? undefined : decodeOrMiss(entry, codec, check);
      if (value === undefined) missing.push(key);
      else found.set(key, value);
      if (entry !== undefined && value === undefined) corrupt.push(key);
    }
    // Deleted before the load (same connection, so before its fill): a corrupt entry must not survive a
    // fill that is skipped (a stale flight, the negative-write budget). Not awaited: the read goes on.
    if (corrupt.length > 0) void this.cache.invalidate(corrupt).catch(() => {});
    this.options.observer?.cacheLookup?.(feature, unique.length - missing.length, missing.length);
    if (missing.length > 0) {
      const loaded = await this.loadMissing(ttlMs, keys, missing, load, codec);
      for (const [key, value] of loaded) found.set(key, value);
    }
    return keys.map((key) => found.get(key) ?? null);
  }

  private async loadMissing<T>(
    ttlMs: number,
    keys: readonly string[],
    missing: readonly string[],
    load: (positions: number[]) => Promise<(T | null)[]>,
    codec: Codec<T>,
  ): Promise<Map<string, T | null>> {
    const joined: [string, Promise<unknown>][] = [];
    const own: string[] = [];
    for (const key of missing) {
      const flight = this.inflight.get(key);
      if (flight) joined.push([key, flight.promise]);
      else own.push(key);
    }
    const result = new Map<string, T | null>();
    if (own.length > 0) {
      const first = new Map<string, number>();
      keys.forEach((key, i) => first.has(key) || first.set(key, i));
      const positions = own.map((key) => first.get(key) as number);
      const batch = load(positions);
      const flights = own.map((key, i): [string, Flight] => [key, { promise: batch.then((values) => values[i] ?? null), stale: false }]);
      for (const [key, flight] of flights) {
        flight.promise.catch(() => {}); // joiners handle the error; this copy must not go unhandled
        this.inflight.set(key, flight);
      }
      try {
        const values = await batch;
        this.fill(ttlMs, flights, values, codec);
        own.forEach((key, i) => result.set(key, values[i] ?? null));
      } finally {
        for (const [key, flight] of flights) if (this.inflight.get(key) === flight) this.inflight.delete(key);
      }
    }
    for (const [key, promise] of joined) result.set(key, (await promise) as T | null);
    return result;
  }

  private fill<T>(featureTtlMs: number, flights: readonly [string, Flight][], values: readonly (T | null)[], codec: Codec<T>): void {
    const entries: { key: string; entry: CachedEntry; ttlMs: number }[] = [];
    const ttlMs = Math.min(featureTtlMs, MAX_CACHE_TTL_MS);
    let negatives = 0;
    for (const [i, [key, flight]] of flights.entries()) {
      if (flight.stale) continue;
      const value = values[i] ?? null;
      if (value !== null) entries.push({ key, entry: codec.encode(value), ttlMs });
      else if (negatives++ < this.maxNegativeWrites) entries.push({ key, entry: null, ttlMs: Math.min(ttlMs, this.negativeTtlMs) });
    }
    // Not awaited: the caller has its values; the fill is bounded by the adapter's timeout.
    void this.cache.setMany(entries).catch(() => {});
  }
}

function decodeOrMiss<T>(entry: CachedEntry, codec: Codec<T>, check: Check): T | null | undefined {
  if (entry === null) return null;
  try {
    return codec.decode(entry, check);
  } catch {
    return undefined;
  }
}

function nonEmpty<T>(list: T[]): T[] | null {
  return list.length > 0 ? list : null;
}
