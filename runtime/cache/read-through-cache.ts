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
 * - the cache never fails a read: an entry that does not decode completely (header, framing, and, in
 *   the codecs with-cache.ts builds, the value bytes under their writer schema) is a miss, and it is
 *   deleted so the fill replaces it; the adapter turns errors into misses.
 *
 * This is the mechanism; with-cache.ts puts it in front of an OnlineStore (`withCache`), which is how
 * the runtime uses it.
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
}

/** How values of one kind are stored in entries. */
export interface EntryCodec<T> {
  encode(value: T): Uint8Array;
  /**
   * The value of an entry. Throws when the entry is not what a fill could have written (a truncated or
   * overwritten entry: a miss, and the entry is deleted); returns undefined when this process cannot
   * judge it (a value of a writer schema it does not know yet: a miss, and the entry is left alone, since
   * a newer process wrote it and reads it fine).
   */
  decode(bytes: Uint8Array): T | undefined;
}

/** Object entries, framing checked only (with-cache.ts adds the check of the value bytes). */
export const TAGGED_OBJECTS: EntryCodec<TaggedAvro> = { encode: encodeObjectEntry, decode: decodeObjectEntry };
/** History entries: a key's newest events, framing checked only. */
export const TAGGED_HISTORY: EntryCodec<TaggedAvro[]> = { encode: encodeHistoryEntry, decode: decodeHistoryEntry };

interface Flight {
  readonly promise: Promise<unknown>;
  stale: boolean;
}

const ignore = (): void => {};

/** decodeEntry's answer for an entry that must be deleted (a sentinel: no allocation on the hit path). */
const CORRUPT: unique symbol = Symbol('corrupt cache entry');

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
  getObjects<T>(
    feature: string,
    ttlMs: number,
    keys: readonly string[],
    load: (positions: number[]) => Promise<(T | null)[]>,
    codec: EntryCodec<T>,
  ): Promise<(T | null)[]> {
    return keys.length === 1 ? this.readOne(feature, ttlMs, keys[0]!, load, codec) : this.read(feature, ttlMs, keys, load, codec);
  }

  /** The newest events of one key (an empty list is cached as absent). */
  async getHistory<T>(
    feature: string,
    ttlMs: number,
    key: string,
    load: () => Promise<T[]>,
    codec: EntryCodec<T[]>,
  ): Promise<T[]> {
    const [events] = await this.readOne(feature, ttlMs, key, async () => [nonEmpty(await load())], codec);
    return events ?? [];
  }

  /**
   * One key: the read of most requests, without the bookkeeping of many (no sets, maps or position
   * lists on a hit). Written with `then` rather than async/await: a hit is the cache's promise plus one
   * reaction, where an async function would add its own promise and await state per layer, a measured
   * quarter of the hit path's allocations.
   */
  private readOne<T>(
    feature: string,
    ttlMs: number,
    key: string,
    load: (positions: number[]) => Promise<(T | null)[]>,
    codec: EntryCodec<T>,
  ): Promise<(T | null)[]> {
    let lookup: Promise<(CachedEntry | undefined)[]>;
    try {
      lookup = this.cache.getMany([key]);
    } catch {
      lookup = Promise.resolve([undefined]); // adapters answer misses rather than fail; this is for those that do not
    }
    return lookup.then(
      (entries) => this.afterLookup(feature, ttlMs, key, entries[0], load, codec),
      () => this.afterLookup(feature, ttlMs, key, undefined, load, codec),
    );
  }

  private afterLookup<T>(
    feature: string,
    ttlMs: number,
    key: string,
    entry: CachedEntry | undefined,
    load: (positions: number[]) => Promise<(T | null)[]>,
    codec: EntryCodec<T>,
  ): (T | null)[] | Promise<(T | null)[]> {
    if (entry !== undefined) {
      const value = entry === null ? null : decodeEntry(entry, codec);
      if (value === CORRUPT) void this.cache.invalidate([key]).catch(ignore);
      else if (value !== undefined) {
        this.options.observer?.cacheLookup?.(feature, 1, 0);
        return [value];
      }
    }
    this.options.observer?.cacheLookup?.(feature, 0, 1);
    return this.loadOne(ttlMs, key, load, codec);
  }

  /** A miss of one key: joins a load of it already in flight, or loads it and fills the cache. */
  private async loadOne<T>(ttlMs: number, key: string, load: (positions: number[]) => Promise<(T | null)[]>, codec: EntryCodec<T>): Promise<(T | null)[]> {
    const flight = this.inflight.get(key);
    if (flight) return [(await flight.promise) as T | null];
    const batch = load([0]);
    const own: Flight = { promise: batch.then((values) => values[0] ?? null), stale: false };
    own.promise.catch(ignore); // joiners handle the error; this copy must not go unhandled
    this.inflight.set(key, own);
    try {
      const values = await batch;
      this.fill(ttlMs, [[key, own]], values, codec);
      return [values[0] ?? null];
    } finally {
      if (this.inflight.get(key) === own) this.inflight.delete(key);
    }
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
    codec: EntryCodec<T>,
  ): Promise<(T | null)[]> {
    const unique = [...new Set(keys)];
    const found = new Map<string, T | null>();
    const cached = await this.cache.getMany(unique).catch(() => unique.map(() => undefined));
    const missing: string[] = [];
    const corrupt: string[] = [];
    for (const [i, key] of unique.entries()) {
      const entry = cached[i];
      const value = entry === undefined ? undefined : entry === null ? null : decodeEntry(entry, codec);
      if (value === undefined || value === CORRUPT) missing.push(key);
      else found.set(key, value);
      if (value === CORRUPT) corrupt.push(key);
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
    codec: EntryCodec<T>,
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

  private fill<T>(featureTtlMs: number, flights: readonly [string, Flight][], values: readonly (T | null)[], codec: EntryCodec<T>): void {
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

/** The entry's value; undefined for an entry this process cannot judge; CORRUPT for one to delete. */
function decodeEntry<T>(entry: Uint8Array, codec: EntryCodec<T>): T | undefined | typeof CORRUPT {
  try {
    return codec.decode(entry);
  } catch {
    return CORRUPT;
  }
}

function nonEmpty<T>(list: T[]): T[] | null {
  return list.length > 0 ? list : null;
}
