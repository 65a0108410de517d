/**
 * Upsync, offline → online, as a library function (the CLI is a thin shell around it). Per feature, one
 * after the other:
 *
 * 1. the window: full reads [--since or the beginning, --until); incremental reads from the stored
 *    watermark minus the overlap (late rows committed with an older fs_updated_at are read again), or
 *    from --since when given, or from the beginning when there is no watermark yet;
 * 2. pages stream from `offline.read` (ordered by fs_updated_at, `shard` pushed down by key hash,
 *    unreadable values yielded beside the rows instead of ending the read); the next page is read
 *    while up to `concurrency` pages are being written (p-limit), and reading waits when that many are
 *    in flight, so memory is bounded by concurrency + 1 pages whatever the table size;
 * 3. each row is checked and Avro-encoded once (row-encoder.ts), on this thread or, with `readInWorker`,
 *    on a worker thread that opens the offline store itself (prepared-pages.ts: measured faster from
 *    about 300k rows on, slower below, where starting the worker dominates); refused and unreadable rows
 *    go to the quarantine; the rest are written through the WritePath with the ACL grant of the consumer,
 *    `updatedAt` = the row's fs_updated_at (last-writer-wins: an older upsync never overwrites a newer
 *    downsync value) and, for History, the event time from the event-time field (idempotent by key and
 *    event time). WritePath.put/append take the encoded rows as they are: OnlineWriter would decode each
 *    value again to prove bytes this function has just encoded from checked values;
 * 4. transient store errors are retried with backoff (p-retry); anything else fails the feature;
 * 5. the watermark advances to the newest update time of the contiguous prefix of finished pages
 *    (page-progress.ts), saved at page boundaries, never backwards; a dry run writes nothing and
 *    leaves it alone.
 *
 * `--max-rows-per-sec` is a token bucket (limiter) weighted by rows, taken before a page is dispatched,
 * so reading slows down too instead of queueing pages. An abort (SIGTERM) stops reading; the pages in
 * flight finish, the watermark is saved and the summary says `interrupted`.
 */
import { randomBytes } from 'node:crypto';
import { TokenBucket } from 'limiter';
import pLimit from 'p-limit';
import pRetry from 'p-retry';
import type { Manifest } from '../../core/manifest/manifest-schema.ts';
import type { FeatureCatalog } from '../manifest/feature-catalog.ts';
import type { OfflineStore } from '../offline/offline-store.ts';
import { offlineTableOf } from '../offline/offline-table.ts';
import type { WriteReport } from '../online/online-store.ts';
import type { WriteGrant, WritePath } from '../write/write-path.ts';
import { PagePrefix, WatermarkSaver } from './page-progress.ts';
import { inlinePages, type PreparedPage } from './prepared-pages.ts';
import type { QuarantineSink } from './quarantine.ts';
import { isTransientStoreError } from './transient-errors.ts';
import { UPSYNC_ERRORS, UPSYNC_INVALID_OPTIONS, UPSYNC_TOO_MANY_QUARANTINED, UpsyncError } from './upsync-errors.ts';
import { planUpsync, type PlannedFeature } from './upsync-plan.ts';
import { shardLabel, type WatermarkStore } from './watermark-store.ts';
import { workerPages, type WorkerReadSpec } from './worker-pages.ts';

export const UPSYNC_DEFAULTS = {
  concurrency: 4,
  pageSize: 1_000,
  overlapMs: 10 * 60_000,
  retries: 5,
  retryMinTimeoutMs: 200,
  retryMaxTimeoutMs: 5_000,
} as const;

/**
 * Rows the read worker may have read and encoded ahead of the writes (at least concurrency + 1 pages).
 * Its pages are compact (typed arrays: ~70 bytes a row here), so 16k rows cost about 1 MB, and they
 * cover the worker's pauses, such as the sort at the start of each DuckDB read segment (tens of ms),
 * during which the write loop would otherwise wait.
 */
export const WORKER_AHEAD_ROWS = 16_000;

export type UpsyncMode = 'full' | 'incremental';

