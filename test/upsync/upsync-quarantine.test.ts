/**
 * Rows upsync cannot write, from a table a user made with loose column types (`CREATE OR REPLACE TABLE
 * … AS SELECT` with VARCHAR and HUGEINT columns, as SQL in the wild does): wrong types, a null key, an
 * out-of-range Int, a Long beyond 64 bits, a malformed timestamp. Each is quarantined with its reason
 * and the row; the good rows are written; the run exits 0 and says how many; --max-quarantined fails it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { openOnlineStore } from '../../runtime/online/open-online-store.ts';
import type { QuarantineEntry } from '../../runtime/upsync/quarantine.ts';
import { runCli } from '../helpers/run-cli.ts';
import { catalogOf, onlineRecords } from './upsync-fixtures.ts';
import { OBJ, upsyncProject, type UpsyncProject } from './upsync-project.ts';

/** user_id, score, amount, name, ratio, seen_at as text/hugeint; tags a VARCHAR[]; fs_updated_at a TIMESTAMPTZ. */
const ROWS = [
  // good
  `(1::HUGEINT, '5', 7::HUGEINT, 'ok', '1.5', ['a'], '2026-01-01 00:00:00+00', TIMESTAMPTZ '2026-01-01 00:00:01+00')`,
  // wrong type: score is not a number
  `(2::HUGEINT, 'five', 7::HUGEINT, 'x', '1.5', [], NULL, TIMESTAMPTZ '2026-01-01 00:00:02+00')`,
  // null key
  `(NULL::HUGEINT, '5', 7::HUGEINT, 'x', '1.5', [], NULL, TIMESTAMPTZ '2026-01-01 00:00:03+00')`,
  // Int out of range
  `(4::HUGEINT, '4294967296', 7::HUGEINT, 'x', '1.5', [], NULL, TIMESTAMPTZ '2026-01-01 00:00:04+00')`,
  // Long beyond 64 bits
  `(5::HUGEINT, '5', 36893488147419103232::HUGEINT, 'x', '1.5', [], NULL, TIMESTAMPTZ '2026-01-01 00:00:05+00')`,
  // malformed timestamp
  `(6::HUGEINT, '5', 7::HUGEINT, 'x', '1.5', [], 'yesterday-ish', TIMESTAMPTZ '2026-01-01 00:00:06+00')`,
  // good
  `(7::HUGEINT, '-3', -9223372036854775808::HUGEINT, NULL, '2', [], NULL, TIMESTAMPTZ '2026-01-01 00:00:07+00')`,
];

async function looseTable(p: UpsyncProject, table: string): Promise<void> {
  const instance = await DuckDBInstance.create(p.duckdb);
  const connection = await instance.connect();
  await connection.run(
    `CREATE OR REPLACE TABLE "${table}" AS SELECT * FROM (VALUES ${ROWS.join(', ')}) AS t(user_id, score, amount, name, ratio, tags, seen_at, fs_updated_at)`,
  );
  connection.disconnectSync();
  instance.closeSync();
}

describe('upsync quarantine', () => {
  it('bad rows are quarantined with the reason and the row, good rows written, exit 0 with the count', async () => {
    const p = await upsyncProject('upsync-quarantine');
    const catalog = await catalogOf(p.generated);
    const feature = catalog.features.get(OBJ)!;
    await looseTable(p, feature.table.tableName);
    const r = await runCli(['upsync', '--config', p.config, '--feature', OBJ, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim()) as { ok: boolean; features: { rowsRead: number; written: number; quarantined: number; quarantine: string }[] };
    expect(summary.ok).toBe(true);
    expect(summary.features[0]).toMatchObject({ rowsRead: 7, written: 2, quarantined: 5 });
    const file = path.join(p.root, 'featurestore-quarantine', `${feature.table.tableName}.jsonl`);
    expect(path.resolve(summary.features[0]!.quarantine)).toBe(file);
    expect(r.stderr).toContain(`5 row(s) could not be written and were quarantined: see ${summary.features[0]!.quarantine}`);
    const entries = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as QuarantineEntry);
    expect(entries).toHaveLength(5);
    expect(entries.map((e) => e.column).sort()).toEqual(['amount', 'score', 'score', 'seen_at', 'user_id']);
    for (const e of entries) {
      expect(e.feature).toBe(OBJ);
      expect(e.runId).toMatch(/^upsync-/);
      expect(e.reason).not.toBe('');
      expect(e.updatedAt).toMatch(/^2026-01-01T00:00:0\dZ|^2026-01-01T00:00:0\d\.000Z/);
      expect(typeof e.row).toBe('object');
    }
    // The row is there, JSON-safe: the Long beyond 64 bits as decimal text.
    const long = entries.find((e) => e.column === 'amount')!;
    expect(JSON.stringify(long.row)).toContain('36893488147419103232');
    const nullKey = entries.find((e) => e.column === 'user_id')!;
    expect(nullKey.row['user_id']).toBeNull();

    const online = await openOnlineStore({ kind: 'sqlite', path: p.sqlite }, { keyspace: catalog.keyspace, tables: [feature.table] });
    const got = await onlineRecords(online, feature, [[1n], [2n], [4n], [5n], [6n], [7n]]);
    await online.close();
    expect(got.map((v) => v !== null)).toEqual([true, false, false, false, false, true]);

    // Appended, not truncated: a second run adds its own entries under its own run id.
    const again = await runCli(['upsync', '--config', p.config, '--feature', OBJ, '--full', '--json']);
    expect(again.code, again.stderr).toBe(0);
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as QuarantineEntry);
    expect(lines).toHaveLength(10);
    expect(new Set(lines.map((l) => l.runId)).size).toBe(2);
  });

  it('--max-quarantined N fails the run (exit 1) once more rows than N are quarantined; --quarantine FILE is used', async () => {
    const p = await upsyncProject('upsync-max-quarantined');
    const catalog = await catalogOf(p.generated);
    await looseTable(p, catalog.features.get(OBJ)!.table.tableName);
    const file = path.join(p.root, 'bad-rows.jsonl');
    const r = await runCli(['upsync', '--config', p.config, '--feature', OBJ, '--json', '--max-quarantined', '2', '--quarantine', file]);
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ok: boolean; error: string };
    expect(summary.ok).toBe(false);
    expect(summary.error).toContain('more than --max-quarantined 2');
    expect(r.stderr).toContain('featurestore: upsync failed:');
    expect((await readFile(file, 'utf8')).trim().split('\n').length).toBeGreaterThan(2);
    const ok = await runCli(['upsync', '--config', p.config, '--feature', OBJ, '--json', '--max-quarantined', '5', '--quarantine', file, '--full']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('--dry-run counts bad rows but writes no quarantine file', async () => {
    const p = await upsyncProject('upsync-dry-quarantine');
    const catalog = await catalogOf(p.generated);
    await looseTable(p, catalog.features.get(OBJ)!.table.tableName);
    const file = path.join(p.root, 'dry.jsonl');
    const r = await runCli(['upsync', '--config', p.config, '--feature', OBJ, '--json', '--dry-run', '--quarantine', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim()).features[0]).toMatchObject({ quarantined: 5, written: 0 });
    await expect(readFile(file, 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
