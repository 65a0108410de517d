/** The FeatureCache conformance suite on the in-memory cache (a fake clock for TTLs), and its size bound. */
import { describe, expect, it } from 'vitest';
import { MEMORY_CACHE_ERRORS, MemoryFeatureCache } from '../../runtime/cache/memory/memory-feature-cache.ts';
import { featureCacheConformance } from './feature-cache.conformance.ts';

let clock = 1_000_000;

featureCacheConformance('in-memory', {
  open: async () => new MemoryFeatureCache({ now: () => clock }),
  openUnreachable: null,
  elapse: async (ms) => {
    clock += ms;
  },
});

describe('in-memory cache specifics', () => {
  it('keeps at most maxEntries, evicting the least recently used', async () => {
    const cache = new MemoryFeatureCache({ maxEntries: 3 });
    const set = (k: string) => cache.setMany([{ key: k, entry: new Uint8Array([1]), ttlMs: 60_000 }]);
    await set('a');
    await set('b');
    await set('c');
    await cache.getMany(['a']); // a is now the most recent
    await set('d');
    expect(cache.size).toBe(3);
    expect((await cache.getMany(['a', 'b', 'c', 'd'])).map((e) => e !== undefined)).toEqual([true, false, true, true]);
  });

  it('copies entries when set: a reused buffer does not change the cache', async () => {
    const cache = new MemoryFeatureCache();
    const buffer = new Uint8Array([1, 2]);
    await cache.setMany([{ key: 'k', entry: buffer, ttlMs: 60_000 }]);
    buffer[0] = 9;
    expect([...((await cache.getMany(['k']))[0] as Uint8Array)]).toEqual([1, 2]);
  });

  it('refuses a size bound that is not a positive integer', () => {
    expect(() => new MemoryFeatureCache({ maxEntries: 0 })).toThrow(MEMORY_CACHE_ERRORS.maxEntries(0));
  });
});
