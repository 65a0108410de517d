/**
 * The offline-store conformance suite on the embedded DuckDB store (a fresh file per store), plus what
 * only DuckDB has: tables it creates itself, with DDL equivalent to the BigQuery DDL codegen emits.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { DRIVER_ERRORS, MissingDriverError } from '../../runtime/connect/optional-drivers.ts';
import { manifestSchema } from '../../core/manifest/manifest-schema.ts';
import { duckdbCreateTable } from '../../runtime/offline/duckdb/duckdb-ddl.ts';
import { DUCKDB_OFFLINE_USE, openDuckDbOfflineStore } from '../../runtime/offline/duckdb/duckdb-offline-store.ts';
import { CELL_PROBLEMS } from '../../runtime/offline/offline-cells.ts';
import { isUnreadableRow, OFFLINE_ERRORS, OFFLINE_STORE_UNREACHABLE, OFFLINE_UNREADABLE_ROW } from '../../runtime/offline/offline-store.ts';
import { offlineTableOf } from '../../runtime/offline/offline-table.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { GENERATED_DIR, GOLDEN_DIR } from './conformance-tables.ts';
import { offlineStoreConformance, type RawCell, type RawColumn, type RawType } from './offline-store.conformance.ts';
import { allOfflineTables, offlineConformanceTables } from './offline-tables.ts';

const dbFile = async () => path.join(await tempDir('duckdb-offline'), 'offline.duckdb');

/** The instance of the last store opened, shared with the harness so it can make tables by hand. */
let shared: DuckDBInstance | null = null;
const DUCKDB_RAW_TYPES: Record<RawType, string> = { STRING: 'VARCHAR', INT64: 'BIGINT', FLOAT64: 'DOUBLE', NUMERIC: 'DECIMAL(38,9)', BOOL: 'BOOLEAN', TIMESTAMP: 'TIMESTAMPTZ' };

function duckdbRawLiteral(cell: RawCell, type: RawType): string {
  const sqlType = DUCKDB_RAW_TYPES[type];
  if (cell === null) return `CAST(NULL AS ${sqlType})`;
  if (typeof cell === 'object') return `CAST('${cell.ts}' AS TIMESTAMPTZ)`;
  if (typeof cell === 'string') return `CAST('${cell.replaceAll("'", "''")}' AS ${sqlType})`;
  return `CAST(${String(cell)} AS ${sqlType})`;
}

offlineStoreConformance('DuckDB', {
  open: async (tables) => {
    const file = await dbFile();
    if (shared !== null) return openDuckDbOfflineStore({ path: file, tables });
    shared = await DuckDBInstance.create(file);
    return openDuckDbOfflineStore({ path: file, tables, instance: shared });
  },
  createRawTable: async (name, columns, rows) => {
    const connection = await (shared as DuckDBInstance).connect();
    try {
      await connection.run(`CREATE TABLE "${name}" (${columns.map((c) => `"${c.name}" ${DUCKDB_RAW_TYPES[c.type]}`).join(', ')})`);
      for (const row of rows) await connection.run(`INSERT INTO "${name}" VALUES (${row.map((cell, i) => duckdbRawLiteral(cell, (columns[i] as RawColumn).type)).join(', ')})`);
    } finally {
      connection.disconnectSync();
    }
  },
  openUnreachable: () => openDuckDbOfflineStore({ path: path.join(path.sep, 'no-such-folder-featurestore', 'offline.duckdb'), tables: [] }),
  specialFloats: true,
});

