/**
 * The read worker's start: every worker says `ready` before it is given its read; one that does not
 * in time is replaced, once, and then the read fails with a clear error instead of waiting forever.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../core/manifest/parse-manifest.ts';
import { openOfflineStore } from '../../runtime/offline/open-offline-store.ts';
import { openOnlineStore } from '../../runtime/online/open-online-store.ts';
import { JsonlQuarantine } from '../../runtime/upsync/quarantine.ts';
import { runUpsync } from '../../runtime/upsync/run-upsync.ts';
import { SqliteWatermarkStore } from '../../runtime/upsync/sqlite-watermarks.ts';
import { WarmReadWorker, type WorkerReadSpec } from '../../runtime/upsync/worker-pages.ts';
import { WritePath } from '../../runtime/write/write-path.ts';
import { appendAll, catalogOf, objRow, offlineTables, T0 } from './upsync-fixtures.ts';
import { OBJ, upsyncProject } from './upsync-project.ts';

async function runInWorker(name: string, worker: Partial<WorkerReadSpec>) {
  const p = await upsyncProject(name);
  const tables = await offlineTables(p.generated);
  const offline = await openOfflineStore({ kind: 'duckdb', path: p.duckdb, tables: [...tables.values()] });
  await appendAll(offline, tables.get(OBJ)!, Array.from({ length: 20 }, (_, i) => objRow(i, T0 + i)));
  await offline.close();
  const catalog = await catalogOf(p.generated);
  const manifestFile = path.join(p.generated, 'manifest.json');
  const manifest = parseManifest(JSON.parse(await readFile(manifestFile, 'utf8')), manifestFile);
  const online = await openOnlineStore({ kind: 'sqlite', path: p.sqlite }, { keyspace: catalog.keyspace, tables: [...catalog.features.values()].map((f) => f.table) });
  const watermarks = await SqliteWatermarkStore.open(p.sqlite);
  try {
    return await runUpsync({
      catalog,
      manifest,
      offline: null,
      readInWorker: { generatedDir: p.generated, offline: { kind: 'duckdb', path: p.duckdb, tables: [...tables.values()] }, ...worker },
      writePath: new WritePath(catalog, online),
      watermarks,
      features: [OBJ],
      mode: 'full',
      quarantine: () => new JsonlQuarantine(path.join(p.root, 'q.jsonl')),
    });
  } finally {
    await watermarks.close();
    await online.close();
  }
}

describe('the upsync read worker start', () => {
  it('a warm worker that has gone is replaced by a fresh one, and the read completes', async () => {
    const warm = new WarmReadWorker('duckdb');
    await warm.close();
    const summary = await runInWorker('read-worker-gone', { warm });
    expect(summary.ok, summary.features[0]?.error).toBe(true);
    expect(summary.features[0]).toMatchObject({ rowsRead: 20, written: 20 });
  });

  it('a worker that does not say ready in time is replaced once, then the feature fails naming the way out', async () => {
    const summary = await runInWorker('read-worker-stall', { startTimeoutMs: 1 });
    expect(summary.ok).toBe(false);
    expect(summary.features[0]?.error).toBe('the upsync read worker did not start within 1 ms, twice; rerun with --no-read-worker to read on the main thread');
    expect(summary.features[0]).toMatchObject({ rowsRead: 0, written: 0 });
  });
});