export interface UpsyncOptions {
  readonly catalog: FeatureCatalog;
  readonly manifest: Manifest;
  /** The offline store, read on this thread; null when `readInWorker` says how a worker opens it. */
  readonly offline: OfflineStore | null;
  /** Read and encode on a worker thread that opens the offline store itself (the CLI does). */
  readonly readInWorker?: WorkerReadSpec;
  /** Where writes go (the online store behind the cache decorator); may be null for a dry run. */
  readonly writePath: WritePath | null;
  /** Null only for a dry run. */
  readonly watermarks: WatermarkStore | null;
  readonly features: readonly string[];
  /** Default: the one consumer that may write every feature. */
  readonly consumer?: string;
  /** Force a mode; default: each feature's `upsync.incremental_update`. */
  readonly mode?: UpsyncMode;
  readonly since?: Date;
  readonly until?: Date;
  readonly overlapMs?: number;
  readonly concurrency?: number;
  readonly pageSize?: number;
  readonly maxRowsPerSec?: number | null;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly dryRun?: boolean;
  /** The quarantine of a feature's refused rows. */
  readonly quarantine: (feature: PlannedFeature) => QuarantineSink;
  /** Stops the run once more rows than this were quarantined (in total). Default: unlimited. */
  readonly maxQuarantined?: number | null;
  readonly signal?: AbortSignal;
  readonly retries?: number;
  readonly retryMinTimeoutMs?: number;
  readonly runId?: string;
  /** Called after each page is dispatched, when a feature starts and ends, and when its total is known. */
  readonly onProgress?: (progress: UpsyncProgress) => void;
  /**
   * Count each feature's window first when the offline store does so cheaply (DuckDB: one COUNT),
   * so onProgress gets a `total` (an ETA). BigQuery: never (total stays null). Default: false.
   */
  readonly countTotal?: boolean;
}

export interface UpsyncProgress {
  readonly feature: string;
  readonly phase: 'start' | 'page' | 'end';
  readonly rowsRead: number;
  readonly written: number;
  readonly quarantined: number;
  /** Rows the window holds, when counted (countTotal on a store that counts cheaply); else null. */
  readonly total: number | null;
}

export interface FeatureUpsyncSummary {
  readonly feature: string;
  readonly shard: string;
  readonly mode: UpsyncMode;
  readonly since: string | null;
  readonly until: string | null;
  readonly rowsRead: number;
  readonly written: number;
  readonly quarantined: number;
  /** Rows the store did not apply because it held a newer value; null when the store cannot tell (Cassandra). */
  readonly skippedAsOlder: number | null;
  readonly durationMs: number;
  readonly rowsPerSec: number;
  readonly watermarkBefore: string | null;
  readonly watermarkAfter: string | null;
  readonly quarantine: string | null;
  readonly error?: string;
}

export interface UpsyncSummary {
  readonly ok: boolean;
  readonly runId: string;
  readonly dryRun: boolean;
  readonly interrupted: boolean;
  readonly error?: string;
  readonly features: FeatureUpsyncSummary[];
  readonly totals: {
    readonly rowsRead: number;
    readonly written: number;
    readonly quarantined: number;
    readonly skippedAsOlder: number | null;
    readonly durationMs: number;
    readonly rowsPerSec: number;
  };
}

/** Checks the request (UpsyncError), then runs it; store failures end up in the summary (ok: false). */
export async function runUpsync(options: UpsyncOptions): Promise<UpsyncSummary> {
  const plan = planUpsync(options.catalog, options.manifest, options.features, options.consumer);
  const settings = checkedSettings(options);
  if (!settings.dryRun && (options.writePath === null || options.watermarks === null)) {
    throw new TypeError('runUpsync: writePath and watermarks are required unless dryRun');
  }
  const runId = options.runId ?? newRunId();
  const started = performance.now();
  const features: FeatureUpsyncSummary[] = [];
  const budget = { quarantined: 0 };
  let error: string | undefined;
  for (const feature of plan.features) {
    if (options.signal?.aborted) break;
    const summary = await upsyncFeature(feature, plan.consumer, options, settings, runId, budget);
    features.push(summary);
    if (summary.error !== undefined) {
      error = `${feature.name}: ${summary.error}`;
      break;
    }
  }
  const durationMs = Math.round(performance.now() - started);
  const sum = (pick: (f: FeatureUpsyncSummary) => number) => features.reduce((n, f) => n + pick(f), 0);
  const written = sum((f) => f.written);
  const interrupted = options.signal?.aborted === true;
  return {
    ok: error === undefined && !interrupted,
    runId,
    dryRun: settings.dryRun,
    interrupted,
    ...(error !== undefined ? { error } : {}),
    features,
    totals: {
      rowsRead: sum((f) => f.rowsRead),
      written,
      quarantined: sum((f) => f.quarantined),
      skippedAsOlder: features.some((f) => f.skippedAsOlder === null) ? null : sum((f) => f.skippedAsOlder ?? 0),
      durationMs,
      rowsPerSec: rate(sum((f) => f.rowsRead), durationMs),
    },
  };
}