/** The generated BigQuery DDL's columns: name, type, NOT NULL. */
function bigQueryColumns(sql: string): { name: string; type: string; notNull: boolean }[] {
  return [...sql.matchAll(/^ {2}`([^`]+)` ([A-Z0-9<>]+)( NOT NULL)?/gm)].map((m) => ({ name: m[1]!, type: m[2]!, notNull: m[3] !== undefined }));
}

const DUCKDB_OF_BIGQUERY: Record<string, string> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  FLOAT64: 'DOUBLE',
  BOOL: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP WITH TIME ZONE',
  BYTES: 'BLOB',
};

function duckdbOf(bigqueryType: string): string {
  const list = /^ARRAY<(\w+)>$/.exec(bigqueryType);
  return list ? `${DUCKDB_OF_BIGQUERY[list[1]!]}[]` : (DUCKDB_OF_BIGQUERY[bigqueryType] ?? `unmapped ${bigqueryType}`);
}

describe('DuckDB offline store specifics', () => {
  it.each([GENERATED_DIR, GOLDEN_DIR])('creates every feature of %s with the columns, types and NOT NULLs of its BigQuery DDL', async (dir) => {
    const manifest = manifestSchema.parse(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
    const features = Object.values(manifest.features);
    const store = await openDuckDbOfflineStore({ path: await dbFile(), tables: features.map(offlineTableOf) });
    await store.close();
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(store.path);
    const connection = await instance.connect();
    try {
      for (const feature of features) {
        const [namespace, name] = feature.fullName.split('::') as [string, string];
        const file = path.join(dir, 'bigquery', namespace, `${name}.sql`);
        const expected = bigQueryColumns(await readFile(file, 'utf8')).map((c) => ({ name: c.name, type: duckdbOf(c.type), notNull: c.notNull }));
        expect(expected.length, file).toBe(feature.fields.length + 1);
        const result = await connection.runAndReadAll(
          `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
          [feature.tableName],
        );
        const actual = result.getRowObjectsJS().map((r) => ({ name: r['column_name'], type: r['data_type'], notNull: r['is_nullable'] === 'NO' }));
        expect(actual, feature.fullName).toEqual(expected);
      }
    } finally {
      connection.disconnectSync();
      instance.closeSync();
    }
  });

  it('the DDL quotes every identifier and keys rows by their identity', async () => {
    const t = await offlineConformanceTables();
    expect(duckdbCreateTable(t.allTypes)).toBe(
      [
        '-- Offline table of edge::reserved-words-v1 (Object feature): the DuckDB twin of its BigQuery DDL.',
        'CREATE TABLE IF NOT EXISTS "edge__reserved_words_v1" (',
        '  "select" VARCHAR NOT NULL,',
        '  "order" BIGINT NOT NULL,',
        '  "from" BIGINT,',
        '  "class" VARCHAR,',
        '  "def" BOOLEAN,',
        '  "default" DOUBLE,',
        '  "key" DOUBLE,',
        '  "delete" BIGINT[],',
        '  "blob" BLOB,',
        '  "when" TIMESTAMPTZ,',
        '  "maybe" VARCHAR,',
        '  "fs_updated_at" TIMESTAMPTZ NOT NULL,',
        '  PRIMARY KEY ("select", "order", "fs_updated_at")',
        ');',
      ].join('\n'),
    );
    expect(duckdbCreateTable(t.watchHistory)).toContain('PRIMARY KEY ("viewer_id", "watched_at")');
    expect(duckdbCreateTable({ ...t.watchHistory, tableName: 'we"ird' })).toContain('CREATE TABLE IF NOT EXISTS "we""ird" (');
  });

  it('reopening the file keeps the rows, and opening an existing table again is a no-op', async () => {
    const t = await offlineConformanceTables();
    const file = await dbFile();
    const first = await openDuckDbOfflineStore({ path: file, tables: allOfflineTables(t) });
    const row = { values: { user_id: 2n ** 62n, target_user_id: -1n, impressions_28d: 1, clicks_28d: null, likes_28d: null, last_interaction_at: null }, updatedAt: new Date(5) };
    await first.append(t.interaction, [row]);
    await first.close();
    const second = await openDuckDbOfflineStore({ path: file, tables: allOfflineTables(t) });
    const pages = [];
    for await (const page of second.read(t.interaction, { since: null })) pages.push(...page);
    expect(pages).toEqual([row]);
    expect(await second.append(t.interaction, [row])).toEqual({ appended: 0, duplicates: 1 });
    await second.close();
  });

  it('what only DuckDB can store: an Int beyond 32 bits in BIGINT, times beyond 9999 or infinite, NULL list elements — each named', async () => {
    const t = await offlineConformanceTables();
    const file = await dbFile();
    const instance = await DuckDBInstance.create(file);
    const store = await openDuckDbOfflineStore({ path: file, tables: [t.interaction, t.watchHistory], instance });
    const connection = await instance.connect();
    await connection.run(`INSERT INTO azar_lounge__user_interaction_v1 VALUES (1, 2, ${2n ** 60n}, NULL, NULL, NULL, TIMESTAMPTZ '2024-01-01 00:00:00+00')`);
    await connection.run(`INSERT INTO azar_lounge__user_interaction_v1 VALUES (1, 3, 1, NULL, NULL, TIMESTAMPTZ '10000-01-01 00:00:00+00', TIMESTAMPTZ '2024-01-01 00:00:01+00')`);
    await connection.run(`INSERT INTO azar_lounge__user_interaction_v1 VALUES (1, 4, 1, NULL, NULL, 'infinity'::TIMESTAMPTZ, TIMESTAMPTZ '2024-01-01 00:00:02+00')`);
    await connection.run(`INSERT INTO live__viewer_watch_history_v1 VALUES (1, TIMESTAMPTZ '2024-01-01 00:00:00+00', 1, 1, ['a', NULL], [], TIMESTAMPTZ '2024-01-01 00:00:00+00')`);
    connection.disconnectSync();
    const items = [];
    for await (const page of store.read(t.interaction, { since: null, unreadable: 'yield' })) items.push(...page);
    expect(items.map((i) => (isUnreadableRow(i) ? [i.column, i.reason] : null))).toEqual([
      ['impressions_28d', CELL_PROBLEMS.intRange(`integer ${2n ** 60n}`)],
      ['last_interaction_at', CELL_PROBLEMS.timeRange('+010000-01-01T00:00:00.000Z')],
      ['last_interaction_at', CELL_PROBLEMS.timeRange(`${2n ** 63n - 1n} µs since 1970`)],
    ]);
    const read = async () => {
      for await (const page of store.read(t.watchHistory, { since: null })) void page;
    };
    await expect(read()).rejects.toMatchObject({ code: OFFLINE_UNREADABLE_ROW, message: OFFLINE_ERRORS.unreadableRow(t.watchHistory.tableName, 'category_tags', CELL_PROBLEMS.nullElement) });
    await store.close();
    // The store shared the caller's instance and leaves it open.
    await expect(instance.connect().then((c) => c.disconnectSync())).resolves.toBeUndefined();
    instance.closeSync();
  });

  it('a file that is not a DuckDB database is OFFLINE_STORE_UNREACHABLE naming it', async () => {
    const dir = await tempDir('duckdb-not-a-db');
    const file = path.join(dir, 'offline.duckdb');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'not a database, just text'.repeat(200)));
    await expect(openDuckDbOfflineStore({ path: file, tables: [] })).rejects.toMatchObject({ code: OFFLINE_STORE_UNREACHABLE, message: expect.stringContaining(file) });
    expect((await readdir(dir)).length).toBeGreaterThan(0);
  });

  it('without @duckdb/node-api installed: a MissingDriverError naming the package and what needed it', async () => {
    const absent = Object.assign(new Error("Cannot find package '@duckdb/node-api' imported from /srv/app/x.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    const failure = openDuckDbOfflineStore({ path: ':memory:', tables: [], importDriver: () => Promise.reject(absent) });
    await expect(failure).rejects.toBeInstanceOf(MissingDriverError);
    await expect(failure).rejects.toThrow(DRIVER_ERRORS.missing('@duckdb/node-api', DUCKDB_OFFLINE_USE));
  });
});
