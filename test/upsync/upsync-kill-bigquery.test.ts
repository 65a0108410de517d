/**
 * kill -9 mid-run, then a rerun, on the servers: BigQuery emulator → Cassandra. The first run (the CLI
 * from source in a child process, throttled so it is surely mid-way) is killed once it has saved a
 * watermark in Cassandra; the rerun (incremental, from that watermark minus the overlap) must leave
 * the online store equal to the offline table: the row count and a per-key checksum of the decoded
 * values. Few rows (the emulator is slow and its heap only grows); the file takes about 20-40 s.
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cassandraSettingsFromEnv } from '../../runtime/connect/cassandra.ts';
import { openOfflineStore } from '../../runtime/offline/open-offline-store.ts';
import { openOnlineStore } from '../../runtime/online/open-online-store.ts';
import { CassandraWatermarkStore } from '../../runtime/upsync/cassandra-watermarks.ts';
import { emulatorProject, testBigQueryClient, uniqueDataset } from '../helpers/bigquery.ts';
import { testCassandraClient, uniqueKeyspace } from '../helpers/cassandra.ts';
import { runCli } from '../helpers/run-cli.ts';
import { catalogOf, checksum, expectedRecord, objRow, offlineTables, onlineRecords, T0 } from './upsync-fixtures.ts';
import { OBJ, upsyncProject, type UpsyncProject } from './upsync-project.ts';

const keyspace = uniqueKeyspace('upsync_kill');
const dataset = uniqueDataset('upsync_kill');
const N = 240;
const BASE = randomInt(1_000_000, 2 ** 40);

let p: UpsyncProject;

beforeAll(async () => {
  p = await upsyncProject('upsync-kill-bq', { keyspace, dataset, bigqueryProject: emulatorProject() });
  for (const target of ['cassandra', 'bigquery']) {
    const r = await runCli(['migrate', '--target', target, '--generated', p.generated, '--json']);
    expect(r.code, r.stderr).toBe(0);
  }
}, 180_000);

afterAll(async () => {
  const client = testCassandraClient();
  await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
  await client.shutdown();
  await testBigQueryClient().dataset(dataset).delete({ force: true }).catch(() => {});
});

describe('upsync BigQuery emulator → Cassandra after kill -9', () => {
  it('a rerun converges to the offline rows (count and per-key checksum)', async () => {
    const rows = Array.from({ length: N }, (_, i) => objRow(BASE + i, T0 + (i + 1) * 1000));
    const tables = await offlineTables(p.generated);
    const offline = await openOfflineStore({ kind: 'bigquery', projectId: emulatorProject(), dataset });
    await offline.append(tables.get(OBJ)!, rows);
    await offline.close();

    const started = performance.now();
    // 20-row pages at 40 rows/s: about 6 s for the whole table, so a kill after the first save is mid-run.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/upsync/cli-child.ts', 'upsync', '--config', p.config, '--store', 'cassandra', '--offline', 'bigquery', '--feature', OBJ,
        '--page-size', '20', '--max-rows-per-sec', '40', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    const marks = await CassandraWatermarkStore.open({ keyspace, settings: cassandraSettingsFromEnv() });
    let saved: Date | null = null;
    try {
      const deadline = Date.now() + 60_000;
      while (saved === null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        saved = (await marks.get(OBJ, '0/1').catch(() => null))?.at ?? null;
      }
    } finally {
      await marks.close();
    }
    expect(saved, stderr).not.toBeNull();
    child.kill('SIGKILL');
    expect(await exited, stderr).toBe('SIGKILL');
    expect(saved!.getTime()).toBeLessThan(T0 + N * 1000);

    const catalog = await catalogOf(p.generated);
    const feature = catalog.features.get(OBJ)!;
    const keys = rows.map((r) => [r.values['user_id'] as bigint] as const);
    const online = await openOnlineStore({ kind: 'cassandra', keyspace }, { keyspace, tables: [feature.table] });
    try {
      const partial = await onlineRecords(online, feature, keys);
      const written = partial.filter((v) => v !== null).length;
      expect(written).toBeGreaterThan(0);
      expect(written).toBeLessThan(N);

      const rerun = await runCli(['upsync', '--config', p.config, '--store', 'cassandra', '--offline', 'bigquery', '--feature', OBJ, '--overlap', '1s', '--page-size', '100', '--json']);
      expect(rerun.code, rerun.stderr).toBe(0);
      const summary = JSON.parse(rerun.stdout.trim().split('\n').pop()!) as { features: { rowsRead: number; written: number; watermarkBefore: string; watermarkAfter: string }[] };
      const f = summary.features[0]!;
      // Incremental from the saved watermark (minus the overlap), not from the beginning.
      expect(f.watermarkBefore).toBe(saved!.toISOString());
      expect(f.rowsRead).toBeLessThan(N);
      expect(f.watermarkAfter).toBe(new Date(T0 + N * 1000).toISOString());

      const after = await onlineRecords(online, feature, keys);
      expect(after.filter((v) => v !== null)).toHaveLength(N);
      const expected = rows.map((r) => expectedRecord(feature, r));
      expect(checksum(after.map((v, i) => [String(keys[i]![0]), v]))).toBe(checksum(expected.map((v, i) => [String(keys[i]![0]), v])));
    } finally {
      await online.close();
    }
    process.stderr.write(`upsync-kill-bigquery: kill + rerun took ${Math.round(performance.now() - started)} ms\n`);
  }, 120_000);
});
