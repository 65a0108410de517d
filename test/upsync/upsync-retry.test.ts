/**
 * Retries with backoff on transient store errors, end to end through runUpsync: a write that fails
 * with SQLITE_BUSY is written on a later attempt and the run succeeds; an error no retry can cure
 * fails the feature at once, after one attempt.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../core/manifest/parse-manifest.ts';
import { openOfflineStore } from '../../runtime/offline/open-offline-store.ts';
import { openOnlineStore } from '../../runtime/online/open-online-store.ts';
import type { OnlineStore } from '../../runtime/online/online-store.ts';
import { JsonlQuarantine } from '../../runtime/upsync/quarantine.ts';
import { runUpsync } from '../../runtime/upsync/run-upsync.ts';
import { SqliteWatermarkStore } from '../../runtime/upsync/sqlite-watermarks.ts';
import { WritePath } from '../../runtime/write/write-path.ts';
import { appendAll, catalogOf, objRow, offlineTables, T0 } from './upsync-fixtures.ts';
import { OBJ, upsyncProject } from './upsync-project.ts';

/** The store, with its first `failures` putMany calls failing with `error`. */
function failingFirst(store: OnlineStore, failures: number, error: () => Error): { store: OnlineStore; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    store: {
      ...store,
      getMany: (t, k) => store.getMany(t, k),
      latest: (t, k, n) => store.latest(t, k, n),
      range: (t, k, f, to, l) => store.range(t, k, f, to, l),
      appendMany: (t, r) => store.appendMany(t, r),
      ping: () => store.ping(),
      close: () => store.close(),
      putMany: async (t, rows) => {
        calls++;
        if (calls <= failures) throw error();
        return store.putMany(t, rows);
      },
    },
  };
}

async function run(name: string, failures: number, error: () => Error) {
  const p = await upsyncProject(name);
  const tables = await offlineTables(p.generated);
  const offline = await openOfflineStore({ kind: 'duckdb', path: p.duckdb, tables: [...tables.values()] });
  await appendAll(offline, tables.get(OBJ)!, Array.from({ length: 30 }, (_, i) => objRow(i, T0 + i)));
  const catalog = await catalogOf(p.generated);
  const manifestFile = path.join(p.generated, 'manifest.json');
  const manifest = parseManifest(JSON.parse(await readFile(manifestFile, 'utf8')), manifestFile);
  const online = await openOnlineStore({ kind: 'sqlite', path: p.sqlite }, { keyspace: catalog.keyspace, tables: [...catalog.features.values()].map((f) => f.table) });
  const flaky = failingFirst(online, failures, error);
  const watermarks = await SqliteWatermarkStore.open(p.sqlite);
  try {
    const summary = await runUpsync({
      catalog,
      manifest,
      offline,
      writePath: new WritePath(catalog, flaky.store),
      watermarks,
      features: [OBJ],
      mode: 'full',
      quarantine: () => new JsonlQuarantine(path.join(p.root, 'q.jsonl')),
      retries: 3,
      retryMinTimeoutMs: 10,
    });
    return { summary, calls: flaky.calls() };
  } finally {
    await watermarks.close();
    await online.close();
    await offline.close();
  }
}

describe('upsync retries', () => {
  it('retries a transient store error (SQLITE_BUSY) with backoff and then writes every row', async () => {
    const { summary, calls } = await run('upsync-retry-busy', 2, () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }));
    expect(summary.ok).toBe(true);
    expect(summary.features[0]).toMatchObject({ rowsRead: 30, written: 30 });
    expect(calls).toBe(3);
  });

  it('does not retry an error no retry can cure: the feature fails after one attempt', async () => {
    const { summary, calls } = await run('upsync-retry-bug', 5, () => new TypeError('a bug'));
    expect(summary.ok).toBe(false);
    expect(calls).toBe(1);
  });
});
