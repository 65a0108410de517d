/**
 * The messages between upsync's write loop and its read worker (read-worker.ts). A page travels as
 * transferable typed arrays (the encoded values concatenated, their offsets, the update and event
 * times) plus the keys as one flat array, so a page costs a handful of structured-clone objects instead
 * of thousands of small ones; the main thread rebuilds rows as views into the one value buffer.
 */
import type { KeyScalar } from '../online/online-store.ts';
import type { QuarantineEntry } from './quarantine.ts';

/** Offline store options that survive postMessage (no client objects). */
export type WorkerOfflineOptions =
  | { readonly kind: 'duckdb'; readonly path: string; readonly tables: readonly import('../offline/offline-store.ts').OfflineTable[] }
  | { readonly kind: 'bigquery'; readonly projectId: string; readonly dataset: string; readonly location?: string; readonly endpoint?: string };

export interface ReadWorkerData {
  readonly generatedDir: string;
  readonly feature: string;
  readonly offline: WorkerOfflineOptions;
  readonly since: Date | null;
  readonly until: Date | null;
  readonly pageSize: number;
  readonly shard: { readonly index: number; readonly count: number } | null;
  readonly runId: string;
  /** Pages the worker may send before the main thread asks for more. */
  readonly ahead: number;
  /** Count the window's rows first (when the store can cheaply) and send them as a `total` message. */
  readonly countTotal: boolean;
}

/** What a worker is started with (WarmReadWorker): only which driver to load while it waits for `start`. */
export interface WarmWorkerData {
  readonly warm: 'duckdb' | 'bigquery' | null;
}

/** `start`: the worker's read (every worker waits for it after `ready`). `credit`: the write loop took `count` more pages (credits go back in batches: a postMessage costs ~0.1 ms). */
export type ToWorker = { readonly type: 'start'; readonly data: ReadWorkerData } | { readonly type: 'credit'; readonly count: number } | { readonly type: 'stop' };

export interface PageMessage {
  readonly type: 'page';
  readonly rowsRead: number;
  readonly newestMs: number | null;
  readonly count: number;
  /** count × key width values, row after row. */
  readonly keys: readonly KeyScalar[];
  readonly bytes: Uint8Array;
  /** count + 1 offsets into bytes. */
  readonly offsets: Uint32Array;
  readonly updatedAt: Float64Array;
  /** History features only. */
  readonly eventTime: Float64Array | null;
  readonly quarantine: readonly QuarantineEntry[];
}

/** The worker's first message, once it has loaded and listens for `start` (WarmReadWorker takes it). */
export interface ReadyMessage {
  readonly type: 'ready';
}

/** What the worker posts after `start`. */
export type FromWorker =
  | PageMessage
  | { readonly type: 'total'; readonly rows: number }
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly message: string; readonly name: string; readonly code: unknown };
