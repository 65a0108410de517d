/**
 * The online runtime (see online-runtime.ts for the contract), assembled: the generated manifest and
 * ACL, an online store, and when a cache is configured (Redis by URL, or any FeatureCache) the cache
 * decorator in front of it (runtime/cache/with-cache.ts). The runtime itself is store-backed-runtime.ts.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeatureCache } from '../cache/feature-cache.ts';
import { withCache, type WithCacheOptions } from '../cache/with-cache.ts';
import { DRIVER_USES, loadDriver } from '../connect/optional-drivers.ts';
import { loadFeatureCatalog, type CatalogFeature, type FeatureCatalog } from '../manifest/feature-catalog.ts';
import type { OnlineTable } from '../online/online-store.ts';
import { openOnlineStore } from '../online/open-online-store.ts';
import { DEFAULT_LATEST_EVENTS } from './accessors.ts';
import { inspectValue } from './decoded-values.ts';
import { observeStoreErrors } from './observed-store.ts';
import { ManifestNotFoundError, type OnlineRuntime, type OnlineRuntimeOptions } from './online-runtime.ts';
import { DEFAULT_GENERATED_DIR, RUNTIME_ERRORS } from './runtime-errors.ts';
import { StoreBackedRuntime } from './store-backed-runtime.ts';

export { DEFAULT_GENERATED_DIR, RUNTIME_ERRORS } from './runtime-errors.ts';
export { MAX_RANGE_EVENTS } from './store-backed-runtime.ts';

/** How long startup waits for Redis before serving from the store alone (it keeps reconnecting). */
export const REDIS_STARTUP_WAIT_MS = 1_000;

export async function createOnlineRuntime(options: OnlineRuntimeOptions): Promise<OnlineRuntime> {
  const catalog = await loadFeatureCatalog(await manifestFolder(options.generatedDir));
  const tables = [...catalog.features.values()].map((f) => f.table);
  const opened = await openOnlineStore(options.store, { keyspace: catalog.keyspace, tables });
  const store = options.observer ? observeStoreErrors(opened, options.observer) : opened;
  let cache: FeatureCache | null = null;
  try {
    if (options.cache && 'featureCache' in options.cache) cache = options.cache.featureCache;
    else if (options.cache) {
      const { RedisFeatureCache } = await loadDriver('ioredis', DRIVER_USES.redisCache, () => import('../cache/redis/redis-feature-cache.ts'));
      const { redisUrl, timeoutMs, keyPrefix } = options.cache;
      const redis = new RedisFeatureCache({ url: redisUrl, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(keyPrefix ? { keyPrefix } : {}) });
      cache = redis;
      await redis.waitUntilReady(REDIS_STARTUP_WAIT_MS);
    }
  } catch (e) {
    await Promise.allSettled([store.close(), cache?.close()]);
    throw e;
  }
  if (!cache) return new StoreBackedRuntime(catalog, store, null);
  const cached = withCache(store, cache, {
    ...(options.cache?.negativeTtlMs !== undefined ? { negativeTtlMs: options.cache.negativeTtlMs } : {}),
    ...(options.cache?.maxNegativeWrites !== undefined ? { maxNegativeWrites: options.cache.maxNegativeWrites } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
    ...catalogCachePolicy(catalog),
  });
  return new StoreBackedRuntime(catalog, cached, cache);
}

/**
 * The cache policy of a deployment's features (TTL and History window from the manifest), and the
 * decode that proves an entry whole, which the read then uses (decoded-values.ts). Every process that
 * puts the cache in front of the store uses this one, so writers delete exactly the keys readers cache.
 */
export function catalogCachePolicy(catalog: FeatureCatalog): Pick<WithCacheOptions, 'policy' | 'inspect'> {
  const byTable = new Map<OnlineTable, CatalogFeature>([...catalog.features.values()].map((f) => [f.table, f]));
  return {
    policy: (table) => {
      const f = byTable.get(table);
      return f && f.cacheTtlMs !== null ? { ttlMs: f.cacheTtlMs, historyWindow: f.maxEvents ?? DEFAULT_LATEST_EVENTS } : null;
    },
    inspect: (table, value) => {
      const f = byTable.get(table);
      return f ? inspectValue(f, value) : null;
    },
  };
}

/**
 * The generated folder, checked to hold a manifest. The default stays the working folder's
 * `generated/` (services started from their own root, the repository's scripts and tests); a service
 * started from elsewhere gets this error naming the option, not a bare ENOENT.
 */
async function manifestFolder(given: string | URL | undefined): Promise<string> {
  const dir = given === undefined ? DEFAULT_GENERATED_DIR : given instanceof URL ? fileURLToPath(given) : given;
  const file = path.resolve(dir, 'manifest.json');
  const found = await stat(file).then((s) => s.isFile(), () => false);
  if (!found) throw new ManifestNotFoundError(file, given === undefined ? RUNTIME_ERRORS.noDefaultManifest(file, process.cwd()) : RUNTIME_ERRORS.noManifest(file));
  return dir;
}
