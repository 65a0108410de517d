/**
 * The DuckDB offline store reads a large window as consecutive sorted segments (bounded sort memory,
 * upsync's flat RSS): the rows, their order and the pages must be exactly those of one sorted query,
 * for a full read (NULL-free here: append refuses NULL update times), a window, and a shard; and with
 * many rows sharing one update time (a segment bound falls among them). One DuckDB instance, two
 * stores on it: one that never segments, one that cuts every ~37 rows.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { openDuckDbOfflineStore } from '../../runtime/offline/duckdb/duckdb-offline-store.ts';
import type { OfflineReadOptions, OfflineRow } from '../../runtime/offline/offline-store.ts';
import { objRow, offlineTables, stable, T0 } from './upsync-fixtures.ts';
import { OBJ, upsyncProject } from './upsync-project.ts';

const N = 700;
type ReadCase = OfflineReadOptions & { readonly unreadable?: 'fail' };

describe('DuckDB reads in sorted segments', () => {
  it('segments give the same pages as one sorted query (full, window, shard; ties at a bound)', async () => {
    const p = await upsyncProject('duckdb-segments');
    const tables = await offlineTables(p.generated);
    const table = tables.get(OBJ)!;
    const instance = await DuckDBInstance.create(p.duckdb);
    const whole = await openDuckDbOfflineStore({ path: p.duckdb, tables: [...tables.values()], instance, sortSegmentRows: 1_000_000 });
    const cut = await openDuckDbOfflineStore({ path: p.duckdb, tables: [...tables.values()], instance, sortSegmentRows: 37 });
    try {
      // Keys in a shuffled order; update times with ties: 7 rows share each millisecond.
      const rows: OfflineRow[] = Array.from({ length: N }, (_, i) => objRow(((i * 7919) % N) + 1, T0 + Math.floor(i / 7) * 1000));
      for (let at = 0; at < rows.length; at += 250) await whole.append(table, rows.slice(at, at + 250));
      const read = async (store: typeof whole, options: ReadCase) => {
        const pages: string[][] = [];
        for await (const page of store.read(table, options)) pages.push(page.map((r) => stable({ ...r.values, at: r.updatedAt.toISOString() })));
        return pages;
      };
      const cases: ReadCase[] = [
        { since: null, pageSize: 50 },
        { since: new Date(T0 + 13_000), until: new Date(T0 + 81_000), pageSize: 33 },
        { since: null, pageSize: 40, shard: { index: 1, count: 3 } },
      ];
      for (const options of cases) {
        const before = cut.segmentQueries;
        const expected = await read(whole, options);
        const got = await read(cut, options);
        expect(got).toEqual(expected);
        expect(got.flat().length).toBeGreaterThan(100);
        // It did cut the read: several sorted queries, not one.
        expect(cut.segmentQueries - before).toBeGreaterThan(2);
      }
      expect((await read(whole, cases[0]!)).flat()).toHaveLength(N);
    } finally {
      await cut.close();
      await whole.close();
      instance.closeSync();
    }
  });
});
