/**
 * One conformance suite for every OnlineStore adapter (DESIGN.md principle 3): the same cases, the same
 * expectations, run by cassandra.test.ts and sqlite.test.ts. Keys are unique per test, so tests share
 * one store and need no cleanup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyValues, OnlineStore, OnlineTable, StoredEvent, StoredValue, TaggedEvent, TaggedValue } from '../../runtime/online/online-store.ts';
import { allTables, conformanceTables, type ConformanceTables } from './conformance-tables.ts';

export interface ConformanceHarness {
  /** A store over these tables (the harness creates them where the adapter does not). */
  open(tables: readonly OnlineTable[]): Promise<OnlineStore>;
  /** Lets `seconds` of TTL time pass: a fake clock, or a real wait. */
  elapse(seconds: number): Promise<void>;
  /** Waits until a fresh TTL second starts, where TTLs have whole-second resolution. */
  alignToTtlSecond(): Promise<void>;
}

const BIG = 2n ** 53n;
const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);

let counter = 0;
/** A number no other test (or earlier run against the same keyspace) uses. */
function unique(): bigint {
  return BigInt(Date.now()) * 1000n + BigInt(counter++ % 1000);
}

function value(text: string, schemaId = -3537889924848007986n, updatedAt = new Date(1_700_000_000_123)): StoredValue {
  return { value: Buffer.from(text), schemaId, updatedAt };
}

function event(at: number, text = `e${at}`): StoredEvent {
  return { ...value(text), eventTime: new Date(at) };
}

function text(v: TaggedValue | null | undefined): string | null {
  return v ? Buffer.from(v.value).toString() : null;
}

