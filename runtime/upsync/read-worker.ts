/**
 * The read worker of upsync (see prepared-pages.ts for why): opens the offline store, reads one
 * feature's window page by page, checks and encodes the rows (row-encoder.ts), and posts each page to
 * the write loop in the compact form of read-worker-protocol.ts. It runs at most `ahead` pages ahead of
 * the writes (credits), so memory stays bounded; `stop` ends the read and closes the store.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { parseManifest } from '../../core/manifest/parse-manifest.ts';
import { loadFeatureCatalog } from '../manifest/feature-catalog.ts';
import { offlineTableOf } from '../offline/offline-table.ts';
import { openOfflineStore } from '../offline/open-offline-store.ts';
import type { OfflineStore } from '../offline/offline-store.ts';
import { compactPages } from './prepared-pages.ts';
import type { FromWorker, PageMessage, ReadWorkerData, ReadyMessage, ToWorker, WarmWorkerData } from './read-worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('read-worker.ts runs as a worker thread');
const initial = workerData as WarmWorkerData;

// Loads its modules and the driver while the CLI opens the stores, says `ready`, then waits for `start`.
let begin: ((d: ReadWorkerData) => void) | null = null;
const started = new Promise<ReadWorkerData>((resolve) => (begin = resolve));
if (initial.warm !== null) {
  void (initial.warm === 'duckdb' ? import('@duckdb/node-api') : import('@google-cloud/bigquery')).catch(() => {
    // a missing driver is reported by openOfflineStore, with its install hint
  });
}

let credits = 0;
let stopped = false;
let wake: (() => void) | null = null;
port.on('message', (m: ToWorker) => {
  if (m.type === 'start') {
    credits = m.data.ahead;
    begin?.(m.data);
    begin = null;
    return;
  }
  if (m.type === 'credit') credits += m.count;
  else {
    stopped = true;
    // Stopped before it was given a read: nothing to do.
    if (begin) port.close();
  }
  wake?.();
  wake = null;
});
port.postMessage({ type: 'ready' } satisfies ReadyMessage);

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function run(): Promise<void> {
  const data = await started;
  const file = path.join(data.generatedDir, 'manifest.json');
  const manifest = parseManifest(JSON.parse(await readFile(file, 'utf8')) as unknown, file, { formats: 'current' });
  const catalog = await loadFeatureCatalog(data.generatedDir);
  const m = manifest.features[data.feature];
  const c = catalog.features.get(data.feature);
  if (!m || !c) throw new Error(`read worker: feature ${data.feature} is not in ${file}`);
  const feature = { name: data.feature, manifest: m, catalog: c };
  const store: OfflineStore = await openOfflineStore(data.offline.kind === 'duckdb' ? { ...data.offline, tables: [...data.offline.tables] } : data.offline);
  try {
    const read = {
      since: data.since,
      ...(data.until ? { until: data.until } : {}),
      pageSize: data.pageSize,
      ...(data.shard ? { shard: data.shard } : {}),
    };
    const onTotal = data.countTotal ? (rows: number) => send({ type: 'total', rows }) : undefined;
    for await (const page of compactPages(store, offlineTableOf(m), feature, read, data.runId, onTotal)) {
      while (credits === 0 && !stopped) await new Promise<void>((resolve) => (wake = resolve));
      if (stopped) break;
      credits--;
      const rows = page.rows;
      const n = rows.count;
      // Exactly the used part: offsets/times were sized for the readable rows, some may have been refused.
      const bytes = new Uint8Array(rows.bytes.buffer, rows.bytes.byteOffset, rows.at);
      const offsets = rows.offsets.subarray(0, n + 1);
      const updatedAt = rows.updatedAt.subarray(0, n);
      const eventTime = rows.eventTime ? rows.eventTime.subarray(0, n) : null;
      const message: PageMessage = { type: 'page', rowsRead: page.rowsRead, newestMs: page.newestMs, count: n, keys: rows.keys, bytes, offsets, updatedAt, eventTime, quarantine: page.quarantine };
      send(message, transferable([rows.bytes.buffer, rows.offsets.buffer, rows.updatedAt.buffer, ...(rows.eventTime ? [rows.eventTime.buffer] : [])]));
    }
  } finally {
    await store.close();
  }
}

/** Each buffer is the page's own (CompactRows allocates outside Node's shared pool). */
function transferable(buffers: ArrayBufferLike[]): ArrayBuffer[] {
  return buffers.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

run().then(
  () => send({ type: 'end' }),
  (e: unknown) => {
    const error = e instanceof Error ? e : new Error(String(e));
    send({ type: 'error', message: error.message, name: error.name, code: (error as { code?: unknown }).code });
  },
).finally(() => {
  // Nothing more to read: let the worker exit (the message listener would keep it alive).
  port.unref();
});
