/**
 * `featurestore upsync` on the embedded stores (DuckDB → SQLite), no server: the CLI in process,
 * the stores opened again afterwards to check what it did.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openOfflineStore } from '../../runtime/offline/open-offline-store.ts';
import type { OfflineRow, OfflineStore } from '../../runtime/offline/offline-store.ts';
import { openOnlineStore } from '../../runtime/online/open-online-store.ts';
import type { OnlineStore } from '../../runtime/online/online-store.ts';
import { SqliteWatermarkStore } from '../../runtime/upsync/sqlite-watermarks.ts';
import { UPSYNC_ERRORS } from '../../runtime/upsync/upsync-errors.ts';
import { runCli } from '../helpers/run-cli.ts';
import { appendAll, catalogOf, eventRow, expectedRecord, objRow, offlineTables, onlineRecords, T0 } from './upsync-fixtures.ts';
import { EVENTS, FULL_ONLY, NO_UPSYNC, OBJ, upsyncProject, type UpsyncProject } from './upsync-project.ts';

interface Summary {
  ok: boolean;
  interrupted: boolean;
  features: {
    feature: string;
    shard: string;
    mode: string;
    rowsRead: number;
    written: number;
    quarantined: number;
    skippedAsOlder: number | null;
    watermarkBefore: string | null;
    watermarkAfter: string | null;
  }[];
  totals: { rowsRead: number; written: number; quarantined: number };
}

async function withOffline<T>(p: UpsyncProject, work: (store: OfflineStore, tables: Awaited<ReturnType<typeof offlineTables>>) => Promise<T>): Promise<T> {
  const tables = await offlineTables(p.generated);
  const store = await openOfflineStore({ kind: 'duckdb', path: p.duckdb, tables: [...tables.values()] });
  try {
    return await work(store, tables);
  } finally {
    await store.close();
  }
}

async function withOnline<T>(p: UpsyncProject, work: (store: OnlineStore, catalog: Awaited<ReturnType<typeof catalogOf>>) => Promise<T>): Promise<T> {
  const catalog = await catalogOf(p.generated);
  const store = await openOnlineStore({ kind: 'sqlite', path: p.sqlite }, { keyspace: catalog.keyspace, tables: [...catalog.features.values()].map((f) => f.table) });
  try {
    return await work(store, catalog);
  } finally {
    await store.close();
  }
}

async function fill(p: UpsyncProject, feature: string, rows: readonly OfflineRow[]): Promise<void> {
  await withOffline(p, (store, tables) => appendAll(store, tables.get(feature)!, rows));
}

async function upsync(p: UpsyncProject, ...args: string[]): Promise<{ code: number; summary: Summary; stderr: string; stdout: string }> {
  const r = await runCli(['upsync', '--config', p.config, '--json', ...args]);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let summary = {} as Summary;
  try {
    summary = JSON.parse(last) as Summary;
  } catch {
    // not JSON: the caller asserts on code/stderr
  }
  return { code: r.code, summary, stderr: r.stderr, stdout: r.stdout };
}

const ids = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);

describe('upsync DuckDB → SQLite', () => {
  it('a full run writes every row, with the JSON summary and the watermark at the newest row', async () => {
    const p = await upsyncProject('upsync-full');
    const rows = ids(250).map((id) => objRow(id, T0 + id * 1000));
    await fill(p, OBJ, rows);
    const r = await upsync(p, '--features', OBJ, '--full', '--page-size', '40');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.summary.ok).toBe(true);
    const f = r.summary.features[0]!;
    expect(f).toMatchObject({ feature: OBJ, shard: '0/1', mode: 'full', rowsRead: 250, written: 250, quarantined: 0, skippedAsOlder: 0, watermarkBefore: null });
    expect(f.watermarkAfter).toBe(new Date(T0 + 250_000).toISOString());
    await withOnline(p, async (store, catalog) => {
      const feature = catalog.features.get(OBJ)!;
      const got = await onlineRecords(store, feature, rows.map((row) => [row.values['user_id'] as bigint]));
      expect(got).toEqual(rows.map((row) => expectedRecord(feature, row)));
    });
    const marks = await SqliteWatermarkStore.open(p.sqlite);
    expect((await marks.get(OBJ, '0/1'))?.at.toISOString()).toBe(f.watermarkAfter);
    await marks.close();
  });

  it('--no-read-worker reads and encodes on the main thread, with the same result', async () => {
    const p = await upsyncProject('upsync-inline');
    const rows = ids(120).map((id) => objRow(id, T0 + id * 1000));
    await fill(p, OBJ, [...rows, eventRow(1, T0, 1n, T0)].slice(0, 120));
    await fill(p, EVENTS, [eventRow(1, T0 + 1, 5n, T0 + 2), eventRow(1, T0 + 2, 6n, T0 + 3)]);
    const r = await upsync(p, '--features', `${OBJ},${EVENTS}`, '--full', '--page-size', '25', '--no-read-worker');
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary.features.map((f) => [f.feature, f.rowsRead, f.written])).toEqual([
      [OBJ, 120, 120],
      [EVENTS, 2, 2],
    ]);
    await withOnline(p, async (store, catalog) => {
      const feature = catalog.features.get(OBJ)!;
      expect(await onlineRecords(store, feature, rows.map((row) => [row.values['user_id'] as bigint]))).toEqual(rows.map((row) => expectedRecord(feature, row)));
      expect(await store.latest(catalog.features.get(EVENTS)!.table, [1n], 5)).toHaveLength(2);
    });
  });

  it('incremental: only rows updated since the watermark minus the overlap are read; late rows within the overlap arrive', async () => {
    const p = await upsyncProject('upsync-incr');
    await fill(p, OBJ, ids(100).map((id) => objRow(id, T0 + id * 60_000)));
    const first = await upsync(p, '--feature', OBJ, '--overlap', '10m');
    expect(first.code, first.stderr).toBe(0);
    expect(first.summary.features[0]).toMatchObject({ mode: 'incremental', rowsRead: 100, written: 100 });
    const watermark = Date.parse(first.summary.features[0]!.watermarkAfter!);
    expect(watermark).toBe(T0 + 100 * 60_000);
    // Five updated rows after the watermark, and one late row written with an update time 5 minutes before it.
    const updated = ids(5, 1).map((id) => objRow(id, watermark + id * 1000, 777));
    const late = objRow(500, watermark - 5 * 60_000);
    await fill(p, OBJ, [...updated, late]);
    const second = await upsync(p, '--feature', OBJ, '--overlap', '10m');
    expect(second.code, second.stderr).toBe(0);
    // Read: the rows of the last 10 minutes before the watermark (ids 90..100: 11 rows), the late one, the 5 updates.
    expect(second.summary.features[0]).toMatchObject({ rowsRead: 11 + 1 + 5, watermarkBefore: new Date(watermark).toISOString() });
    expect(second.summary.features[0]!.watermarkAfter).toBe(new Date(watermark + 5000).toISOString());
    await withOnline(p, async (store, catalog) => {
      const feature = catalog.features.get(OBJ)!;
      const got = await onlineRecords(store, feature, [[1n], [5n], [500n], [6n]]);
      expect(got).toEqual([expectedRecord(feature, updated[0]!), expectedRecord(feature, updated[4]!), expectedRecord(feature, late), expectedRecord(feature, objRow(6, 0))]);
    });
    // Nothing new: only the overlap is read again (since is inclusive: the rows at watermark - 1 s and at the watermark).
    const third = await upsync(p, '--feature', OBJ, '--overlap', '1s');
    expect(third.summary.features[0]).toMatchObject({ rowsRead: 2, written: 2, skippedAsOlder: 0 });
  });

  it('--since overrides the watermark and --until is an exclusive upper edge', async () => {
    const p = await upsyncProject('upsync-window');
    await fill(p, OBJ, ids(20).map((id) => objRow(id, T0 + id * 1000)));
    const r = await upsync(p, '--feature', OBJ, '--since', new Date(T0 + 5000).toISOString(), '--until', new Date(T0 + 10_000).toISOString());
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary.features[0]).toMatchObject({ rowsRead: 5, written: 5, watermarkAfter: new Date(T0 + 9000).toISOString() });
  });

  it('an upsync of an older value never overwrites a newer online value', async () => {
    const p = await upsyncProject('upsync-lww');
    const old = objRow(1, T0 + 1000, 1);
    await fill(p, OBJ, [old, objRow(2, T0 + 1000, 2)]);
    const newer = objRow(1, T0 + 60_000, 99);
    await withOnline(p, async (store, catalog) => {
      const f = catalog.features.get(OBJ)!;
      const values: Record<string, unknown> = {};
      for (const field of f.valueFields) values[field.name] = newer.values[field.name] ?? null;
      await store.putMany(f.table, [{ key: [1n], value: { value: f.serde.encode(values), schemaId: f.serde.readerId, updatedAt: newer.updatedAt } }]);
    });
    const r = await upsync(p, '--feature', OBJ, '--full');
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary.features[0]).toMatchObject({ rowsRead: 2, written: 2, skippedAsOlder: 1 });
    await withOnline(p, async (store, catalog) => {
      const f = catalog.features.get(OBJ)!;
      expect(await onlineRecords(store, f, [[1n], [2n]])).toEqual([expectedRecord(f, newer), expectedRecord(f, objRow(2, T0 + 1000, 2))]);
    });
  });

  it('History rows append idempotently: the same events upsynced twice are stored once', async () => {
    const p = await upsyncProject('upsync-history');
    const events = [eventRow(1, T0 + 1000, 10n, T0 + 5000), eventRow(1, T0 + 2000, 20n, T0 + 5000), eventRow(2, T0 + 1000, 30n, T0 + 6000)];
    await fill(p, EVENTS, events);
    for (let i = 0; i < 2; i++) {
      const r = await upsync(p, '--feature', EVENTS, '--full');
      expect(r.code, r.stderr).toBe(0);
      expect(r.summary.features[0]).toMatchObject({ rowsRead: 3, written: 3 });
    }
    await withOnline(p, async (store, catalog) => {
      const f = catalog.features.get(EVENTS)!;
      const one = await store.latest(f.table, [1n], 10);
      expect(one.map((e) => [e.eventTime.getTime(), f.serde.decode(e)['amount']])).toEqual([
        [T0 + 2000, 20n],
        [T0 + 1000, 10n],
      ]);
      expect(await store.latest(f.table, [2n], 10)).toHaveLength(1);
    });
  });

  it('--dry-run reads and validates but writes nothing and leaves the watermark alone', async () => {
    const p = await upsyncProject('upsync-dry');
    await fill(p, OBJ, ids(10).map((id) => objRow(id, T0 + id)));
    const r = await upsync(p, '--feature', OBJ, '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary.features[0]).toMatchObject({ rowsRead: 10, written: 0, watermarkBefore: null, watermarkAfter: null });
    await withOnline(p, async (store, catalog) => {
      expect(await onlineRecords(store, catalog.features.get(OBJ)!, [[1n]])).toEqual([null]);
    });
  });

  it('--max-rows-per-sec slows the run to the given rate', async () => {
    const p = await upsyncProject('upsync-rate');
    await fill(p, OBJ, ids(300).map((id) => objRow(id, T0 + id)));
    const started = performance.now();
    const r = await upsync(p, '--feature', OBJ, '--max-rows-per-sec', '200', '--page-size', '50');
    expect(r.code, r.stderr).toBe(0);
    // A bucket of 200 tokens, full at the start: the other 100 rows wait 0.5 s at least.
    expect(performance.now() - started).toBeGreaterThan(450);
    expect(r.summary.features[0]!.written).toBe(300);
  });

  it('two shards together write exactly what one full run writes', async () => {
    const p = await upsyncProject('upsync-shards');
    await fill(p, OBJ, ids(200).map((id) => objRow(id, T0 + id * 10)));
    const a = await upsync(p, '--feature', OBJ, '--shard', '0/2', '--page-size', '30');
    const b = await upsync(p, '--feature', OBJ, '--shard', '1/2', '--page-size', '30');
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const ra = a.summary.features[0]!.rowsRead;
    const rb = b.summary.features[0]!.rowsRead;
    expect(ra + rb).toBe(200);
    expect(ra).toBeGreaterThan(0);
    expect(rb).toBeGreaterThan(0);
    expect([a.summary.features[0]!.shard, b.summary.features[0]!.shard]).toEqual(['0/2', '1/2']);
    await withOnline(p, async (store, catalog) => {
      const f = catalog.features.get(OBJ)!;
      const got = await onlineRecords(store, f, ids(200).map((id) => [BigInt(id)]));
      expect(got).toEqual(ids(200).map((id) => expectedRecord(f, objRow(id, 0))));
    });
    // Each shard has a watermark of its own.
    const marks = await SqliteWatermarkStore.open(p.sqlite);
    expect(await marks.get(OBJ, '0/2')).not.toBeNull();
    expect(await marks.get(OBJ, '1/2')).not.toBeNull();
    expect(await marks.get(OBJ, '0/1')).toBeNull();
    await marks.close();
  });

  it('an abort (SIGTERM) finishes the pages in flight, saves the watermark and exits 1 with the summary', async () => {
    const p = await upsyncProject('upsync-abort');
    await fill(p, OBJ, ids(400).map((id) => objRow(id, T0 + id)));
    const { upsyncCommand } = await import('../../cli/upsync.ts');
    const controller = new AbortController();
    let stdout = '';
    let stderr = '';
    const slow = upsyncCommand(
      { config: p.config, feature: [OBJ], overlap: '0ms', concurrency: '2', pageSize: '20', shard: '0/1', json: true, maxRowsPerSec: '100', full: true },
      { out: (t) => (stdout += t), err: (t) => (stderr += t) },
      { signal: controller.signal, signals: false, progress: false },
    );
    setTimeout(() => controller.abort(), 600);
    expect(await slow).toBe(1);
    const summary = JSON.parse(stdout.trim()) as Summary;
    expect(summary.interrupted).toBe(true);
    expect(summary.ok).toBe(false);
    const f = summary.features[0]!;
    expect(f.rowsRead).toBeLessThan(400);
    expect(f.written).toBe(f.rowsRead);
    expect(stderr).toContain('interrupted');
  });
});

describe('upsync errors', () => {
  it('an unknown feature is one line with a did-you-mean, exit 2, nothing opened', async () => {
    const p = await upsyncProject('upsync-err-unknown');
    const r = await upsync(p, '--feature', 't::obj-v2');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`featurestore: ${UPSYNC_ERRORS.unknownFeature('t::obj-v2', OBJ)}\n`);
    expect(r.stdout).toBe('');
  });

  it('a feature without upsync.enabled is refused', async () => {
    const p = await upsyncProject('upsync-err-disabled');
    const r = await upsync(p, '--features', `${OBJ},${NO_UPSYNC}`);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`featurestore: ${UPSYNC_ERRORS.notEnabled(NO_UPSYNC)}\n`);
  });

  it('the consumer: the only one that may write all, else --consumer, which must be allowed', async () => {
    const p = await upsyncProject('upsync-err-consumer');
    const ambiguous = await upsync(p, '--feature', FULL_ONLY);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toBe(`featurestore: ${UPSYNC_ERRORS.ambiguousConsumer(['other-writer', 'upsync-worker'])}\n`);
    const chosen = await upsync(p, '--feature', FULL_ONLY, '--consumer', 'other-writer');
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.summary.features[0]!.mode).toBe('full');
    const refused = await upsync(p, '--feature', OBJ, '--consumer', 'other-writer');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`featurestore: ${UPSYNC_ERRORS.consumerCannotWrite('other-writer', OBJ)}\n`);
  });

  it.each([
    [['--shard', '3/2'], UPSYNC_ERRORS.badShard('3/2')],
    [['--shard', 'x'], UPSYNC_ERRORS.badShard('x')],
    [['--since', 'nonsense'], UPSYNC_ERRORS.badTime('--since', 'nonsense')],
    [['--until', '2026-13-45T99:00:00Z'], UPSYNC_ERRORS.badTime('--until', '2026-13-45T99:00:00Z')],
    [['--since', '2026-02-01', '--until', '2026-01-01'], UPSYNC_ERRORS.badWindow('2026-02-01', '2026-01-01')],
    [['--overlap', 'ten'], UPSYNC_ERRORS.badDuration('--overlap', 'ten')],
    [['--concurrency', '0'], UPSYNC_ERRORS.badCount('--concurrency', '0')],
    [['--max-rows-per-sec', '-5'], UPSYNC_ERRORS.badCount('--max-rows-per-sec', '-5')],
    [['--max-quarantined', 'many'], UPSYNC_ERRORS.badCountOrZero('--max-quarantined', 'many')],
    [['--full', '--incremental'], UPSYNC_ERRORS.fullAndIncremental],
  ])('bad flag %j is one line, exit 2', async (args, message) => {
    const p = await upsyncProject('upsync-err-flag');
    const r = await upsync(p, '--feature', OBJ, ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`featurestore: ${message}\n`);
  });

  it('no feature named, and --offline typos, are usage errors', async () => {
    const p = await upsyncProject('upsync-err-none');
    expect((await upsync(p)).stderr).toBe(`featurestore: ${UPSYNC_ERRORS.noFeatures}\n`);
    const r = await upsync(p, '--feature', OBJ, '--offline', 'duck:x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid --offline "duck:x"');
  });

  it('an unreachable offline store is one line, exit 1', async () => {
    const p = await upsyncProject('upsync-err-offline');
    const missing = path.join(p.root, 'no-such-folder', 'x.duckdb');
    const r = await upsync(p, '--feature', OBJ, '--offline', `duckdb:${missing}`);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/^featurestore: cannot open the offline store \(--offline duckdb:.*no-such-folder/);
  });

  it('an unusable online SQLite path is one line naming it', async () => {
    const p = await upsyncProject('upsync-err-online');
    const r = await upsync(p, '--feature', OBJ, '--store', `sqlite:${path.join(p.root, 'nope', 'db.sqlite')}`);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toContain('does not exist');
  });

  it('--keyspace without --store cassandra is refused before anything opens', async () => {
    const p = await upsyncProject('upsync-err-keyspace');
    const r = await upsync(p, '--feature', OBJ, '--keyspace', 'ks');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('featurestore: --keyspace applies to --store cassandra only\n');
  });

  it('without --json the summary is text on stdout', async () => {
    const p = await upsyncProject('upsync-text');
    await fill(p, OBJ, ids(3).map((id) => objRow(id, T0 + id)));
    const r = await runCli(['upsync', '--config', p.config, '--feature', OBJ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^t::obj-v1 \[shard 0\/1, incremental\]: 3 read, 3 written, 0 quarantined, 0 skipped as older, \d+ rows\/s in \d+ ms, watermark none → 2026-01-01T00:00:00.003Z\n$/);
  });
});
