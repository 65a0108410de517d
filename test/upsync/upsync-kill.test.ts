/**
 * kill -9 mid-run, then a rerun: the online state converges to the offline table (row count and a
 * per-key checksum), whatever page the first run died in. The CLI runs as a child process from source.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { openOfflineStore } from '../../runtime/offline/open-offline-store.ts';
import { openOnlineStore } from '../../runtime/online/open-online-store.ts';
import { SqliteWatermarkStore } from '../../runtime/upsync/sqlite-watermarks.ts';
import { runCli } from '../helpers/run-cli.ts';
import { appendAll, catalogOf, checksum, expectedRecord, objRow, offlineTables, onlineRecords, T0 } from './upsync-fixtures.ts';
import { OBJ, upsyncProject } from './upsync-project.ts';

const N = 3000;

describe('upsync after kill -9', () => {
  it('a rerun converges to the offline rows', async () => {
    const p = await upsyncProject('upsync-kill');
    const rows = Array.from({ length: N }, (_, i) => objRow(i + 1, T0 + (i + 1) * 1000));
    const tables = await offlineTables(p.generated);
    const offline = await openOfflineStore({ kind: 'duckdb', path: p.duckdb, tables: [...tables.values()] });
    await appendAll(offline, tables.get(OBJ)!, rows);
    await offline.close();

    // Slow enough (1,000 rows/s) to be killed in the middle.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/upsync/cli-child.ts', 'upsync', '--config', p.config, '--feature', OBJ, '--page-size', '50', '--max-rows-per-sec', '1000', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    // Kill it once it has saved a watermark: some pages are written, most are not.
    const deadline = Date.now() + 60_000;
    let saved: Date | null = null;
    while (saved === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        const marks = await SqliteWatermarkStore.open(p.sqlite);
        saved = (await marks.get(OBJ, '0/1'))?.at ?? null;
        await marks.close();
      } catch {
        // the file or table is not there yet
      }
    }
    expect(saved, stderr).not.toBeNull();
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(saved!.getTime()).toBeLessThan(T0 + N * 1000);

    const catalog = await catalogOf(p.generated);
    const feature = catalog.features.get(OBJ)!;
    const keys = rows.map((r) => [r.values['user_id'] as bigint] as const);
    const state = async () => {
      const online = await openOnlineStore({ kind: 'sqlite', path: p.sqlite }, { keyspace: catalog.keyspace, tables: [feature.table] });
      const got = await onlineRecords(online, feature, keys);
      await online.close();
      return got;
    };
    const partial = await state();
    const written = partial.filter((v) => v !== null).length;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(N);

    const rerun = await runCli(['upsync', '--config', p.config, '--feature', OBJ, '--overlap', '1s', '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
    const summary = JSON.parse(rerun.stdout.trim()) as { features: { rowsRead: number; watermarkBefore: string }[] };
    // The rerun started from the saved watermark (minus the overlap), not from the beginning.
    expect(summary.features[0]!.watermarkBefore).toBe(saved!.toISOString());
    expect(summary.features[0]!.rowsRead).toBeLessThan(N);

    const after = await state();
    expect(after.filter((v) => v !== null)).toHaveLength(N);
    const expected = rows.map((r) => expectedRecord(feature, r));
    expect(checksum(after.map((v, i) => [String(i + 1), v]))).toBe(checksum(expected.map((v, i) => [String(i + 1), v])));
  });

  it('SIGTERM: reading stops, pages in flight finish, the watermark is saved, the summary printed, exit 1', async () => {
    const p = await upsyncProject('upsync-sigterm');
    const rows = Array.from({ length: 2000 }, (_, i) => objRow(i + 1, T0 + (i + 1) * 1000));
    const tables = await offlineTables(p.generated);
    const offline = await openOfflineStore({ kind: 'duckdb', path: p.duckdb, tables: [...tables.values()] });
    await appendAll(offline, tables.get(OBJ)!, rows);
    await offline.close();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/upsync/cli-child.ts', 'upsync', '--config', p.config, '--feature', OBJ, '--page-size', '50', '--max-rows-per-sec', '500', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    let saved = false;
    while (!saved && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        const marks = await SqliteWatermarkStore.open(p.sqlite);
        saved = (await marks.get(OBJ, '0/1')) !== null;
        await marks.close();
      } catch {
        // not there yet
      }
    }
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(1);
    const summary = JSON.parse(stdout.trim().split('\n').pop()!) as { ok: boolean; interrupted: boolean; features: { rowsRead: number; written: number; watermarkAfter: string }[] };
    expect(summary).toMatchObject({ ok: false, interrupted: true });
    const f = summary.features[0]!;
    expect(f.rowsRead).toBeLessThan(2000);
    expect(f.written).toBe(f.rowsRead);
    // The saved watermark is the newest row of what was written: every row up to it is online.
    const marks = await SqliteWatermarkStore.open(p.sqlite);
    expect((await marks.get(OBJ, '0/1'))?.at.toISOString()).toBe(f.watermarkAfter);
    await marks.close();
    expect(Date.parse(f.watermarkAfter)).toBe(T0 + f.written * 1000);
    expect(stderr).toContain('upsync interrupted');
  });
});
