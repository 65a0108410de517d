/**
 * The offline-store conformance suite on the embedded DuckDB store (a fresh file per store), plus what
 * only DuckDB has: tables it creates itself, with DDL equivalent to the BigQuery DDL codegen emits.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DRIVER_ERRORS, MissingDriverError } from '../../runtime/connect/optional-drivers.ts';
import { manifestSchema } from '../../core/manifest/manifest-schema.ts';
import { duckdbCreateTable } from '../../runtime/offline/duckdb/duckdb-ddl.ts';
import { DUCKDB_OFFLINE_USE, openDuckDbOfflineStore } from '../../runtime/offline/duckdb/duckdb-offline-store.ts';
import { DUCKDB_VALUE_PROBLEMS } from '../../runtime/offline/duckdb/duckdb-values.ts';
import { OFFLINE_ERRORS, OFFLINE_STORE_UNREACHABLE, OFFLINE_UNREADABLE_ROW } from '../../runtime/offline/offline-store.ts';
import { offlineTableOf } from '../../runtime/offline/offline-table.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { GENERATED_DIR, GOLDEN_DIR } from './conformance-tables.ts';
import { offlineStoreConformance } from './offline-store.conformance.ts';
import { allOfflineTables, offlineConformanceTables } from './offline-tables.ts';

const dbFile = async () => path.join(await tempDir('duckdb-offline'), 'offline.duckdb');

offlineStoreConformance('DuckDB', {
  open: async (tables) => openDuckDbOfflineStore({ path: await dbFile(), tables }),
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

  it('a stored value the feature type cannot hold (an Int beyond 2^53, written by hand) is OFFLINE_UNREADABLE_ROW naming the column', async () => {
    const t = await offlineConformanceTables();
    const store = await openDuckDbOfflineStore({ path: await dbFile(), tables: [t.interaction] });
    await store.close();
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(store.path);
    const connection = await instance.connect();
    await connection.run(`INSERT INTO azar_lounge__user_interaction_v1 VALUES (1, 2, ${2n ** 60n}, NULL, NULL, NULL, TIMESTAMPTZ '2024-01-01 00:00:00+00')`);
    connection.disconnectSync();
    instance.closeSync();
    const reopened = await openDuckDbOfflineStore({ path: store.path, tables: [t.interaction] });
    const read = async () => {
      for await (const page of reopened.read(t.interaction, { since: null })) void page;
    };
    await expect(read()).rejects.toMatchObject({
      code: OFFLINE_UNREADABLE_ROW,
      message: OFFLINE_ERRORS.unreadableRow(t.interaction.tableName, 'impressions_28d', DUCKDB_VALUE_PROBLEMS.unsafeInt(2n ** 60n)),
    });
    await reopened.close();
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
