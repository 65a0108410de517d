/**
 * `withCache(store, cache, options)`: an OnlineStore in front of another, reading through a
 * FeatureCache and invalidating after every write. It is the only place the runtime caches, so every
 * reader (typed accessors, the by-name API, the Read API) and every writer (the runtime's put/append,
 * the sync jobs through runtime/write) get the same rules, and a job that writes through it keeps the
 * cache staleness contract (docs/online-runtime.md) without knowing there is a cache:
 *
 * - getMany: read-through per key (read-through-cache.ts: one MGET, single-flight, negative caching);
 * - latest: a key's newest `historyWindow` events are one entry, so every `n` up to it is a hit; more
 *   than that, and range reads, go to the store (arbitrary bounds would need an entry per range, each
 *   invalidated by an append);
 * - putMany / appendMany: the store write, then the cached keys are deleted; resolves only once the
 *   cache confirmed the delete, else rejects with CacheInvalidationError (the store holds the new value).
 *
 * An entry is used only if it is what a fill could have written: its framing, and its value bytes as
 * `inspect` decodes them under the writer schema they name (a truncated or overwritten payload is a miss,
 * and the entry is replaced). That decode is not thrown away: values served from the cache are
 * InspectedValues carrying the record, which a reader decoding with the same schema takes instead of
 * decoding again (one decode per hit). A cache keeps only the tagged bytes, so values it serves carry no
 * `updatedAt`: TaggedValue is what reads promise. Event times of cached History events are read from the
 * decoded value (the event-time field is the clustering column).
 */
import type { KeyValues, OnlineStore, OnlineTable, StoredEvent, StoredValue, TaggedEvent, TaggedValue } from '../online/online-store.ts';
import { decodeHistoryEntry, decodeObjectEntry, encodeHistoryEntry, encodeObjectEntry } from './cache-entry.ts';
import { cacheKeyAfter, cacheKeyPrefix } from './cache-key.ts';
import type { FeatureCache } from './feature-cache.ts';
import { ReadThroughCache, type EntryCodec, type ReadThroughOptions } from './read-through-cache.ts';

export interface CachePolicy {
  /** Entry time-to-live; capped at MAX_CACHE_TTL_MS whatever this says. */
  readonly ttlMs: number;
  /** History: events kept per key in one entry (a miss loads this many). */
  readonly historyWindow: number;
}

export interface WithCacheOptions extends ReadThroughOptions {
  /** How a table is cached; null = not at all (features without `cache.ttl`). Asked once per table. */
  readonly policy: (table: OnlineTable) => CachePolicy | null;
  /**
   * Reads a cached value as a reader of the store would: decodes `value` under the writer schema it
   * names and returns the record. Throws when the bytes do not decode completely (the entry is corrupt);
   * returns null when the writer schema is unknown to this process (written by newer code: not the
   * entry's fault, and the read will say "redeploy" either way).
   */
  readonly inspect: (table: OnlineTable, value: TaggedValue) => Readonly<Record<string, unknown>> | null;
}

type InspectedRecord = Readonly<Record<string, unknown>>;

/**
 * A value served from the cache, with the record `inspect` decoded it to. `takeRecord` hands that record
 * out once (a second reader of the same value, a duplicate key of one request, decodes its own copy, so
 * no two results share mutable lists); the private field keeps it out of the value's enumerable shape.
 */
export class InspectedValue implements TaggedValue {
  #record: InspectedRecord | undefined;
  constructor(
    readonly value: Uint8Array,
    readonly schemaId: bigint,
    record: InspectedRecord | null,
  ) {
    this.#record = record ?? undefined;
  }

  takeRecord(): InspectedRecord | undefined {
    const record = this.#record;
    this.#record = undefined;
    return record;
  }
}

/** A cached History event, likewise. */
export class InspectedEvent extends InspectedValue implements TaggedEvent {
  constructor(
    value: Uint8Array,
    schemaId: bigint,
    record: InspectedRecord,
    readonly eventTime: Date,
  ) {
    super(value, schemaId, record);
  }
}

export const WITH_CACHE_ERRORS = {
  noEventTime: (table: string, column: string) => `${table}: a cached event has no valid ${column} (the event-time field)`,
} as const;

