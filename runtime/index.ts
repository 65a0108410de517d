/**
 * The runtime's public surface, as generated code and services import it (`featurestore/runtime`).
 * Store and cache adapters (cassandra-driver, better-sqlite3, ioredis: optional peer dependencies)
 * are loaded on demand by createOnlineRuntime, so importing this (every generated client does) loads
 * no driver, and its declarations name none (test/build/lazy-drivers.test.ts).
 */
export * from './read/index.ts';
// Generated modules build their zod schemas with this `z`, so a service needs no zod of its own and
// the schemas are made by the same zod the runtime checks them with.
export { z } from 'zod';
export * from '../core/serde/index.ts';
export {
  CACHE_ERRORS,
  CACHE_INVALIDATION_FAILED,
  CACHE_KEY_PREFIX,
  CacheInvalidationError,
  cacheKey,
  MAX_CACHE_TTL_MS,
  WITH_CACHE_ERRORS,
  withCache,
  type CachedEntry,
  type CachedOnlineStore,
  type CachePolicy,
  type FeatureCache,
  type WithCacheOptions,
} from './cache/index.ts';
export { MEMORY_CACHE_ERRORS, MemoryFeatureCache, type MemoryFeatureCacheOptions } from './cache/memory/memory-feature-cache.ts';
// Writes: typed accessors' put/append, and the write path the sync jobs use with encoded bytes.
export * from './write/index.ts';
export { CATALOG_ERRORS, loadFeatureCatalog, type CatalogFeature, type FeatureCatalog } from './manifest/index.ts';
export { DRIVER_ERRORS, MissingDriverError, OPTIONAL_DRIVERS, type OptionalDriver } from './connect/optional-drivers.ts';
export { cassandraSettingsFromEnv, type CassandraSettings } from './connect/cassandra-settings.ts';
export type { KeyColumnType, ScalarType } from '../core/field-types.ts';
export type { KeyScalar, KeyValues, OnlineStore, OnlineTable, StoredEvent, StoredValue, TaggedEvent, TaggedValue, WriteReport } from './online/online-store.ts';
// Downsync's write side: the generated accessors' put/append sent as commands through a FeatureStream.
export * from './downsync/producer/index.ts';
// The offline store and stream contracts, as types only: importing the runtime loads no adapter or
// driver (openOfflineStore / openFeatureStream in runtime/offline and runtime/stream load them on demand).
export type {
  AppendResult,
  OfflineColumn,
  OfflineErrorCode,
  OfflineFieldType,
  OfflineReadItem,
  OfflineReadOptions,
  OfflineRow,
  OfflineScalar,
  OfflineScalarType,
  OfflineShard,
  OfflineStore,
  OfflineTable,
  OfflineValue,
  OfflineValues,
  OfflineValuesOf,
  UnreadableOfflineRow,
} from './offline/offline-store.ts';
export type {
  FeatureStream,
  StreamBatch,
  StreamErrorCode,
  StreamMessage,
  StreamPosition,
  StreamRecord,
  StreamSubscription,
  SubscribeOptions,
} from './stream/feature-stream.ts';
