/**
 * `featurestore upsync` against the servers: the BigQuery emulator → Cassandra, with the Redis cache.
 * Row counts stay small (the emulator's heap only grows). The project is migrated for real
 * (`featurestore migrate` on both targets), tables filled through the offline store's append, and one
 * table made by hand with loose STRING columns, as a user's CREATE OR REPLACE TABLE … AS SELECT would.
 */
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnlineRuntime } from '../../runtime/read/create-online-runtime.ts';
import { openOfflineStore } from '../../runtime/offline/open-offline-store.ts';
import type { OfflineRow, OfflineStore, OfflineTable } from '../../runtime/offline/offline-store.ts';
import { openOnlineStore } from '../../runtime/online/open-online-store.ts';
import type { OnlineStore } from '../../runtime/online/online-store.ts';
import { CassandraWatermarkStore } from '../../runtime/upsync/cassandra-watermarks.ts';
import type { QuarantineEntry } from '../../runtime/upsync/quarantine.ts';
import { cassandraSettingsFromEnv } from '../../runtime/connect/cassandra.ts';
import { emulatorProject, testBigQueryClient, uniqueDataset } from '../helpers/bigquery.ts';
import { testCassandraClient, uniqueKeyspace } from '../helpers/cassandra.ts';
import { runCli } from '../helpers/run-cli.ts';
import { catalogOf, eventRow, expectedRecord, objRow, offlineTables, onlineRecords, T0 } from './upsync-fixtures.ts';
import { EVENTS, FULL_ONLY, OBJ, upsyncProject, type UpsyncProject } from './upsync-project.ts';
import { watermarkStoreSuite } from './watermark-store.suite.ts';

const keyspace = uniqueKeyspace('upsync');
const dataset = uniqueDataset('upsync');
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
// Keys of this run only: the cache has no per-test prefix on the CLI's side.
const BASE = randomInt(1_000_000, 2 ** 40);

let p: UpsyncProject;
let tables: Map<string, OfflineTable>;
let offline: OfflineStore;
let online: OnlineStore;
let catalog: Awaited<ReturnType<typeof catalogOf>>;

beforeAll(async () => {
  p = await upsyncProject('upsync-services', { keyspace, dataset, bigqueryProject: emulatorProject() });
  for (const target of ['cassandra', 'bigquery']) {
    const r = await runCli(['migrate', '--target', target, '--generated', p.generated, '--json']);
    expect(r.code, r.stderr).toBe(0);
  }
  tables = await offlineTables(p.generated);
  offline = await openOfflineStore({ kind: 'bigquery', projectId: emulatorProject(), dataset });
  catalog = await catalogOf(p.generated);
  online = await openOnlineStore({ kind: 'cassandra', keyspace }, { keyspace, tables: [...catalog.features.values()].map((f) => f.table) });
}, 180_000);

afterAll(async () => {
  await offline?.close();
  await online?.close();
  const client = testCassandraClient();
  await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
  await client.shutdown();
  await testBigQueryClient().dataset(dataset).delete({ force: true }).catch(() => {});
});

async function upsync(...args: string[]) {
  const r = await runCli(['upsync', '--config', p.config, '--store', 'cassandra', '--offline', 'bigquery', '--redis', redisUrl, '--json', ...args]);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let summary: {
    ok: boolean;
    features: { rowsRead: number; written: number; quarantined: number; skippedAsOlder: number | null; watermarkBefore: string | null; watermarkAfter: string | null; quarantine: string | null }[];
  } = { ok: false, features: [] };
  try {
    summary = JSON.parse(last) as typeof summary;
  } catch {
    // asserted by the caller
  }
  return { ...r, summary };
}

const id = (n: number) => BASE + n;