interface Settings {
  readonly overlapMs: number;
  readonly concurrency: number;
  readonly pageSize: number;
  readonly maxRowsPerSec: number | null;
  readonly shard: { readonly index: number; readonly count: number };
  readonly dryRun: boolean;
  readonly maxQuarantined: number | null;
  readonly retries: number;
  readonly retryMinTimeoutMs: number;
}

function checkedSettings(o: UpsyncOptions): Settings {
  const positiveInt = (name: string, v: number) => {
    if (!Number.isSafeInteger(v) || v < 1) throw new UpsyncError(UPSYNC_INVALID_OPTIONS, UPSYNC_ERRORS.badCount(name, String(v)));
    return v;
  };
  const shard = o.shard ?? { index: 0, count: 1 };
  if (!Number.isSafeInteger(shard.index) || !Number.isSafeInteger(shard.count) || shard.index < 0 || shard.index >= shard.count) {
    throw new UpsyncError(UPSYNC_INVALID_OPTIONS, UPSYNC_ERRORS.badShard(`${shard.index}/${shard.count}`));
  }
  const overlapMs = o.overlapMs ?? UPSYNC_DEFAULTS.overlapMs;
  if (!Number.isSafeInteger(overlapMs) || overlapMs < 0) throw new UpsyncError(UPSYNC_INVALID_OPTIONS, UPSYNC_ERRORS.badDuration('overlap', String(overlapMs)));
  if (o.since && o.until && o.since.getTime() >= o.until.getTime()) {
    throw new UpsyncError(UPSYNC_INVALID_OPTIONS, UPSYNC_ERRORS.badWindow(o.since.toISOString(), o.until.toISOString()));
  }
  const maxQuarantined = o.maxQuarantined ?? null;
  if (maxQuarantined !== null && (!Number.isSafeInteger(maxQuarantined) || maxQuarantined < 0)) {
    throw new UpsyncError(UPSYNC_INVALID_OPTIONS, UPSYNC_ERRORS.badCountOrZero('maxQuarantined', String(maxQuarantined)));
  }
  return {
    overlapMs,
    concurrency: positiveInt('concurrency', o.concurrency ?? UPSYNC_DEFAULTS.concurrency),
    pageSize: positiveInt('pageSize', o.pageSize ?? UPSYNC_DEFAULTS.pageSize),
    maxRowsPerSec: o.maxRowsPerSec == null ? null : positiveInt('maxRowsPerSec', o.maxRowsPerSec),
    shard,
    dryRun: o.dryRun === true,
    maxQuarantined,
    retries: o.retries ?? UPSYNC_DEFAULTS.retries,
    retryMinTimeoutMs: o.retryMinTimeoutMs ?? UPSYNC_DEFAULTS.retryMinTimeoutMs,
  };
}

