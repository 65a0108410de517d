/** The FeatureCache conformance suite on the real Redis of the services harness, under a key prefix of its own. */
import { RedisFeatureCache } from '../../runtime/cache/redis/redis-feature-cache.ts';
import { featureCacheConformance } from './feature-cache.conformance.ts';

const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const keyPrefix = `fs-conformance-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}:`;

featureCacheConformance('Redis', {
  // A generous timeout: two cores shared with Cassandra's and Kafka's JVMs, and a 1 MiB value.
  open: async () => {
    const cache = new RedisFeatureCache({ url, keyPrefix, timeoutMs: 2_000 });
    await cache.waitUntilReady(5_000);
    return cache;
  },
  openUnreachable: async () => new RedisFeatureCache({ url: 'redis://127.0.0.1:1', timeoutMs: 200 }),
  elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});