describe('upsync BigQuery emulator → Cassandra (+ Redis)', () => {
  it('full, then incremental: rows updated after the watermark arrive, older ones are not re-read', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => objRow(id(i), T0 + i * 60_000));
    await offline.append(tables.get(OBJ)!, rows);
    const first = await upsync('--feature', OBJ, '--page-size', '10');
    expect(first.code, first.stderr).toBe(0);
    expect(first.summary.features[0]).toMatchObject({ rowsRead: 30, written: 30, quarantined: 0, skippedAsOlder: null, watermarkBefore: null });
    const watermark = Date.parse(first.summary.features[0]!.watermarkAfter!);
    expect(watermark).toBe(T0 + 29 * 60_000);

    const updated = [objRow(id(0), watermark + 1000, 501), objRow(id(1), watermark + 2000, 502)];
    const late = objRow(id(100), watermark - 2 * 60_000, 503);
    await offline.append(tables.get(OBJ)!, [...updated, late]);
    const second = await upsync('--feature', OBJ, '--overlap', '5m');
    expect(second.code, second.stderr).toBe(0);
    // The 5 minutes before the watermark, inclusive (rows 24..29: 6 rows), the late row, the 2 updates.
    expect(second.summary.features[0]).toMatchObject({ rowsRead: 6 + 1 + 2, written: 9 });
    const f = catalog.features.get(OBJ)!;
    expect(await onlineRecords(online, f, [[BigInt(id(0))], [BigInt(id(1))], [BigInt(id(100))], [BigInt(id(5))]])).toEqual([
      expectedRecord(f, updated[0]!),
      expectedRecord(f, updated[1]!),
      expectedRecord(f, late),
      expectedRecord(f, rows[5]!),
    ]);
    // The watermark is in the keyspace, per feature and shard.
    const marks = await CassandraWatermarkStore.open({ keyspace, settings: cassandraSettingsFromEnv() });
    expect((await marks.get(OBJ, '0/1'))?.at.getTime()).toBe(watermark + 2000);
    await marks.close();
  });

  it('an upsync of an older value never overwrites a newer online value (USING TIMESTAMP)', async () => {
    const f = catalog.features.get(FULL_ONLY)!;
    const key = BigInt(id(200));
    await offline.append(tables.get(FULL_ONLY)!, [{ values: { user_id: key, score: 1 }, updatedAt: new Date(T0 + 1000) }]);
    await online.putMany(f.table, [{ key: [key], value: { value: f.serde.encode({ score: 99 }), schemaId: f.serde.readerId, updatedAt: new Date(T0 + 60_000) } }]);
    const r = await upsync('--feature', FULL_ONLY, '--consumer', 'upsync-worker');
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary.features[0]).toMatchObject({ written: 1, skippedAsOlder: null });
    const [value] = await online.getMany(f.table, [[key]]);
    expect(f.serde.decode(value!)).toEqual(expect.objectContaining({ score: 99 }));
  });

  it('History: the same events upsynced twice are stored once', async () => {
    const user = BigInt(id(300));
    const events: OfflineRow[] = [eventRow(id(300), T0 + 1000, 1n, T0 + 10_000), eventRow(id(300), T0 + 2000, 2n, T0 + 10_000)];
    await offline.append(tables.get(EVENTS)!, events);
    for (let i = 0; i < 2; i++) {
      const r = await upsync('--feature', EVENTS, '--full');
      expect(r.code, r.stderr).toBe(0);
      expect(r.summary.features[0]!.written).toBe(2);
    }
    const f = catalog.features.get(EVENTS)!;
    const got = await online.latest(f.table, [user], 10);
    expect(got.map((e) => e.eventTime.getTime())).toEqual([T0 + 2000, T0 + 1000]);
  });

  it('cache coherence: a value cached before the run is not served after it', async () => {
    const key = BigInt(id(400));
    await offline.append(tables.get(OBJ)!, [objRow(id(400), T0 + 100_000_000, 1)]);
    expect((await upsync('--feature', OBJ, '--full', '--since', new Date(T0 + 100_000_000).toISOString())).code).toBe(0);
    const runtime = await createOnlineRuntime({ generatedDir: p.generated, store: { kind: 'cassandra', keyspace }, cache: { redisUrl } });
    try {
      const before = await runtime.getMany('reader', OBJ, [{ user_id: key }]);
      expect(before[0]).toMatchObject({ score: 1 });
      // A newer value offline; upsync with the cache.
      await offline.append(tables.get(OBJ)!, [objRow(id(400), T0 + 100_060_000, 2)]);
      const r = await upsync('--feature', OBJ, '--full', '--since', new Date(T0 + 100_000_000).toISOString());
      expect(r.code, r.stderr).toBe(0);
      const after = await runtime.getMany('reader', OBJ, [{ user_id: key }]);
      expect(after[0]).toMatchObject({ score: 2 });
    } finally {
      await runtime.close();
    }
  });

  it('two shards together write what one full run reads, with no overlap', async () => {
    const from = T0 + 200_000_000;
    const rows = Array.from({ length: 40 }, (_, i) => objRow(id(500 + i), from + i));
    await offline.append(tables.get(OBJ)!, rows);
    const window = ['--since', new Date(from).toISOString(), '--until', new Date(from + 40).toISOString()];
    const a = await upsync('--feature', OBJ, '--shard', '0/2', ...window);
    const b = await upsync('--feature', OBJ, '--shard', '1/2', ...window);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(a.summary.features[0]!.rowsRead + b.summary.features[0]!.rowsRead).toBe(40);
    expect(a.summary.features[0]!.rowsRead).toBeGreaterThan(0);
    expect(b.summary.features[0]!.rowsRead).toBeGreaterThan(0);
    const f = catalog.features.get(OBJ)!;
    expect(await onlineRecords(online, f, rows.map((r) => [r.values['user_id'] as bigint]))).toEqual(rows.map((r) => expectedRecord(f, r)));
  });

  it('quarantines the bad rows of a hand-made table with loose STRING columns', async () => {
    const client = testBigQueryClient();
    const table = catalog.features.get(FULL_ONLY)!.table.tableName;
    const k = (n: number) => `'${id(600 + n)}'`;
    // The emulator has no CREATE OR REPLACE over an existing table: drop it, then CREATE TABLE … AS SELECT.
    await client.dataset(dataset).table(table).delete();
    await client.query({
      query:
        `CREATE TABLE \`${emulatorProject()}.${dataset}.${table}\` AS SELECT * FROM UNNEST([` +
        `STRUCT(${k(0)} AS user_id, '7' AS score, TIMESTAMP '2026-01-01 00:00:01+00' AS fs_updated_at), ` +
        `STRUCT(${k(1)}, 'seven', TIMESTAMP '2026-01-01 00:00:02+00'), ` +
        `STRUCT(CAST(NULL AS STRING), '7', TIMESTAMP '2026-01-01 00:00:03+00'), ` +
        `STRUCT(${k(3)}, '99999999999', TIMESTAMP '2026-01-01 00:00:04+00'), ` +
        `STRUCT('123456789012345678901234567890', '7', TIMESTAMP '2026-01-01 00:00:05+00')])`,
    });
    const file = path.join(p.root, 'bq-quarantine.jsonl');
    const r = await upsync('--feature', FULL_ONLY, '--consumer', 'upsync-worker', '--quarantine', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary.features[0]).toMatchObject({ rowsRead: 5, written: 1, quarantined: 4 });
    const entries = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as QuarantineEntry);
    expect(entries.map((e) => e.column).sort()).toEqual(['score', 'score', 'user_id', 'user_id']);
    expect(r.stderr).toContain('4 row(s) could not be written and were quarantined');
  });
});