async function upsyncFeature(
  feature: PlannedFeature,
  consumer: string,
  options: UpsyncOptions,
  s: Settings,
  runId: string,
  budget: { quarantined: number },
): Promise<FeatureUpsyncSummary> {
  const started = performance.now();
  const shard = shardLabel(s.shard);
  const mode: UpsyncMode = options.mode ?? (feature.manifest.upsync.incrementalUpdate ? 'incremental' : 'full');
  const table = offlineTableOf(feature.manifest);
  const sink = options.quarantine(feature);
  let rowsRead = 0;
  let written = 0;
  let quarantined = 0;
  let superseded: number | null = 0;
  let failure: unknown = null;
  let beforeMs: number | null = null;
  let since: Date | null = options.since ?? null;
  let saver: WatermarkSaver | null = null;
  let grant: WriteGrant | null = null;

  const summary = (watermarkAfterMs: number | null, error?: unknown): FeatureUpsyncSummary => {
    const durationMs = Math.round(performance.now() - started);
    return {
      feature: feature.name,
      shard,
      mode,
      since: since?.toISOString() ?? null,
      until: options.until?.toISOString() ?? null,
      rowsRead,
      written,
      quarantined,
      skippedAsOlder: superseded,
      durationMs,
      rowsPerSec: rate(rowsRead, durationMs),
      watermarkBefore: beforeMs === null ? null : new Date(beforeMs).toISOString(),
      watermarkAfter: watermarkAfterMs === null ? null : new Date(watermarkAfterMs).toISOString(),
      quarantine: quarantined > 0 && !s.dryRun ? sink.where : null,
      ...(error !== undefined ? { error: messageOf(error) } : {}),
    };
  };

  try {
    const before = options.watermarks ? await options.watermarks.get(feature.name, shard) : null;
    beforeMs = before?.at.getTime() ?? null;
    if (mode === 'incremental' && options.since === undefined && beforeMs !== null) since = new Date(Math.max(beforeMs - s.overlapMs, -8.64e15));
    // A grant now: the ACL refuses before any row is read.
    grant = options.writePath ? options.writePath.grant(consumer, feature.name, feature.catalog.featureType, 'upsync') : null;
    if (!s.dryRun && options.watermarks) saver = new WatermarkSaver(options.watermarks, feature.name, shard, runId, beforeMs);
  } catch (e) {
    return summary(beforeMs, e);
  }

  let total: number | null = null;
  const report = (phase: UpsyncProgress['phase']) => options.onProgress?.({ feature: feature.name, phase, rowsRead, written, quarantined, total });
  const onTotal =
    options.countTotal === true && options.onProgress
      ? (rows: number) => {
          total = rows;
          report('page');
        }
      : undefined;
  report('start');

  const limit = pLimit(s.concurrency);
  const bucket = s.maxRowsPerSec === null ? null : new TokenBucket({ bucketSize: Math.max(s.maxRowsPerSec, s.pageSize), tokensPerInterval: s.maxRowsPerSec, interval: 'second' });
  const prefix = new PagePrefix();
  const inflight = new Set<Promise<void>>();
  let seq = 0;

  const writeRows = async (rows: readonly unknown[]): Promise<WriteReport> => {
    const g = grant;
    const path = options.writePath;
    if (rows.length === 0 || s.dryRun || g === null || path === null) return { superseded: 0 };
    const call = () =>
      g.type === 'Object'
        ? path.put(g as WriteGrant<'Object'>, rows as Parameters<WritePath['put']>[1])
        : path.append(g as WriteGrant<'History'>, rows as Parameters<WritePath['append']>[1]);
    return pRetry(call, {
      retries: s.retries,
      minTimeout: s.retryMinTimeoutMs,
      maxTimeout: UPSYNC_DEFAULTS.retryMaxTimeoutMs,
      shouldRetry: ({ error }) => isTransientStoreError(error),
    });
  };

  const handlePage = async (pageSeq: number, page: PreparedPage): Promise<void> => {
    const entries = page.quarantine;
    quarantined += entries.length;
    budget.quarantined += entries.length;
    if (s.maxQuarantined !== null && budget.quarantined > s.maxQuarantined) {
      failure ??= new UpsyncError(UPSYNC_TOO_MANY_QUARANTINED, UPSYNC_ERRORS.tooManyQuarantined(budget.quarantined, s.maxQuarantined));
    }
    const [result] = await Promise.all([writeRows(page.rows), s.dryRun ? undefined : sink.write(entries)]);
    written += s.dryRun ? 0 : page.rows.length;
    superseded = superseded === null || result.superseded === null ? null : superseded + result.superseded;
    const grew = prefix.finish(pageSeq, page.newestMs);
    if (grew !== null) saver?.advance(grew);
  };

  const read = { since, ...(options.until ? { until: options.until } : {}), pageSize: s.pageSize, ...(s.shard.count > 1 ? { shard: s.shard } : {}) };
  const pages = options.readInWorker
    ? workerPages(options.readInWorker, feature, read, runId, Math.max(s.concurrency + 1, Math.ceil(WORKER_AHEAD_ROWS / s.pageSize)), onTotal)
    : inlinePages(requireStore(options.offline), table, feature, read, runId, onTotal);
  try {
    for await (const page of pages) {
      if (options.signal?.aborted || failure !== null) break;
      rowsRead += page.rowsRead;
      if (bucket && page.rowsRead > 0) await bucket.removeTokens(page.rowsRead);
      const pageSeq = seq++;
      const task: Promise<void> = limit(handlePage, pageSeq, page).catch((e: unknown) => {
        failure ??= e;
      });
      inflight.add(task);
      void task.finally(() => inflight.delete(task));
      report('page');
      while (inflight.size >= s.concurrency && failure === null) await Promise.race(inflight);
      if (options.signal?.aborted || failure !== null) break;
    }
  } catch (e) {
    failure ??= e;
  }
  await Promise.allSettled([...inflight]);
  let afterMs: number | null = beforeMs;
  if (saver) {
    try {
      afterMs = await saver.flush();
    } catch (e) {
      failure ??= e;
      afterMs = saver.saved;
    }
  }
  report('end');
  return summary(afterMs, failure ?? undefined);
}

function requireStore(store: OfflineStore | null): OfflineStore {
  if (!store) throw new TypeError('runUpsync: give an offline store or readInWorker');
  return store;
}

function rate(rows: number, ms: number): number {
  return ms <= 0 ? rows : Math.round((rows * 1000) / ms);
}

function messageOf(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0] ?? message;
}

function newRunId(): string {
  return `upsync-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
}
