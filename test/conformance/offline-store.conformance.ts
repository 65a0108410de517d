/**
 * One conformance suite for every OfflineStore adapter (DESIGN.md principle 3), run by
 * duckdb-offline.test.ts and bigquery-offline.test.ts. Tests share one store and its tables; each works
 * in a day of update times of its own (reads are bounded by `until`) and with keys no other test uses,
 * so none needs cleanup and their order does not matter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CELL_PROBLEMS } from '../../runtime/offline/offline-cells.ts';
import { MAX_OFFLINE_TIME_MS, ROW_PROBLEMS } from '../../runtime/offline/offline-row-check.ts';
import {
  isUnreadableRow,
  OFFLINE_ERRORS,
  OFFLINE_INVALID_OPTIONS,
  OFFLINE_INVALID_ROW,
  OFFLINE_SCHEMA_MISMATCH,
  OFFLINE_UNREADABLE_ROW,
  OFFLINE_STORE_CLOSED,
  OFFLINE_STORE_UNREACHABLE,
  OFFLINE_TABLE_NOT_FOUND,
  OfflineStoreError,
  type OfflineReadItem,
  type OfflineReadOptions,
  type OfflineRow,
  type OfflineStore,
  type OfflineTable,
  type OfflineValues,
  type UnreadableOfflineRow,
} from '../../runtime/offline/offline-store.ts';
import { allOfflineTables, offlineConformanceTables, type OfflineConformanceTables } from './offline-tables.ts';

export interface OfflineConformanceHarness {
  /** A store over these tables (the harness creates them where the adapter does not). */
  open(tables: readonly OfflineTable[]): Promise<OfflineStore>;
  /** A store pointed at a place that cannot serve: opening it or its first ping must fail. */
  openUnreachable(): Promise<OfflineStore>;
  /**
   * Whether NaN and ±Infinity survive in FLOAT64 columns (not on the BigQuery emulator: see
   * runtime/offline/README.md). The sign of zero is not promised: the emulator and DuckDB's storage
   * both drop it at times.
   */
  readonly specialFloats: boolean;
  /**
   * Creates a table by hand, as a user's transform SQL would (`CREATE TABLE … AS SELECT`), with columns
   * of these portable types and these rows, in the store's database: no generated DDL, no NOT NULLs.
   */
  createRawTable(tableName: string, columns: readonly RawColumn[], rows: readonly (readonly RawCell[])[]): Promise<void>;
}

/** Column types as both backends have them (BigQuery spelling; the DuckDB harness maps them). */
export type RawType = 'STRING' | 'INT64' | 'FLOAT64' | 'NUMERIC' | 'BOOL' | 'TIMESTAMP';
export interface RawColumn {
  readonly name: string;
  readonly type: RawType;
}
/** A cell: null, a string, a number (FLOAT64), a bigint (INT64, NUMERIC), a boolean, or `{ ts }` (ISO text of a TIMESTAMP). */
export type RawCell = null | string | number | bigint | boolean | { readonly ts: string };

const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);
const BIG = 2n ** 53n + 1n;
const DAY = 86_400_000;
const ALL_BYTES = new Uint8Array(Array.from({ length: 256 }, (_, i) => i));

let counter = 0;
/** A number no other test (or earlier run against the same store) uses. */
function unique(): bigint {
  return BigInt(Date.now()) * 1000n + BigInt(counter++ % 1000);
}

let days = 0;
/** The start of a day of update times no other test in this run writes to. */
function day(): Date {
  return new Date(Date.UTC(2024, 0, 1) + days++ * DAY);
}

async function readAll(store: OfflineStore, table: OfflineTable, since: Date | null, until: Date | undefined, pageSize?: number): Promise<{ rows: OfflineRow[]; pages: number[] }> {
  const rows: OfflineRow[] = [];
  const pages: number[] = [];
  for await (const page of store.read(table, { since, ...(until ? { until } : {}), ...(pageSize !== undefined ? { pageSize } : {}) })) {
    pages.push(page.length);
    rows.push(...page);
  }
  return { rows, pages };
}

async function readItems(store: OfflineStore, table: OfflineTable, options: OfflineReadOptions): Promise<OfflineReadItem[]> {
  const items: OfflineReadItem[] = [];
  for await (const page of store.read(table, { ...options, unreadable: 'yield' })) items.push(...page);
  return items;
}

