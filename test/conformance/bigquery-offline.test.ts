/**
 * The offline-store conformance suite on the BigQuery emulator (the services harness), in a dataset of
 * its own whose tables are the generated BigQuery DDL applied as `featurestore migrate` would.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitStatements } from '../../runtime/migrate/index.ts';
import { bigQueryOptions } from '../../runtime/connect/bigquery.ts';
import { BIGQUERY_OFFLINE_ERRORS, openBigQueryOfflineStore } from '../../runtime/offline/bigquery/bigquery-offline-store.ts';
import { bigqueryLiteral, floatLiteral, stringLiteral } from '../../runtime/offline/bigquery/bigquery-sql.ts';
import { BIGQUERY_CELLS, bigqueryKind } from '../../runtime/offline/bigquery/bigquery-cells.ts';
import { CELL_PROBLEMS } from '../../runtime/offline/offline-cells.ts';
import { OFFLINE_ERRORS, OFFLINE_TABLE_NOT_FOUND, OFFLINE_UNREADABLE_ROW } from '../../runtime/offline/offline-store.ts';
import { emulatorProject, testBigQueryClient, uniqueDataset } from '../helpers/bigquery.ts';
import { offlineStoreConformance, type RawCell } from './offline-store.conformance.ts';
import { OFFLINE_TABLE_SOURCES } from './offline-tables.ts';

const client = testBigQueryClient();
const dataset = uniqueDataset('offline');
const SOURCE_DATASETS: Record<string, { project: string; dataset: string }> = {
  generated: { project: 'hpcnt-recsys', dataset: 'feature_store' },
  'test/fixtures/golden/expected': { project: 'golden-project', dataset: 'golden_ds' },
};

/** Applies the generated DDL of each conformance table into the test dataset. */
async function createTables(): Promise<void> {
  await client.dataset(dataset).create();
  for (const { dir, feature } of Object.values(OFFLINE_TABLE_SOURCES)) {
    const [namespace, rest] = feature.split('::') as [string, string];
    const source = SOURCE_DATASETS[dir]!;
    const sql = (await readFile(path.join(dir, 'bigquery', namespace, `${rest}.sql`), 'utf8')).replaceAll(
      `\`${source.project}.${source.dataset}.`,
      `\`${emulatorProject()}.${dataset}.`,
    );
    for (const statement of splitStatements(sql, 'bigquery')) await client.query({ query: statement });
  }
}

beforeAll(createTables);

function rawLiteral(cell: RawCell, type: string): string {
  if (cell === null) return `CAST(NULL AS ${type})`;
  if (typeof cell === 'object') return `TIMESTAMP '${cell.ts}'`;
  if (typeof cell === 'string') return stringLiteral(cell);
  if (typeof cell === 'number') return `CAST(${floatLiteral(cell)} AS ${type})`;
  if (typeof cell === 'bigint') return `CAST(${type === 'NUMERIC' ? `'${cell}'` : String(cell)} AS ${type})`;
  return cell ? 'TRUE' : 'FALSE';
}
afterAll(() => client.dataset(dataset).delete({ force: true }).catch(() => {}));

offlineStoreConformance('BigQuery (emulator)', {
  open: async () => openBigQueryOfflineStore({ projectId: emulatorProject(), dataset, client }),
  // Nothing listens on port 1; no retries, so the failure is immediate rather than after the client's backoff.
  openUnreachable: async () =>
    openBigQueryOfflineStore({
      projectId: emulatorProject(),
      dataset,
      endpoint: 'http://127.0.0.1:1',
      client: new BigQuery({ ...bigQueryOptions(emulatorProject()), apiEndpoint: 'http://127.0.0.1:1', retryOptions: { autoRetry: false, maxRetries: 0 } }),
    }),
  specialFloats: false,
  // One CREATE and one INSERT of all rows: the emulator's budget is requests, not rows.
  createRawTable: async (name, columns, rows) => {
    const table = `\`${emulatorProject()}.${dataset}.${name}\``;
    await client.query({ query: `CREATE TABLE ${table} (${columns.map((c) => `${c.name} ${c.type}`).join(', ')})` });
    if (rows.length === 0) return;
    const tuples = rows.map((row) => `(${row.map((cell, i) => rawLiteral(cell, columns[i]!.type)).join(', ')})`);
    await client.query({ query: `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) VALUES ${tuples.join(', ')}` });
  },
});

