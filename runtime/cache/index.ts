export { CACHE_ENTRY_ERRORS, decodeHistoryEntry, decodeObjectEntry, encodeHistoryEntry, encodeObjectEntry } from './cache-entry.ts';
export { CACHE_KEY_PREFIX, cacheKey } from './cache-key.ts';
export { CACHE_ERRORS, CACHE_INVALIDATION_FAILED, CacheInvalidationError, MAX_CACHE_TTL_MS, type CachedEntry, type FeatureCache } from './feature-cache.ts';
export {
  DEFAULT_MAX_NEGATIVE_WRITES,
  DEFAULT_NEGATIVE_TTL_MS,
  ReadThroughCache,
  TAGGED_HISTORY,
  TAGGED_OBJECTS,
  type CacheObserver,
  type EntryCodec,
  type ReadThroughOptions,
} from './read-through-cache.ts';
export { WITH_CACHE_ERRORS, withCache, type CachedOnlineStore, type CachePolicy, type WithCacheOptions } from './with-cache.ts';