/** The decorated store; `cache` is exposed for readiness probes. */
export interface CachedOnlineStore extends OnlineStore {
  readonly cache: FeatureCache;
}

interface TableCache {
  readonly policy: CachePolicy;
  /** `fs:{<feature>}` */
  readonly keyPrefix: string;
  readonly objects: EntryCodec<TaggedValue>;
  readonly history: EntryCodec<TaggedEvent[]>;
}

export function withCache(store: OnlineStore, cache: FeatureCache, options: WithCacheOptions): CachedOnlineStore {
  const readThrough = new ReadThroughCache(cache, options);
  const tables = new WeakMap<OnlineTable, TableCache | null>();
  const tableCache = (table: OnlineTable): TableCache | null => {
    let found = tables.get(table);
    if (found === undefined) tables.set(table, (found = compileTable(table, options)));
    return found;
  };
  const invalidate = async (table: OnlineTable, keys: readonly KeyValues[]): Promise<void> => {
    const tc = tableCache(table);
    if (keys.length === 0 || tc === null) return;
    await readThrough.invalidate([...new Set(keys.map((k) => cacheKeyAfter(tc.keyPrefix, table.keyColumns, k)))]);
  };

  return {
    cache,
    getMany(table, keys) {
      const tc = tableCache(table);
      if (tc === null || keys.length === 0) return store.getMany(table, keys);
      const { keyPrefix } = tc;
      const cacheKeys = keys.length === 1 ? [cacheKeyAfter(keyPrefix, table.keyColumns, keys[0]!)] : keys.map((k) => cacheKeyAfter(keyPrefix, table.keyColumns, k));
      return readThrough.getObjects(table.featureName, tc.policy.ttlMs, cacheKeys, (positions) => store.getMany(table, positions.map((p) => keys[p]!)), tc.objects);
    },
    async latest(table, key, n) {
      const tc = tableCache(table);
      if (tc === null || n > tc.policy.historyWindow) return store.latest(table, key, n);
      const window = tc.policy.historyWindow;
      const events = await readThrough.getHistory(table.featureName, tc.policy.ttlMs, cacheKeyAfter(tc.keyPrefix, table.keyColumns, key), () => store.latest(table, key, window), tc.history);
      return events.length > n ? events.slice(0, n) : events;
    },
    range: (table, key, from, to, limit) => store.range(table, key, from, to, limit),
    async putMany(table, rows: readonly { readonly key: KeyValues; readonly value: StoredValue }[]) {
      const report = await store.putMany(table, rows);
      await invalidate(table, rows.map((r) => r.key));
      return report;
    },
    async appendMany(table, rows: readonly { readonly key: KeyValues; readonly event: StoredEvent }[]) {
      const report = await store.appendMany(table, rows);
      await invalidate(table, rows.map((r) => r.key));
      return report;
    },
    ping: () => store.ping(),
    async close() {
      await Promise.allSettled([store.close(), cache.close()]);
    },
  };
}

function compileTable(table: OnlineTable, options: WithCacheOptions): TableCache | null {
  const policy = options.policy(table);
  if (policy === null) return null;
  const { inspect } = options;
  const column = table.eventTimeColumn;
  return {
    policy,
    keyPrefix: cacheKeyPrefix(table.featureName),
    objects: {
      encode: encodeObjectEntry,
      decode(bytes) {
        const tagged = decodeObjectEntry(bytes);
        // An unknown writer schema passes: the store holds the same bytes, and the read must say "redeploy".
        return new InspectedValue(tagged.value, tagged.schemaId, inspect(table, tagged));
      },
    },
    history: {
      encode: encodeHistoryEntry,
      decode(bytes) {
        const events = decodeHistoryEntry(bytes);
        const out: TaggedEvent[] = new Array(events.length);
        for (let i = 0; i < events.length; i++) {
          const event = events[i]!;
          const record = inspect(table, event);
          // Without the schema there is no event time to report: a miss (the store has it), entry kept.
          if (record === null) return undefined;
          const eventTime = column === null ? undefined : record[column];
          if (!(eventTime instanceof Date)) throw new TypeError(WITH_CACHE_ERRORS.noEventTime(table.tableName, String(column)));
          out[i] = new InspectedEvent(event.value, event.schemaId, record, eventTime);
        }
        return out;
      },
    },
  };
}
