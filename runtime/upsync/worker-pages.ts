/**
 * The write loop's side of the read worker (read-worker.ts): an async iterable of PreparedPage, rows
 * rebuilt as views into the page's one value buffer. Leaving the loop early (an abort, a failed write)
 * stops the worker, which closes the offline store before it exits.
 *
 * From source (tsx, the tests) the worker loads read-worker.ts through tsx's register API; from dist/
 * it is plain JavaScript. A worker error comes back as an Error with the original name and code.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { KeyScalar } from '../online/online-store.ts';
import type { PageRead, PreparedPage } from './prepared-pages.ts';
import type { FromWorker, ReadWorkerData, ReadyMessage, WarmWorkerData, WorkerOfflineOptions } from './read-worker-protocol.ts';
import type { EncodedHistoryRow, EncodedObjectRow } from './row-encoder.ts';
import type { PlannedFeature } from './upsync-plan.ts';

export interface WorkerReadSpec {
  /** The generated folder (manifest.json, acl/), as the worker loads it again. */
  readonly generatedDir: string;
  readonly offline: WorkerOfflineOptions;
  /** A worker started ahead, taken by the first read (the others start their own). */
  readonly warm?: WarmReadWorker;
  /** How long a worker may take to load before it is replaced once, then the read fails (default 20 s). */
  readonly startTimeoutMs?: number;
}

export const READ_WORKER_START_TIMEOUT_MS = 20_000;

/**
 * A read worker, started before it is given its read: it loads its modules and the offline driver
 * (about 0.3 s of the CLI's start-up, measured) while the main thread opens the stores and reads the
 * watermark, says `ready`, then waits for `start`. Every read worker starts this way, so no page can
 * be posted before the read's listeners are in place. `close()` ends it if no read took it.
 */
export class WarmReadWorker {
  private worker: Worker | null;
  private gone = false;
  /** True once the worker has said `ready`; false if it died first. */
  readonly ready: Promise<boolean>;

  constructor(kind: WorkerOfflineOptions['kind'] | null) {
    const data: WarmWorkerData = { warm: kind };
    const worker = startWorker(data);
    let settle: (ok: boolean) => void = () => {};
    this.ready = new Promise<boolean>((resolve) => (settle = resolve));
    const onReady = (m: ReadyMessage | FromWorker) => {
      if (m.type !== 'ready') return;
      worker.off('message', onReady);
      settle(true);
    };
    worker.on('message', onReady);
    const onGone = () => {
      this.gone = true;
      settle(false);
    };
    worker.on('error', onGone);
    worker.on('exit', onGone);
    this.worker = worker;
  }

  /** Taken by a read, or closed. */
  get taken(): boolean {
    return this.worker === null;
  }

  /** The worker, once; null if it was taken or has died (the read then starts a fresh one). */
  take(): Worker | null {
    const worker = this.gone ? null : this.worker;
    if (this.gone) void this.close();
    this.worker = null;
    return worker;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}

/**
 * A worker that has said `ready`: the warm one (or a fresh one) if it does so in time, else one fresh
 * replacement. From source, a worker registers tsx's loader hooks, and Node's hooks thread can stall a
 * worker's start (nodejs/node#50948 and its kin; once in CI, a read that never began): replacing the
 * worker costs a second, a stalled read costs the run. A warm worker that has died is replaced too.
 */
async function readyWorker(spec: WorkerReadSpec): Promise<Worker> {
  const timeoutMs = spec.startTimeoutMs ?? READ_WORKER_START_TIMEOUT_MS;
  let candidate = spec.warm && !spec.warm.taken ? spec.warm : new WarmReadWorker(spec.offline.kind);
  for (let attempt = 1; ; attempt++) {
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([candidate.ready, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]);
    clearTimeout(timer);
    const worker = candidate.take();
    if (inTime && worker) return worker;
    await worker?.terminate();
    if (attempt === 2) throw new Error(`the upsync read worker did not start within ${timeoutMs} ms, twice; rerun with --no-read-worker to read on the main thread`);
    candidate = new WarmReadWorker(spec.offline.kind);
  }
}

const STOP_WAIT_MS = 10_000;

export async function* workerPages(spec: WorkerReadSpec, feature: PlannedFeature, read: PageRead, runId: string, ahead: number, onTotal?: (rows: number) => void): AsyncGenerator<PreparedPage> {
  const data: ReadWorkerData = {
    generatedDir: spec.generatedDir,
    feature: feature.name,
    offline: spec.offline,
    since: read.since,
    until: read.until ?? null,
    pageSize: read.pageSize,
    shard: read.shard && read.shard.count > 1 ? read.shard : null,
    runId,
    ahead: Math.max(1, ahead),
    countTotal: onTotal !== undefined,
  };
  const worker = await readyWorker(spec);
  const queue: FromWorker[] = [];
  let wake: (() => void) | null = null;
  let exited = false;
  let failure: Error | null = null;
  worker.on('message', (m: FromWorker) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (e: Error) => {
    failure ??= e;
    wake?.();
  });
  worker.on('exit', () => {
    exited = true;
    wake?.();
  });
  worker.postMessage({ type: 'start', data });
  const schemaId = feature.catalog.serde.readerId;
  const width = feature.catalog.keyFields.length;
  const history = feature.catalog.featureType === 'History';
  let done = false;
  // Credits go back a quarter of the window at a time: never a deadlock (the worker stops only when all
  // `ahead` pages are uncredited, and by then at least a batch is owed), ~4x fewer messages.
  const creditBatch = Math.max(1, Math.floor(data.ahead / 4));
  let owed = 0;
  try {
    for (;;) {
      while (queue.length === 0 && failure === null && !exited) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      const m = queue.shift();
      if (!m) {
        if (failure) throw failure;
        throw new Error('the upsync read worker exited without finishing');
      }
      if (m.type === 'end') {
        done = true;
        return;
      }
      if (m.type === 'total') {
        onTotal?.(m.rows);
        continue;
      }
      if (m.type === 'error') throw Object.assign(new Error(m.message), { name: m.name, code: m.code });
      const rows: (EncodedObjectRow | EncodedHistoryRow)[] = new Array(m.count);
      const buffer = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
      for (let i = 0; i < m.count; i++) {
        const key = m.keys.slice(i * width, (i + 1) * width) as KeyScalar[];
        const value = buffer.subarray(m.offsets[i], m.offsets[i + 1]);
        const updatedAt = new Date(m.updatedAt[i] as number);
        rows[i] = history
          ? { key, event: { value, schemaId, updatedAt, eventTime: new Date((m.eventTime as Float64Array)[i] as number) } }
          : { key, value: { value, schemaId, updatedAt } };
      }
      if (++owed >= creditBatch) {
        worker.postMessage({ type: 'credit', count: owed });
        owed = 0;
      }
      yield { rowsRead: m.rowsRead, rows, quarantine: m.quarantine, newestMs: m.newestMs };
    }
  } finally {
    if (!exited) {
      if (!done) worker.postMessage({ type: 'stop' });
      const timer = setTimeout(() => void worker.terminate(), STOP_WAIT_MS);
      await once(worker, 'exit').catch(() => {});
      clearTimeout(timer);
    }
  }
}

function startWorker(data: WarmWorkerData): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './read-worker.ts' : './read-worker.js', import.meta.url);
  if (!fromSource) return new Worker(url, { workerData: data });
  // A worker does not inherit tsx's loader: register it first (tsx is a dev dependency of this repo).
  const code = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { eval: true, workerData: data });
}
