/**
 * One conformance suite for every FeatureCache adapter (DESIGN.md principle 3), run by
 * memory-cache.test.ts and redis-cache.test.ts: what the interface promises the read-through layer.
 * Keys are unique per test. Entries are never empty bytes: an empty entry is how a cached absence is
 * stored (cache-entry.ts), and every real entry starts with a header.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CachedEntry, FeatureCache } from '../../runtime/cache/feature-cache.ts';

export interface CacheConformanceHarness {
  open(): Promise<FeatureCache>;
  /** A cache whose backend cannot be reached; null where there is no backend to lose (in memory). */
  readonly openUnreachable: (() => Promise<FeatureCache>) | null;
  /** Lets `ms` of TTL time pass: a fake clock, or a real wait. */
  elapse(ms: number): Promise<void>;
}

let counter = 0;
const key = (label: string): string => `fs:{conformance::cache-v1}:${label}:${Date.now().toString(36)}-${counter++}`;
const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
const plain = (entry: CachedEntry | undefined): number[] | null | undefined => (entry === undefined || entry === null ? entry : [...entry]);

export function featureCacheConformance(name: string, harness: CacheConformanceHarness): void {
  describe(`FeatureCache conformance: ${name}`, () => {
    let cache: FeatureCache;
    beforeAll(async () => {
      cache = await harness.open();
    });
    afterAll(async () => cache?.close());

    it('answers a ping', async () => {
      await expect(cache.ping()).resolves.toBe(true);
    });

    it('a miss is undefined, a cached absence null, a value its bytes; one result per key, in order, duplicates included', async () => {
      const [value, absent, missing] = [key('value'), key('absent'), key('missing')];
      await cache.setMany([
        { key: value, entry: bytes(0xc3, 0x01, 7), ttlMs: 30_000 },
        { key: absent, entry: null, ttlMs: 30_000 },
      ]);
      const got = await cache.getMany([missing, value, absent, value]);
      expect(got.map(plain)).toEqual([undefined, [0xc3, 0x01, 7], null, [0xc3, 0x01, 7]]);
      expect(await cache.getMany([])).toEqual([]);
    });

    it('is binary safe: every byte value, CR LF, NUL, 1 MiB', async () => {
      const all = new Uint8Array(Array.from({ length: 512 }, (_, i) => i % 256));
      const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 131) % 256);
      const [a, b, c] = [key('all'), key('crlf'), key('big')];
      await cache.setMany([
        { key: a, entry: all, ttlMs: 30_000 },
        { key: b, entry: bytes(0x0d, 0x0a, 0x00, 0x24, 0x2a), ttlMs: 30_000 },
        { key: c, entry: big, ttlMs: 30_000 },
      ]);
      const [gotA, gotB, gotC] = await cache.getMany([a, b, c]);
      expect(plain(gotA)).toEqual([...all]);
      expect(plain(gotB)).toEqual([0x0d, 0x0a, 0x00, 0x24, 0x2a]);
      expect(Buffer.from(gotC as Uint8Array).equals(Buffer.from(big))).toBe(true);
    });

    it('keys are exact: Unicode, spaces, separators and long keys never collide', async () => {
      const base = key('k');
      const keys = [base, `${base} `, `${base}:x`, `${base}%3A`, `${base}{}`, `${base}/é🙂`, `${base}${'z'.repeat(1000)}`, base.toUpperCase()];
      await cache.setMany(keys.map((k, i) => ({ key: k, entry: bytes(1, i), ttlMs: 30_000 })));
      expect((await cache.getMany(keys)).map(plain)).toEqual(keys.map((_, i) => [1, i]));
    });

    it('a set replaces the entry, a later TTL included', async () => {
      const k = key('replace');
      await cache.setMany([{ key: k, entry: bytes(1), ttlMs: 400 }]);
      await cache.setMany([{ key: k, entry: bytes(2), ttlMs: 30_000 }]);
      await harness.elapse(700);
      expect((await cache.getMany([k])).map(plain)).toEqual([[2]]);
    });

    it('entries expire after their TTL, cached absences too; longer ones stay', async () => {
      const [short, absent, long] = [key('short'), key('absent'), key('long')];
      await cache.setMany([
        { key: short, entry: bytes(1), ttlMs: 300 },
        { key: absent, entry: null, ttlMs: 300 },
        { key: long, entry: bytes(2), ttlMs: 30_000 },
      ]);
      expect((await cache.getMany([short, absent, long])).map(plain)).toEqual([[1], null, [2]]);
      await harness.elapse(700);
      expect((await cache.getMany([short, absent, long])).map(plain)).toEqual([undefined, undefined, [2]]);
    });

    it('invalidate removes values and cached absences once it resolves; absent keys and no keys are fine', async () => {
      const [a, b, c] = [key('a'), key('b'), key('c')];
      await cache.setMany([
        { key: a, entry: bytes(1), ttlMs: 30_000 },
        { key: b, entry: null, ttlMs: 30_000 },
        { key: c, entry: bytes(3), ttlMs: 30_000 },
      ]);
      await cache.invalidate([a, b, key('never-set')]);
      await cache.invalidate([]);
      expect((await cache.getMany([a, b, c])).map(plain)).toEqual([undefined, undefined, [3]]);
    });

    it('many keys in one call each way', async () => {
      const keys = Array.from({ length: 2_000 }, (_, i) => key(`many-${i}`));
      await cache.setMany(keys.map((k, i) => ({ key: k, entry: bytes(i % 256, i >> 8), ttlMs: 30_000 })));
      const got = await cache.getMany(keys);
      expect(got.map(plain)).toEqual(keys.map((_, i) => [i % 256, i >> 8]));
      await cache.invalidate(keys);
      expect((await cache.getMany(keys)).every((e) => e === undefined)).toBe(true);
    });

    it('after close: ping is false and reads are misses, never errors', async () => {
      const own = await harness.open();
      const k = key('closed');
      await own.setMany([{ key: k, entry: bytes(9), ttlMs: 30_000 }]);
      await own.close();
      await expect(own.ping()).resolves.toBe(false);
      await expect(own.getMany([k])).resolves.toEqual([undefined]);
      await expect(own.setMany([{ key: k, entry: bytes(1), ttlMs: 30_000 }])).resolves.toBeUndefined();
    });

    it.skipIf(harness.openUnreachable === null)('an unreachable backend: ping is false and reads are misses, never errors', async () => {
      const down = await (harness.openUnreachable as () => Promise<FeatureCache>)();
      try {
        await expect(down.ping()).resolves.toBe(false);
        await expect(down.getMany([key('down')])).resolves.toEqual([undefined]);
      } finally {
        await down.close();
      }
    });
  });
}