describe('upsync: unreachable stores are one line, exit 1', () => {
  const withEnv = async <T>(name: string, value: string, work: () => Promise<T>): Promise<T> => {
    const old = process.env[name];
    process.env[name] = value;
    try {
      return await work();
    } finally {
      if (old === undefined) delete process.env[name];
      else process.env[name] = old;
    }
  };

  it('Cassandra', async () => {
    const r = await withEnv('CASSANDRA_CONTACT_POINTS', '127.0.0.1:1', () => upsync('--feature', OBJ));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^featurestore: cannot open the online store \(--store cassandra keyspace upsync_/);
  });

  it('BigQuery', async () => {
    const r = await withEnv('BIGQUERY_API_ENDPOINT', 'http://127.0.0.1:1', () => upsync('--feature', OBJ));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^featurestore: cannot open the offline store \(--offline bigquery \(project .*, dataset upsync_/);
  });

  it('Redis', async () => {
    const r = await runCli(['upsync', '--config', p.config, '--store', 'cassandra', '--offline', 'bigquery', '--redis', 'redis://127.0.0.1:1', '--feature', OBJ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^featurestore: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(--redis\) within 1000 ms/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

watermarkStoreSuite('Cassandra', () => CassandraWatermarkStore.open({ keyspace, settings: cassandraSettingsFromEnv() }));