export function onlineStoreConformance(name: string, harness: ConformanceHarness): void {
  describe(`OnlineStore conformance: ${name}`, () => {
    let t: ConformanceTables;
    let store: OnlineStore;
    beforeAll(async () => {
      t = await conformanceTables();
      store = await harness.open(allTables(t));
    });
    afterAll(async () => store?.close());

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('getMany returns one result per key, in input order, null where absent, duplicates included', async () => {
      const [a, b, c] = [`a-${unique()}`, `b-${unique()}`, `c-${unique()}`];
      await store.putMany(t.hostStat, [
        { key: [a], value: value('A', 123n, new Date(1_600_000_000_001)) },
        { key: [b], value: value('B', LONG_MIN) },
      ]);
      const got = await store.getMany(t.hostStat, [[b], [c], [a], [b]]);
      expect(got.map(text)).toEqual(['B', null, 'A', 'B']);
      expect(got[2]).toMatchObject({ schemaId: 123n, updatedAt: new Date(1_600_000_000_001) });
      expect(got[0]?.schemaId).toBe(LONG_MIN);
      expect(await store.getMany(t.hostStat, [])).toEqual([]);
    });

    it('stores bytes exactly (every byte value, empty payloads)', async () => {
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const [k1, k2] = [`bytes-${unique()}`, `empty-${unique()}`];
      await store.putMany(t.hostStat, [
        { key: [k1], value: { ...value(''), value: all } },
        { key: [k2], value: { ...value(''), value: new Uint8Array(0) } },
      ]);
      const [one, two] = await store.getMany(t.hostStat, [[k1], [k2]]);
      expect(Buffer.from(one!.value).equals(all)).toBe(true);
      expect(two?.value.byteLength).toBe(0);
    });

    it('a put replaces the value of its key', async () => {
      const k = `over-${unique()}`;
      await store.putMany(t.hostStat, [{ key: [k], value: value('v1') }]);
      await store.putMany(t.hostStat, [{ key: [k], value: value('v2', 7n, new Date(1_700_000_000_124)) }]);
      const [got] = await store.getMany(t.hostStat, [[k]]);
      expect(text(got)).toBe('v2');
      expect(got?.schemaId).toBe(7n);
    });

    it('last writer wins by updatedAt: an older put is not applied, in any order', async () => {
      const [k1, k2] = [`lww-a-${unique()}`, `lww-b-${unique()}`];
      const newer = value('newer', 7n, new Date(1_700_000_000_500));
      const older = value('older', 8n, new Date(1_700_000_000_499));
      await store.putMany(t.hostStat, [{ key: [k1], value: older }]);
      const applied = await store.putMany(t.hostStat, [{ key: [k1], value: newer }]);
      await store.putMany(t.hostStat, [{ key: [k2], value: newer }]);
      const superseded = await store.putMany(t.hostStat, [{ key: [k2], value: older }]);
      const got = await store.getMany(t.hostStat, [[k1], [k2]]);
      expect(got.map(text)).toEqual(['newer', 'newer']);
      expect(got.map((g) => g?.schemaId)).toEqual([7n, 7n]);
      expect(applied.superseded === null || applied.superseded === 0).toBe(true);
      // A store either counts what it did not apply or says it cannot tell.
      expect(superseded.superseded === null || superseded.superseded === 1).toBe(true);
    });

    it('two values in the same millisecond: one deterministic winner whatever the order, value and schema id together', async () => {
      const same = new Date(1_700_000_000_777);
      for (let round = 0; round < 5; round++) {
        const [k1, k2] = [`tie-a-${unique()}`, `tie-b-${unique()}`];
        const a = value(`a${round}`, 11n, same);
        const b = value(`b${round}`, 22n, same);
        await store.putMany(t.hostStat, [{ key: [k1], value: a }]);
        await store.putMany(t.hostStat, [{ key: [k1], value: b }]);
        await store.putMany(t.hostStat, [{ key: [k2], value: b }]);
        await store.putMany(t.hostStat, [{ key: [k2], value: a }]);
        const [x, y] = await store.getMany(t.hostStat, [[k1], [k2]]);
        expect(text(x)).toBe(text(y));
        expect(x?.schemaId).toBe(text(x)?.startsWith('a') ? 11n : 22n);
        expect(y?.schemaId).toBe(x?.schemaId);
      }
    });

    it('Text keys are exact: case, Unicode, separators', async () => {
      const base = `t-${unique()}`;
      const keys = [base, base.toUpperCase(), `${base}:x`, `${base}/é🙂`, `${base} `];
      await store.putMany(t.hostStat, keys.map((k, i) => ({ key: [k], value: value(`v${i}`) })));
      const got = await store.getMany(t.hostStat, keys.map((k) => [k]));
      expect(got.map(text)).toEqual(keys.map((_, i) => `v${i}`));
    });

    it('composite Long keys: order matters, and bigints beyond 2^53 stay exact', async () => {
      const u = unique();
      const keys: KeyValues[] = [
        [u, u + 1n],
        [u + 1n, u],
        [BIG + u, 1n],
        [BIG + u + 1n, 1n],
        [LONG_MAX - u, LONG_MIN + u],
      ];
      await store.putMany(t.interaction, keys.map((key, i) => ({ key, value: value(`v${i}`) })));
      const got = await store.getMany(t.interaction, [...keys, [BIG + u + 2n, 1n]]);
      expect(got.map(text)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', null]);
    });

    it('keys named after reserved words (select, order) work', async () => {
      const k: KeyValues = ['from', unique()];
      // The table's TTL is 1 s, counted in whole seconds: start at the beginning of one.
      await harness.alignToTtlSecond();
      await store.putMany(t.reservedWords, [{ key: k, value: value('reserved') }]);
      expect((await store.getMany(t.reservedWords, [k])).map(text)).toEqual(['reserved']);
    });

    it('Int keys, no TTL', async () => {
      const id = Number(unique() % 2_000_000_000n);
      await store.putMany(t.plain, [{ key: [id], value: value('int') }, { key: [-id], value: value('neg') }]);
      expect((await store.getMany(t.plain, [[id], [-id], [id + 1]])).map(text)).toEqual(['int', 'neg', null]);
    });

    describe('History', () => {
      it('latest n: newest first, at most n, nothing for an unknown key', async () => {
        const k: KeyValues = [unique()];
        await store.appendMany(t.watchHistory, [3000, 1000, 5000, 2000, 4000].map((at) => ({ key: k, event: event(at) })));
        const latest3 = await store.latest(t.watchHistory, k, 3);
        expect(latest3.map((e) => e.eventTime.getTime())).toEqual([5000, 4000, 3000]);
        expect(latest3.map(text)).toEqual(['e5000', 'e4000', 'e3000']);
        expect((await store.latest(t.watchHistory, k, 50)).map((e) => e.eventTime.getTime())).toEqual([5000, 4000, 3000, 2000, 1000]);
        expect(await store.latest(t.watchHistory, [unique()], 5)).toEqual([]);
      });

      it('events keep their schema id and update time', async () => {
        const k: KeyValues = [unique()];
        await store.appendMany(t.watchHistory, [{ key: k, event: { ...event(10), schemaId: LONG_MAX, updatedAt: new Date(99) } }]);
        const [e] = await store.latest(t.watchHistory, k, 1);
        expect(e).toMatchObject({ schemaId: LONG_MAX, updatedAt: new Date(99), eventTime: new Date(10) });
      });

      it('an event at the same time replaces the stored one when written later, never when older', async () => {
        const k: KeyValues = [unique()];
        await store.appendMany(t.watchHistory, [{ key: k, event: event(1000, 'first') }]);
        await store.appendMany(t.watchHistory, [{ key: k, event: { ...event(1000, 'second'), updatedAt: new Date(1_700_000_000_200) } }]);
        expect((await store.latest(t.watchHistory, k, 10)).map(text)).toEqual(['second']);
        // A replay of the first (older updatedAt) changes nothing: the same event is stored once.
        await store.appendMany(t.watchHistory, [{ key: k, event: event(1000, 'first') }]);
        expect((await store.latest(t.watchHistory, k, 10)).map(text)).toEqual(['second']);
      });

      it('range: from inclusive, to exclusive, newest first, limited', async () => {
        const k: KeyValues = [unique()];
        await store.appendMany(t.watchHistory, [1000, 2000, 3000, 4000, 5000].map((at) => ({ key: k, event: event(at) })));
        const times = (events: readonly TaggedEvent[]) => events.map((e) => e.eventTime.getTime());
        expect(times(await store.range(t.watchHistory, k, new Date(2000), new Date(5000), 50))).toEqual([4000, 3000, 2000]);
        expect(times(await store.range(t.watchHistory, k, new Date(2000), new Date(5000), 2))).toEqual([4000, 3000]);
        expect(await store.range(t.watchHistory, k, new Date(3000), new Date(3000), 50)).toEqual([]);
        expect(times(await store.range(t.watchHistory, k, new Date(0), new Date(10_000), 50))).toEqual([5000, 4000, 3000, 2000, 1000]);
      });

      it('five keys (Text, Long, Int, Boolean, Timestamp): each component distinguishes the partition', async () => {
        const u = unique();
        const base: KeyValues = [`five-${u}`, BIG + u, 7, true, new Date(1_709_210_096_789)];
        const variants: KeyValues[] = [
          base,
          [`five-${u}x`, BIG + u, 7, true, new Date(1_709_210_096_789)],
          [`five-${u}`, BIG + u + 1n, 7, true, new Date(1_709_210_096_789)],
          [`five-${u}`, BIG + u, -7, true, new Date(1_709_210_096_789)],
          [`five-${u}`, BIG + u, 7, false, new Date(1_709_210_096_789)],
          [`five-${u}`, BIG + u, 7, true, new Date(1_709_210_096_790)],
        ];
        await store.appendMany(t.fiveKeys, variants.map((key, i) => ({ key, event: event(1000 + i, `p${i}`) })));
        for (const [i, key] of variants.entries()) {
          expect((await store.latest(t.fiveKeys, key, 7)).map(text)).toEqual([`p${i}`]);
        }
        const many = Array.from({ length: 9 }, (_, i) => ({ key: base, event: event(2000 + i) }));
        await store.appendMany(t.fiveKeys, many);
        const seven = await store.latest(t.fiveKeys, base, 7);
        expect(seven.map((e) => e.eventTime.getTime())).toEqual([2008, 2007, 2006, 2005, 2004, 2003, 2002]);
      });
    });

    it('rows expire after the table TTL; tables without a TTL keep theirs', async () => {
      const k: KeyValues = ['ttl', unique()];
      const id = Number(unique() % 2_000_000_000n);
      await harness.alignToTtlSecond();
      await store.putMany(t.reservedWords, [{ key: k, value: value('short-lived') }]);
      await store.putMany(t.plain, [{ key: [id], value: value('forever') }]);
      expect((await store.getMany(t.reservedWords, [k])).map(text)).toEqual(['short-lived']);
      await harness.elapse(t.reservedWords.ttlSeconds + 1);
      expect((await store.getMany(t.reservedWords, [k])).map(text)).toEqual([null]);
      expect((await store.getMany(t.plain, [[id]])).map(text)).toEqual(['forever']);
    });
  });
}
