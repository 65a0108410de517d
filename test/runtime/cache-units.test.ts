/** Cache building blocks without servers: key encoding, entry formats, the breaker, read-through rules. */
import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../runtime/cache/cache-key.ts';
import { CACHE_ENTRY_ERRORS, decodeHistoryEntry, encodeHistoryEntry } from '../../runtime/cache/cache-entry.ts';
import type { CachedEntry, FeatureCache } from '../../runtime/cache/feature-cache.ts';
import { ReadThroughCache, TAGGED_OBJECTS } from '../../runtime/cache/read-through-cache.ts';
import { CircuitBreaker } from '../../runtime/cache/redis/circuit-breaker.ts';
import type { KeyColumnType } from '../../core/field-types.ts';
import type { KeyValues } from '../../runtime/online/online-store.ts';
import { decodeSingleObject, encodeSingleObject, SINGLE_OBJECT_ERRORS, type TaggedAvro } from '../../core/serde/index.ts';

describe('cache keys', () => {
  const cols = (...types: KeyColumnType[]) => types.map((type) => ({ type }));

  it('have the documented format', () => {
    expect(cacheKey('live::hakuna-host-stat-v1', cols('Text'), ['1001'])).toBe('fs:{live::hakuna-host-stat-v1}:1001');
    expect(cacheKey('edge::five-keys-v3', cols('Text', 'Long', 'Int', 'Boolean', 'Timestamp'), ['a:b%', -(2n ** 63n), -7, false, new Date(1709210096789)])).toBe(
      'fs:{edge::five-keys-v3}:a%3Ab%25:-9223372036854775808:-7:false:1709210096789',
    );
  });

  it('are injective: separators and escape characters inside Text never collide', () => {
    const texts = ['', ':', '::', '%', '%3A', '%25', 'a:b', 'a%3Ab', 'a', 'b', 'a:', ':b', '}', '{x}', 'é🙂'];
    const keys = new Map<string, KeyValues>();
    for (const x of texts) {
      for (const y of texts) {
        const key = cacheKey('f', cols('Text', 'Text'), [x, y]);
        expect(keys.has(key), `${JSON.stringify([x, y])} collides with ${JSON.stringify(keys.get(key))}`).toBe(false);
        keys.set(key, [x, y]);
        // Splitting on ":" gives back the components: the escape is reversible.
        const parts = key.slice('fs:{f}:'.length).split(':').map((p) => p.replace(/%3A/g, ':').replace(/%25/g, '%'));
        expect(parts).toEqual([x, y]);
      }
    }
  });

  it('are stable: a key maps to the same string every time (coerced values, not input forms)', () => {
    const a = cacheKey('f', cols('Long', 'Timestamp'), [2n ** 60n, new Date(5)]);
    expect(cacheKey('f', cols('Long', 'Timestamp'), [2n ** 60n, new Date(5)])).toBe(a);
    expect(a).toBe('fs:{f}:1152921504606846976:5');
  });
});

describe('entry formats', () => {
  const tagged = (text: string, schemaId: bigint): TaggedAvro => ({ value: Buffer.from(text), schemaId });

  it('single-object encoding: C3 01, fingerprint little-endian, payload', () => {
    const bytes = encodeSingleObject(tagged('abc', -2n));
    expect(bytes.toString('hex')).toBe('c301feffffffffffffff616263');
    expect(decodeSingleObject(bytes)).toEqual({ schemaId: -2n, value: Buffer.from('abc') });
    expect(() => decodeSingleObject(Buffer.from('nope'))).toThrow(SINGLE_OBJECT_ERRORS.notSingleObject(4));
  });

  it('History entries round-trip, and truncated ones are refused', () => {
    const events = [tagged('e1', 1n), tagged('', 2n ** 63n - 1n), tagged('e3', -(2n ** 63n))];
    const bytes = encodeHistoryEntry(events);
    expect(decodeHistoryEntry(bytes)).toEqual(events.map((e) => ({ ...e, value: Buffer.from(e.value) })));
    expect(decodeHistoryEntry(encodeHistoryEntry([]))).toEqual([]);
    expect(() => decodeHistoryEntry(bytes.subarray(0, bytes.length - 1))).toThrow(CACHE_ENTRY_ERRORS.badHistory);
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures, lets one probe through after openMs, closes on success', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 100, now: () => now });
    breaker.failure();
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
    now = 100;
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false); // one probe at a time
    breaker.failure();
    expect(breaker.state).toBe('open');
    now = 250;
    expect(breaker.allow()).toBe(true);
    breaker.success();
    expect(breaker.state).toBe('closed');
  });
});

/** An in-memory FeatureCache that records what it is asked to store. */
class MemoryCache implements FeatureCache {
  readonly entries = new Map<string, CachedEntry>();
  readonly sets: { key: string; entry: CachedEntry; ttlMs: number }[] = [];
  failReads = false;
  async getMany(keys: readonly string[]): Promise<(CachedEntry | undefined)[]> {
    if (this.failReads) throw new Error('down');
    return keys.map((k) => this.entries.get(k));
  }
  async setMany(entries: readonly { key: string; entry: CachedEntry; ttlMs: number }[]): Promise<void> {
    for (const e of entries) {
      this.sets.push(e);
      this.entries.set(e.key, e.entry);
    }
  }
  async invalidate(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.entries.delete(k);
  }
  async ping(): Promise<boolean> {
    return !this.failReads;
  }
  async close(): Promise<void> {}
}

describe('read-through rules', () => {
  const value: TaggedAvro = { value: Buffer.from('v'), schemaId: 1n };

  it('negative TTL is min(feature TTL, negativeTtlMs); values get the feature TTL', async () => {
    const cache = new MemoryCache();
    const rt = new ReadThroughCache(cache, { negativeTtlMs: 5_000 });
    await rt.getObjects('f', 250, ['a', 'b'], async () => [value, null], TAGGED_OBJECTS);
    expect(cache.sets.map((s) => [s.key, s.ttlMs])).toEqual([['a', 250], ['b', 250]]);
    const long = new ReadThroughCache(cache, { negativeTtlMs: 5_000 });
    await long.getObjects('f', 600_000, ['c'], async () => [null], TAGGED_OBJECTS);
    expect(cache.sets.at(-1)).toMatchObject({ key: 'c', entry: null, ttlMs: 5_000 });
  });

  it('a cache that throws or holds garbage reads as a miss', async () => {
    const cache = new MemoryCache();
    cache.entries.set('bad', Buffer.from('not single-object'));
    const rt = new ReadThroughCache(cache);
    expect(await rt.getObjects('f', 1000, ['bad'], async () => [value], TAGGED_OBJECTS)).toEqual([value]);
    cache.failReads = true;
    expect(await rt.getObjects('f', 1000, ['x'], async () => [value], TAGGED_OBJECTS)).toEqual([value]);
  });

  it('a failed load rejects every joined reader and leaves nothing in flight', async () => {
    const rt = new ReadThroughCache(new MemoryCache());
    let calls = 0;
    const failing = async (): Promise<(TaggedAvro | null)[]> => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('store down');
    };
    const results = await Promise.allSettled([rt.getObjects('f', 1000, ['k'], failing, TAGGED_OBJECTS), rt.getObjects('f', 1000, ['k'], failing, TAGGED_OBJECTS)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    expect(await rt.getObjects('f', 1000, ['k'], async () => [value], TAGGED_OBJECTS)).toEqual([value]);
  });
});