/** Values as comparable data: Uint8Array → number[], so Buffer and Uint8Array compare equal. */
function plain(row: OfflineRow): { values: Record<string, unknown>; updatedAt: number } {
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row.values)) values[k] = v instanceof Uint8Array ? [...v] : Array.isArray(v) ? v.map((x: unknown) => (x instanceof Uint8Array ? [...x] : x)) : v;
  return { values, updatedAt: row.updatedAt.getTime() };
}

function byKeyText(rows: readonly OfflineRow[], column: string): OfflineRow[] {
  return [...rows].sort((a, b) => String(a.values[column]).localeCompare(String(b.values[column])));
}

export function offlineStoreConformance(name: string, harness: OfflineConformanceHarness): void {
  describe(`OfflineStore conformance: ${name}`, () => {
    let t: OfflineConformanceTables;
    let store: OfflineStore;
    beforeAll(async () => {
      t = await offlineConformanceTables();
      store = await harness.open(allOfflineTables(t));
    });
    afterAll(async () => store?.close());

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('round-trips every field type exactly: Long beyond 2^53, Timestamp ms (before 1970 too), Bytes, lists, nulls', async () => {
      const base = day();
      const u = unique();
      const text = `é🙂 'single' "double" back\\slash\nline\ttab ${u}`;
      const rows: OfflineRow[] = [
        {
          values: {
            select: text, order: LONG_MAX, from: -(2 ** 31), class: '', def: true, default: 1.7976931348623157e308,
            key: 0.1, delete: [LONG_MIN, BIG, 0n, -1n, LONG_MAX], blob: ALL_BYTES, when: new Date(1_700_000_000_123), maybe: 'set',
          },
          updatedAt: new Date(base.getTime() + 1),
        },
        {
          values: { select: `nulls-${u}`, order: LONG_MIN, from: null, class: null, def: null, default: null, key: null, delete: [], blob: null, when: null, maybe: null },
          updatedAt: new Date(base.getTime() + 2),
        },
        {
          values: {
            select: `edges-${u}`, order: BIG, from: 2 ** 31 - 1, class: 'x'.repeat(1000), def: false, default: -1e-300, key: 5e-324, delete: [BIG],
            blob: new Uint8Array(0), when: new Date(-1), maybe: '',
          },
          updatedAt: new Date(MAX_OFFLINE_TIME_MS), // the last representable millisecond, read with its own window below
        },
      ];
      expect(await store.append(t.allTypes, rows)).toEqual({ appended: 3, duplicates: 0 });
      const inDay = await readAll(store, t.allTypes, base, new Date(base.getTime() + DAY));
      expect(inDay.rows.map(plain)).toEqual(rows.slice(0, 2).map(plain));
      const last = rows[2] as OfflineRow;
      const far = (await readAll(store, t.allTypes, last.updatedAt, undefined)).rows.filter((r) => r.values['select'] === `edges-${u}`);
      expect(far.map(plain)).toEqual([plain(last)]);
      expect(typeof inDay.rows[0]?.values['order']).toBe('bigint');
    });

    it('round-trips History rows with five key types, the event time and Float/Text lists', async () => {
      const base = day();
      const u = unique();
      const rows: OfflineRow[] = [1, 2, 3].map((i) => ({
        values: {
          a: `k-${u}`, b: BIG + BigInt(i), c: -i, d: i % 2 === 0, e: new Date(-86_400_000 * i), at: new Date(base.getTime() + 10 * i),
          big: LONG_MAX - BigInt(i), tags: i === 1 ? [] : ['x', `t${i}`, ''], vec: [0.5, -1.25, i],
        },
        updatedAt: new Date(base.getTime() + i),
      }));
      const result = await store.append(t.fiveKeys, rows);
      expect(result).toEqual({ appended: 3, duplicates: 0 });
      const back = await readAll(store, t.fiveKeys, base, new Date(base.getTime() + DAY));
      expect(back.rows.map(plain)).toEqual(rows.map(plain));
    });

    // Skipped on the BigQuery emulator: NaN reads as NULL there, and ±Infinity fails the DML.
    it.skipIf(!harness.specialFloats)('NaN and ±Infinity round-trip where the backend stores them', async () => {
      const base = day();
      const values = [Number.NaN, Infinity, -Infinity];
      const rows: OfflineRow[] = values.map((v, i) => ({
        values: { viewer_id: unique(), watched_at: new Date(base.getTime() + i), room_id: 1n, watch_seconds: 1, category_tags: [], gift_amounts: [v, 1.5] },
        updatedAt: new Date(base.getTime() + i),
      }));
      await store.append(t.watchHistory, rows);
      const back = await readAll(store, t.watchHistory, base, new Date(base.getTime() + DAY));
      expect(back.rows.map((r) => r.values['gift_amounts'])).toEqual(values.map((v) => [v, 1.5]));
    });

    describe('since-watermark reads', () => {
      it('since is inclusive, until exclusive, oldest first; since null reads from the beginning', async () => {
        const base = day();
        const u = unique();
        const at = (ms: number) => new Date(base.getTime() + ms);
        const row = (i: number, ms: number): OfflineRow => ({
          values: { user_id: u, target_user_id: BigInt(i), impressions_28d: i, clicks_28d: null, likes_28d: null, last_interaction_at: null },
          updatedAt: at(ms),
        });
        // Two rows share a millisecond: an exclusive `since` at it would skip the second one.
        await store.append(t.interaction, [row(4, 30), row(1, 0), row(3, 20), row(2, 20), row(5, 40)]);
        const ids = (rows: readonly OfflineRow[]) => rows.map((r) => r.values['target_user_id']);
        expect(ids((await readAll(store, t.interaction, at(20), at(40))).rows)).toEqual([2n, 3n, 4n]);
        expect(ids((await readAll(store, t.interaction, at(21), at(41))).rows)).toEqual([4n, 5n]);
        expect(ids((await readAll(store, t.interaction, at(0), at(1))).rows)).toEqual([1n]);
        expect((await readAll(store, t.interaction, at(41), at(DAY))).rows).toEqual([]);
        // The test's rows are the only ones in its day; from the beginning up to `until` includes them all.
        const all = (await readAll(store, t.interaction, null, at(DAY))).rows.filter((r) => r.values['user_id'] === u);
        expect(ids(all)).toEqual([1n, 2n, 3n, 4n, 5n]);
      });

      it('reads rows appended after an earlier read from its last update time on (the watermark loop)', async () => {
        const base = day();
        const u = unique();
        const row = (i: number, ms: number): OfflineRow => ({
          values: { user_id: u, target_user_id: BigInt(i), impressions_28d: 0, clicks_28d: 0, likes_28d: 0, last_interaction_at: new Date(ms) },
          updatedAt: new Date(base.getTime() + ms),
        });
        const end = new Date(base.getTime() + DAY);
        await store.append(t.interaction, [row(1, 100), row(2, 200)]);
        const first = (await readAll(store, t.interaction, base, end)).rows;
        const watermark = (first.at(-1) as OfflineRow).updatedAt;
        // A late row in the watermark's own millisecond, and a newer one.
        await store.append(t.interaction, [row(3, 200), row(4, 300)]);
        const next = (await readAll(store, t.interaction, watermark, end)).rows;
        expect(next.map((r) => r.values['target_user_id'])).toEqual([2n, 3n, 4n]);
      });
    });

    it('pages over more rows than one page, in order, never an empty page; a read can be abandoned', async () => {
      const base = day();
      const u = unique();
      // Enough rows for several pages, few enough for the BigQuery emulator: its SQL engine runs in a
      // 32-bit WebAssembly heap that a batch of thousands of literal rows exhausts (it then panics).
      const count = 123;
      const rows: OfflineRow[] = Array.from({ length: count }, (_, i) => ({
        values: { user_id: u, target_user_id: BigInt(i), impressions_28d: i, clicks_28d: 2 * i, likes_28d: null, last_interaction_at: null },
        updatedAt: new Date(base.getTime() + Math.floor(i / 3)),
      }));
      expect(await store.append(t.interaction, [...rows].reverse())).toEqual({ appended: count, duplicates: 0 });
      const { rows: back, pages } = await readAll(store, t.interaction, base, new Date(base.getTime() + DAY), 50);
      expect(pages.length).toBeGreaterThanOrEqual(3);
      for (const size of pages) expect(size).toBeGreaterThan(0);
      for (const size of pages) expect(size).toBeLessThanOrEqual(50);
      expect(back.map((r) => r.values['target_user_id'])).toEqual(rows.map((r) => r.values['target_user_id']));

      let seen = 0;
      for await (const page of store.read(t.interaction, { since: base, until: new Date(base.getTime() + DAY), pageSize: 10 })) {
        seen += page.length;
        break;
      }
      expect(seen).toBe(10);
      await expect(store.ping()).resolves.toBeUndefined();
    });

    describe('idempotent append', () => {
      it('a redelivered batch writes nothing twice; repeats within a batch count as duplicates', async () => {
        const base = day();
        const u = unique();
        const row = (i: number, ms = i): OfflineRow => ({
          values: { user_id: u, target_user_id: BigInt(i), impressions_28d: i, clicks_28d: null, likes_28d: null, last_interaction_at: null },
          updatedAt: new Date(base.getTime() + ms),
        });
        expect(await store.append(t.interaction, [row(1), row(2), row(3)])).toEqual({ appended: 3, duplicates: 0 });
        expect(await store.append(t.interaction, [row(1), row(2), row(3)])).toEqual({ appended: 0, duplicates: 3 });
        expect(await store.append(t.interaction, [row(3), row(4), row(4), row(1)])).toEqual({ appended: 1, duplicates: 3 });
        // The same Object key at another update time is another snapshot, not a duplicate.
        expect(await store.append(t.interaction, [row(1, 50)])).toEqual({ appended: 1, duplicates: 0 });
        expect(await store.append(t.interaction, [])).toEqual({ appended: 0, duplicates: 0 });
        const back = (await readAll(store, t.interaction, base, new Date(base.getTime() + DAY))).rows;
        expect(back.map((r) => [r.values['target_user_id'], r.updatedAt.getTime() - base.getTime()])).toEqual([[1n, 1], [2n, 2], [3n, 3], [4n, 4], [1n, 50]]);
      });

      it("a downsync-sized batch: 5,000 rows in one append, then a redelivery overlapping half of it", async () => {
        const base = day();
        const viewer = unique();
        const event = (i: number, written: number): OfflineRow => ({
          values: { viewer_id: viewer + BigInt(i % 50), watched_at: new Date(base.getTime() + i), room_id: BigInt(i), watch_seconds: i, category_tags: [`c${i % 7}`], gift_amounts: [i / 4] },
          updatedAt: new Date(base.getTime() + written),
        });
        const first = Array.from({ length: 5_000 }, (_, i) => event(i, 10_000_000));
        expect(await store.append(t.watchHistory, first)).toEqual({ appended: 5_000, duplicates: 0 });
        // The second half again (written later: still the same events), and 2,500 new ones.
        const second = Array.from({ length: 5_000 }, (_, i) => event(i + 2_500, 20_000_000));
        expect(await store.append(t.watchHistory, second)).toEqual({ appended: 2_500, duplicates: 2_500 });
        const back = (await readAll(store, t.watchHistory, base, new Date(base.getTime() + DAY), 5_000)).rows;
        expect(back).toHaveLength(7_500);
        expect(new Set(back.map((r) => `${r.values['viewer_id']}/${(r.values['watched_at'] as Date).getTime()}`)).size).toBe(7_500);
        expect(back.filter((r) => r.updatedAt.getTime() === base.getTime() + 20_000_000)).toHaveLength(2_500);
      }, 180_000);

      it('History rows are identified by key and event time: a redelivery written later is still a duplicate', async () => {
        const base = day();
        const viewer = unique();
        const event = (at: number, seconds: number, written: number): OfflineRow => ({
          values: { viewer_id: viewer, watched_at: new Date(base.getTime() + at), room_id: 7n, watch_seconds: seconds, category_tags: ['a'], gift_amounts: [] },
          updatedAt: new Date(base.getTime() + written),
        });
        expect(await store.append(t.watchHistory, [event(10, 1, 100), event(20, 2, 100)])).toEqual({ appended: 2, duplicates: 0 });
        expect(await store.append(t.watchHistory, [event(10, 99, 500), event(30, 3, 500)])).toEqual({ appended: 1, duplicates: 1 });
        const back = byKeyText((await readAll(store, t.watchHistory, base, new Date(base.getTime() + DAY))).rows, 'watch_seconds');
        expect(back.map((r) => r.values['watch_seconds'])).toEqual([1, 2, 3]);
      });
    });

    describe('refused input, named errors', () => {
      const valid = (u: bigint): Record<string, OfflineValues[string]> => ({ user_id: u, target_user_id: 1n, impressions_28d: 1, clicks_28d: 1, likes_28d: 1, last_interaction_at: null });
      const cases: [string, (u: bigint) => Record<string, unknown>, string][] = [
        ['a Long given as a number', (u) => ({ ...valid(u), target_user_id: 1 }), ROW_PROBLEMS.scalar('target_user_id', 'expected a bigint, got number 1')],
        ['an Int outside 32 bits', (u) => ({ ...valid(u), clicks_28d: 2 ** 31 }), ROW_PROBLEMS.scalar('clicks_28d', `${2 ** 31} is outside the 32-bit range of Int`)],
        ['a null key', (u) => ({ ...valid(u), target_user_id: null }), ROW_PROBLEMS.required('target_user_id')],
        ['a missing field', (u) => ({ user_id: u, target_user_id: 1n, impressions_28d: 1, clicks_28d: 1, likes_28d: 1 }), ROW_PROBLEMS.missing('last_interaction_at')],
        ['an unknown field', (u) => ({ ...valid(u), extra: 1 }), ROW_PROBLEMS.unknownField('extra')],
        ['an invalid Date', (u) => ({ ...valid(u), last_interaction_at: new Date(Number.NaN) }), ROW_PROBLEMS.scalar('last_interaction_at', 'expected a valid Date within 0001-01-01..9999-12-31, got an invalid Date')],
      ];
      it.each(cases)('%s: the whole batch is refused, nothing written', async (_, values, problem) => {
        const base = day();
        const u = unique();
        const good: OfflineRow = { values: valid(u), updatedAt: base };
        const bad = { values: values(u), updatedAt: base } as unknown as OfflineRow;
        const failure = store.append(t.interaction, [good, bad]);
        await expect(failure).rejects.toBeInstanceOf(OfflineStoreError);
        await expect(failure).rejects.toMatchObject({ code: OFFLINE_INVALID_ROW, message: OFFLINE_ERRORS.invalidRow(t.interaction.tableName, 1, problem) });
        expect((await readAll(store, t.interaction, base, new Date(base.getTime() + DAY))).rows).toEqual([]);
      });

      it('lists: null and null elements are refused', async () => {
        const base = day();
        const event = (tags: unknown): OfflineRow =>
          ({ values: { viewer_id: unique(), watched_at: base, room_id: 1n, watch_seconds: 1, category_tags: tags, gift_amounts: [] }, updatedAt: base }) as unknown as OfflineRow;
        await expect(store.append(t.watchHistory, [event(null)])).rejects.toMatchObject({
          code: OFFLINE_INVALID_ROW,
          message: OFFLINE_ERRORS.invalidRow(t.watchHistory.tableName, 0, ROW_PROBLEMS.nullList('category_tags')),
        });
        await expect(store.append(t.watchHistory, [event(['a', null])])).rejects.toMatchObject({
          message: OFFLINE_ERRORS.invalidRow(t.watchHistory.tableName, 0, ROW_PROBLEMS.element('category_tags', 1, 'expected a string, got null')),
        });
      });

      it('read options: a page size out of range, an empty or inverted window', async () => {
        const read = (options: Parameters<OfflineStore['read']>[1]) => readAll(store, t.interaction, options.since, options.until ?? new Date(), options.pageSize);
        await expect(read({ since: null, pageSize: 0 })).rejects.toMatchObject({ code: OFFLINE_INVALID_OPTIONS, message: OFFLINE_ERRORS.pageSize(0) });
        const at = new Date(1_000);
        await expect(read({ since: at, until: at })).rejects.toMatchObject({ code: OFFLINE_INVALID_OPTIONS, message: OFFLINE_ERRORS.window(at, at) });
      });

      it('a table that does not exist: OFFLINE_TABLE_NOT_FOUND naming it', async () => {
        const missing: OfflineTable = { ...t.interaction, tableName: `missing_${unique()}` };
        const failure = readAll(store, missing, null, new Date());
        await expect(failure).rejects.toMatchObject({ code: OFFLINE_TABLE_NOT_FOUND });
        await expect(failure).rejects.toThrow(missing.tableName);
        const row: OfflineRow = { values: valid(unique()), updatedAt: new Date() };
        await expect(store.append(missing, [row])).rejects.toMatchObject({ code: OFFLINE_TABLE_NOT_FOUND });
      });
    });

    describe("tables made by hand (a transform's CTAS): columns of other types, converted per cell", () => {
      // The interaction feature's fields, stored as a careless CTAS might: Long keys as STRING and
      // NUMERIC, an Int as FLOAT64, a Timestamp as STRING.
      const columns: RawColumn[] = [
        { name: 'user_id', type: 'STRING' },
        { name: 'target_user_id', type: 'NUMERIC' },
        { name: 'impressions_28d', type: 'FLOAT64' },
        { name: 'clicks_28d', type: 'INT64' },
        { name: 'likes_28d', type: 'INT64' },
        { name: 'last_interaction_at', type: 'STRING' },
        { name: 'fs_updated_at', type: 'TIMESTAMP' },
      ];
      const at = (ms: number) => ({ ts: new Date(Date.UTC(2023, 5, 1) + ms).toISOString() });
      const good = (ms: number, patch: Partial<Record<string, RawCell>> = {}): RawCell[] => {
        const row: Record<string, RawCell> = { user_id: '12', target_user_id: 1n, impressions_28d: 3, clicks_28d: 4n, likes_28d: -5n, last_interaction_at: '2024-01-02T03:04:05.678Z', fs_updated_at: at(ms), ...patch };
        return columns.map((c) => row[c.name] ?? null);
      };
      // [row, the column it cannot be read at, the reason] — null: readable.
      const cases: [RawCell[], string | null, string | null][] = [
        [good(1), null, null],
        [good(2, { user_id: 'abc' }), 'user_id', CELL_PROBLEMS.wrongType('Long', 'text "abc"')],
        [good(3, { impressions_28d: 1.5 }), 'impressions_28d', CELL_PROBLEMS.notInteger('Int', 'float 1.5')],
        [good(4, { clicks_28d: 3_000_000_000n }), 'clicks_28d', CELL_PROBLEMS.intRange('integer 3000000000')],
        [good(5, { target_user_id: 99_999_999_999_999_999_999n }), 'target_user_id', CELL_PROBLEMS.longRange('decimal 99999999999999999999')],
        [good(6, { user_id: '-9223372036854775809' }), 'user_id', CELL_PROBLEMS.longRange('text "-9223372036854775809"')],
        [good(7, { user_id: null }), 'user_id', CELL_PROBLEMS.nullKey],
        [good(8, { last_interaction_at: '2024-13-45' }), 'last_interaction_at', CELL_PROBLEMS.malformedTime('2024-13-45')],
        [good(9, { last_interaction_at: '0000-12-31T23:59:59Z' }), 'last_interaction_at', CELL_PROBLEMS.timeRange('0000-12-31T23:59:59.000Z')],
        [good(10, { user_id: '-9223372036854775808', target_user_id: -7n, impressions_28d: -2147483648, clicks_28d: 2147483647n, last_interaction_at: '2024-02-29 23:00:00+01:30' }), null, null],
        [good(11, { likes_28d: null, last_interaction_at: null }), null, null],
        [good(12, { fs_updated_at: null }), 'fs_updated_at', CELL_PROBLEMS.nullUpdatedAt],
      ];
      let table: OfflineTable;
      beforeAll(async () => {
        table = { ...t.interaction, tableName: `hand_made_${unique()}` };
        await harness.createRawTable(table.tableName, columns, cases.map(([row]) => row));
      });

      it("unreadable: 'yield' gives every row, each unreadable one with its column, a precise reason and the raw values, JSON-safe", async () => {
        const items = await readItems(store, table, { since: null, pageSize: 5 });
        // The row without an update time comes first (NULLS FIRST), then update-time order.
        const expected = [cases.at(-1) as (typeof cases)[number], ...cases.slice(0, -1)];
        expect(items.map((i) => (isUnreadableRow(i) ? [i.column, i.reason] : [null, null]))).toEqual(expected.map(([, column, reason]) => [column, reason]));
        const [noTime, first, second] = items as [UnreadableOfflineRow, OfflineRow, UnreadableOfflineRow];
        expect(noTime.updatedAt).toBeNull();
        expect(first).toEqual({ values: { user_id: 12n, target_user_id: 1n, impressions_28d: 3, clicks_28d: 4, likes_28d: -5, last_interaction_at: new Date('2024-01-02T03:04:05.678Z') }, updatedAt: new Date(at(1).ts) });
        expect(second.raw).toEqual({
          user_id: 'abc', target_user_id: '1', impressions_28d: 3, clicks_28d: '4', likes_28d: '-5', last_interaction_at: '2024-01-02T03:04:05.678Z', fs_updated_at: at(2).ts,
        });
        expect(second.updatedAt).toEqual(new Date(at(2).ts));
        expect(JSON.parse(JSON.stringify(items.filter(isUnreadableRow).map((i) => i.raw)))).toEqual(items.filter(isUnreadableRow).map((i) => i.raw));
        const edges = items[10] as OfflineRow;
        expect(edges.values).toEqual({
          user_id: -(2n ** 63n), target_user_id: -7n, impressions_28d: -2147483648, clicks_28d: 2147483647, likes_28d: -5, last_interaction_at: new Date('2024-02-29T21:30:00Z'),
        });
        expect((items[11] as OfflineRow).values['last_interaction_at']).toBeNull();
      });

      it('by default the first unreadable row ends the read with OFFLINE_UNREADABLE_ROW naming the column', async () => {
        const failure = readAll(store, table, new Date(at(0).ts), undefined);
        await expect(failure).rejects.toBeInstanceOf(OfflineStoreError);
        await expect(failure).rejects.toMatchObject({ code: OFFLINE_UNREADABLE_ROW, message: OFFLINE_ERRORS.unreadableRow(table.tableName, 'user_id', CELL_PROBLEMS.wrongType('Long', 'text "abc"')) });
        // The rows before it were readable: a window that ends before it reads them.
        expect((await readAll(store, table, new Date(at(0).ts), new Date(at(2).ts))).rows).toHaveLength(1);
      });

      it('a missing column, or no fs_updated_at, fails the read at its start naming the table and column', async () => {
        const without = (name: string) => columns.filter((c) => c.name !== name);
        const noLikes = `hand_made_${unique()}`;
        const noTime = `hand_made_${unique()}`;
        const textTime = `hand_made_${unique()}`;
        await harness.createRawTable(noLikes, without('likes_28d'), [good(1).filter((_, i) => columns[i]?.name !== 'likes_28d')]);
        await harness.createRawTable(noTime, without('fs_updated_at'), []);
        await harness.createRawTable(textTime, [...without('fs_updated_at'), { name: 'fs_updated_at', type: 'STRING' }], []);
        for (const [name, column] of [[noLikes, 'likes_28d'], [noTime, 'fs_updated_at']] as const) {
          const failure = readItems(store, { ...t.interaction, tableName: name }, { since: null });
          await expect(failure).rejects.toMatchObject({ code: OFFLINE_SCHEMA_MISMATCH });
          await expect(failure).rejects.toThrow(new RegExp(`offline table ${name} in \\w+ has no column ${column} `));
        }
        await expect(readItems(store, { ...t.interaction, tableName: textTime }, { since: null })).rejects.toMatchObject({
          code: OFFLINE_SCHEMA_MISMATCH,
          message: expect.stringMatching(new RegExp(`^offline table ${textTime} in \\w+: fs_updated_at is \\w+, not a TIMESTAMP$`)),
        });
      });
    });

    describe('shards', () => {
      const ids = (rows: readonly OfflineReadItem[]) => rows.map((r) => JSON.stringify((r as OfflineRow).values, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));

      it('shards 0..n-1 together are the unsharded read, each row exactly once, each shard in order', async () => {
        const base = day();
        const u = unique();
        const rows: OfflineRow[] = Array.from({ length: 120 }, (_, i) => ({
          values: { user_id: u + BigInt(i % 7), target_user_id: BigInt(i), impressions_28d: i, clicks_28d: null, likes_28d: null, last_interaction_at: null },
          updatedAt: new Date(base.getTime() + (i % 13)),
        }));
        await store.append(t.interaction, rows);
        const window = { since: base, until: new Date(base.getTime() + DAY) };
        const all = ids(await readItems(store, t.interaction, window));
        expect(all).toHaveLength(120);
        for (const count of [1, 3, 4]) {
          const shards = await Promise.all(Array.from({ length: count }, (_, index) => readItems(store, t.interaction, { ...window, shard: { index, count } })));
          const union = shards.flatMap(ids);
          expect(new Set(union).size, `count ${count}`).toBe(union.length);
          expect([...union].sort(), `count ${count}`).toEqual([...all].sort());
          for (const shard of shards) {
            expect(shard.length, `count ${count}`).toBeGreaterThan(0);
            // Each shard keeps the read's order: a subsequence of the unsharded read.
            const positions = ids(shard).map((id) => all.indexOf(id));
            expect(positions).toEqual([...positions].sort((a, b) => a - b));
          }
        }
        // Deterministic: the same shard twice is the same rows.
        expect(ids(await readItems(store, t.interaction, { ...window, shard: { index: 1, count: 3 } }))).toEqual(
          ids(await readItems(store, t.interaction, { ...window, shard: { index: 1, count: 3 } })),
        );
      });

      it('History rows with keys of every key type (Text, Long, Int, Boolean, Timestamp) shard disjointly and completely', async () => {
        const base = day();
        const u = unique();
        const rows: OfflineRow[] = Array.from({ length: 40 }, (_, i) => ({
          values: { a: `k-${u}-${i % 5}`, b: BIG + BigInt(i), c: -i, d: i % 2 === 0, e: new Date(-86_400_000 * (i % 3)), at: new Date(base.getTime() + i), big: BigInt(i), tags: [], vec: [] },
          updatedAt: new Date(base.getTime() + i),
        }));
        await store.append(t.fiveKeys, rows);
        const window = { since: base, until: new Date(base.getTime() + DAY) };
        const all = ids(await readItems(store, t.fiveKeys, window));
        const shards = await Promise.all([0, 1].map((index) => readItems(store, t.fiveKeys, { ...window, shard: { index, count: 2 } })));
        expect(shards.map((s) => s.length).every((n) => n > 0)).toBe(true);
        expect(shards.flatMap(ids).sort()).toEqual([...all].sort());
      });

      it.each([
        [{ index: 2, count: 2 }],
        [{ index: -1, count: 2 }],
        [{ index: 0, count: 0 }],
        [{ index: 0.5, count: 2 }],
        [{ index: 0, count: 100_001 }],
      ])('an invalid shard %o is OFFLINE_INVALID_OPTIONS', async (shard) => {
        await expect(readItems(store, t.interaction, { since: null, shard })).rejects.toMatchObject({ code: OFFLINE_INVALID_OPTIONS, message: OFFLINE_ERRORS.shard(shard) });
      });
    });

    it('an unreachable store: OFFLINE_STORE_UNREACHABLE with the reason', async () => {
      const failure = harness.openUnreachable().then(async (s) => {
        try {
          await s.ping();
        } finally {
          await s.close();
        }
      });
      await expect(failure).rejects.toBeInstanceOf(OfflineStoreError);
      await expect(failure).rejects.toMatchObject({ code: OFFLINE_STORE_UNREACHABLE, message: expect.stringMatching(/^cannot reach the \w+ offline store at .+: .+/) });
    });

    it('close: later calls fail with OFFLINE_STORE_CLOSED; closing twice is fine', async () => {
      const own = await harness.open(allOfflineTables(t));
      await own.close();
      await own.close();
      await expect(own.ping()).rejects.toMatchObject({ code: OFFLINE_STORE_CLOSED });
      await expect(readAll(own, t.interaction, null, new Date())).rejects.toMatchObject({ code: OFFLINE_STORE_CLOSED });
      await expect(own.append(t.interaction, [])).rejects.toMatchObject({ code: OFFLINE_STORE_CLOSED });
    });
  });
}