describe('BigQuery offline store specifics', () => {
  it('a dataset that does not exist: ping says which and what to run', async () => {
    const store = await openBigQueryOfflineStore({ projectId: emulatorProject(), dataset: 'no_such_dataset_here', client });
    await expect(store.ping()).rejects.toMatchObject({ code: OFFLINE_TABLE_NOT_FOUND, message: BIGQUERY_OFFLINE_ERRORS.datasetNotFound(emulatorProject(), 'no_such_dataset_here') });
  });

  it('literals are exact and cannot be broken out of', () => {
    expect(stringLiteral("a'b\"c\\d\ne\u0000\u2028")).toBe("'a\\'b\\\"c\\\\d\\ne\\u0000\\u2028'");
    expect([1, -0, 0.1, 1e21, 5e-324, Number.NaN, Infinity, -Infinity].map(floatLiteral)).toEqual([
      '1.0', '-0.0', '0.1', '1e+21', '5e-324', 'IEEE_DIVIDE(0, 0)', 'IEEE_DIVIDE(1, 0)', 'IEEE_DIVIDE(-1, 0)',
    ]);
    expect(bigqueryLiteral({ kind: 'list', element: 'Long' }, [-(2n ** 63n), 2n ** 63n - 1n])).toBe('[-9223372036854775808, 9223372036854775807]');
    expect(bigqueryLiteral({ kind: 'scalar', scalar: 'Bytes' }, new Uint8Array([0, 255]))).toBe("FROM_BASE64('AP8=')");
    expect(bigqueryLiteral({ kind: 'scalar', scalar: 'Timestamp' }, new Date(-1))).toBe('TIMESTAMP_MILLIS(-1)');
    expect(bigqueryLiteral({ kind: 'scalar', scalar: 'Text' }, null)).toBe('NULL');
  });

  it('a NULL key in a hand-made table without NOT NULL is OFFLINE_UNREADABLE_ROW naming the column', async () => {
    const store = await openBigQueryOfflineStore({ projectId: emulatorProject(), dataset, client });
    const { offlineConformanceTables } = await import('./offline-tables.ts');
    const t = await offlineConformanceTables();
    const table = { ...t.interaction, tableName: `hand_made_${Date.now().toString(36)}` };
    const path = `\`${emulatorProject()}.${dataset}.${table.tableName}\``;
    await client.query({
      query: `CREATE TABLE ${path} (user_id INT64, target_user_id INT64, impressions_28d INT64, clicks_28d INT64, likes_28d INT64, last_interaction_at TIMESTAMP, fs_updated_at TIMESTAMP)`,
    });
    await client.query({ query: `INSERT INTO ${path} (user_id, target_user_id, fs_updated_at) VALUES (1, NULL, TIMESTAMP_MILLIS(0))` });
    const read = async () => {
      for await (const page of store.read(table, { since: null })) void page;
    };
    await expect(read()).rejects.toMatchObject({
      code: OFFLINE_UNREADABLE_ROW,
      message: OFFLINE_ERRORS.unreadableRow(table.tableName, 'target_user_id', CELL_PROBLEMS.nullKey),
    });
  });

  it('result cells read exactly: INT64 text, µs timestamps rounded toward the past, DATE/DATETIME as UTC, float words, base64', () => {
    const cell = (type: string, v: unknown, mode = 'NULLABLE') => {
      const kind = bigqueryKind({ type, mode });
      return kind.list ? BIGQUERY_CELLS.list(v) : BIGQUERY_CELLS.scalar(kind.scalar, kind.sqlType, v);
    };
    expect(cell('INTEGER', '-9223372036854775808')).toBe(-(2n ** 63n));
    expect(cell('TIMESTAMP', '-1')).toBe(-1n);
    expect(cell('DATE', '2024-01-02')).toBe(BigInt(Date.UTC(2024, 0, 2)) * 1000n);
    expect(cell('DATETIME', '2024-01-02T03:04:05.123456')).toBe(BigInt(Date.UTC(2024, 0, 2, 3, 4, 5, 123)) * 1000n + 456n);
    expect(['+Inf', 'Infinity', '-Inf', '-Infinity', '1.5e-7'].map((v) => cell('FLOAT', v))).toEqual([Infinity, Infinity, -Infinity, -Infinity, 1.5e-7]);
    expect(Number.isNaN(cell('FLOAT64', 'NaN'))).toBe(true);
    expect(cell('BYTES', 'AP8=')).toEqual(new Uint8Array([0, 255]));
    expect(cell('STRING', [{ v: 'a' }, { v: null }], 'REPEATED')).toEqual(['a', null]);
    expect(cell('STRING', null, 'REPEATED')).toBeNull();
    expect(bigqueryKind({ type: 'GEOGRAPHY' })).toEqual({ list: false, scalar: 'other', sqlType: 'GEOGRAPHY' });
    expect(() => cell('BOOLEAN', 'yes')).toThrow('the API gave "yes" for a BOOLEAN column');
  });

  it('a hostile Text value is stored as text, not run', async () => {
    const store = await openBigQueryOfflineStore({ projectId: emulatorProject(), dataset, client });
    const { offlineConformanceTables } = await import('./offline-tables.ts');
    const t = await offlineConformanceTables();
    const hostile = "x'), ('y', 1, NULL, NULL, NULL, NULL, NULL, [], NULL, NULL, NULL, TIMESTAMP_MILLIS(0))]) AS r; DROP TABLE t; --";
    const updatedAt = new Date(Date.UTC(2030, 0, 1));
    const row = { values: { select: hostile, order: 1n, from: null, class: '`', def: null, default: null, key: null, delete: [], blob: null, when: null, maybe: '\\' }, updatedAt };
    expect(await store.append(t.allTypes, [row])).toEqual({ appended: 1, duplicates: 0 });
    const back = [];
    for await (const page of store.read(t.allTypes, { since: updatedAt, until: new Date(updatedAt.getTime() + 1) })) back.push(...page);
    expect(back).toEqual([row]);
  });
});
