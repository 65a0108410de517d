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
import type { KeyScalar } from '../online/online-store.ts';
import { inlinePages } from './prepared-pages.ts';
import type { FromWorker, PageMessage, ReadWorkerData, ToWorker } from './read-worker-protocol.ts';
import type { EncodedHistoryRow, EncodedObjectRow } from './row-encoder.ts';

const port = parentPort;
if (!port) throw new Error('read-worker.ts runs as a worker thread');
const data = workerData as ReadWorkerData;

let credits = data.ahead;
let stopped = false;
let wake: (() => void) | null = null;
port.on('message', (m: ToWorker) => {
  if (m.type === 'credit') credits++;
  else stopped = true;
  wake?.();
  wake = null;
});

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function run(): Promise<void> {
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
    for await (const page of inlinePages(store, offlineTableOf(m), feature, read, data.runId)) {
      while (credits === 0 && !stopped) await new Promise<void>((resolve) => (wake = resolve));
      if (stopped) break;
      credits--;
      const n = page.rows.length;
      let total = 0;
      for (const row of page.rows) total += valueOf(row).value.byteLength;
      const bytes = new Uint8Array(total);
      const offsets = new Uint32Array(n + 1);
      const updatedAt = new Float64Array(n);
      const eventTime = c.featureType === 'History' ? new Float64Array(n) : null;
      const keys: KeyScalar[] = [];
      let at = 0;
      for (let i = 0; i < n; i++) {
        const row = page.rows[i] as EncodedObjectRow | EncodedHistoryRow;
        const value = valueOf(row);
        bytes.set(value.value, at);
        offsets[i] = at;
        at += value.value.byteLength;
        updatedAt[i] = value.updatedAt.getTime();
        if (eventTime) eventTime[i] = (row as EncodedHistoryRow).event.eventTime.getTime();
        for (const k of row.key) keys.push(k);
      }
      offsets[n] = at;
      const message: PageMessage = { type: 'page', rowsRead: page.rowsRead, newestMs: page.newestMs, count: n, keys, bytes, offsets, updatedAt, eventTime, quarantine: page.quarantine };
      send(message, [bytes.buffer, offsets.buffer, updatedAt.buffer, ...(eventTime ? [eventTime.buffer] : [])]);
    }
  } finally {
    await store.close();
  }
}

function valueOf(row: EncodedObjectRow | EncodedHistoryRow) {
  return 'value' in row ? row.value : row.event;
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
