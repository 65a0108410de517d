/**
 * `featurestore upsync`: offline rows (DuckDB or BigQuery) into the online store (SQLite or Cassandra),
 * full or incremental, through the engine in runtime/upsync (this file parses flags, opens the stores,
 * draws progress and prints the summary). The Airflow operator runs it with repeated `--feature` and
 * reads the last stdout line (`--json`: one JSON object); people type `--features a,b`. Both work.
 *
 * Exit codes: 0 every feature synced (quarantined rows included: the summary and a stderr line say how
 * many; `--max-quarantined N` makes more than N a failure); 1 a store failed, too many rows were
 * quarantined, or the run was interrupted (SIGTERM/SIGINT: reading stops, pages in flight finish, the
 * watermark is saved, the summary printed); 2 a flag, a feature name or the ACL (one line, nothing opened).
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import { Option, type Command } from 'commander';
import { parseDuration } from '../generator/spec/duration.ts';
import { UsageError } from '../generator/diagnostics.ts';
import { CassandraWatermarkStore } from '../runtime/upsync/cassandra-watermarks.ts';
import { JsonlQuarantine, type QuarantineSink } from '../runtime/upsync/quarantine.ts';
import { runUpsync, UPSYNC_DEFAULTS, type UpsyncMode, type UpsyncProgress, type UpsyncSummary } from '../runtime/upsync/run-upsync.ts';
import { SqliteWatermarkStore } from '../runtime/upsync/sqlite-watermarks.ts';
import { UPSYNC_ERRORS, UpsyncError } from '../runtime/upsync/upsync-errors.ts';
import { planUpsync } from '../runtime/upsync/upsync-plan.ts';
import type { WatermarkStore } from '../runtime/upsync/watermark-store.ts';
import { WarmReadWorker, type WorkerReadSpec } from '../runtime/upsync/worker-pages.ts';
import { offlineTableOf } from '../runtime/offline/offline-table.ts';
import { EXIT_INVALID, EXIT_OK, type Io } from './io.ts';
import { addStoreOptions, checkStoreFlags, openCheckedStores, StoreOpenError, type OnlineTarget, type StoreFlags, type SyncStores } from './store-flags.ts';

export const QUARANTINE_DIR = 'featurestore-quarantine';
const MAX_SHARDS = 100_000;

export const UPSYNC_CLI_ERRORS = {
  watermarksFailed: (store: string, message: string) => `cannot open the upsync watermarks in the online store (${store}): ${message}`,
  failed: (message: string) => `upsync failed: ${message}`,
  interrupted: 'upsync interrupted: pages in flight were finished and the watermark saved; rerun to continue',
  quarantined: (count: number, where: string) => `${count} row(s) could not be written and were quarantined: see ${where}`,
} as const;

export interface UpsyncFlags extends StoreFlags {
  readonly features?: string;
  readonly feature?: readonly string[];
  readonly full?: boolean;
  readonly incremental?: boolean;
  readonly since?: string;
  readonly until?: string;
  readonly overlap: string;
  readonly maxRowsPerSec?: string;
  readonly concurrency: string;
  readonly pageSize: string;
  readonly shard: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly consumer?: string;
  readonly quarantine?: string;
  readonly maxQuarantined?: string;
  /** Default true: offline reads and encoding on a worker thread. */
  readonly readWorker?: boolean;
}

export interface UpsyncHooks {
  /** Aborting it acts as SIGTERM (tests); the process signals are handled too unless `signals: false`. */
  readonly signal?: AbortSignal;
  readonly signals?: boolean;
  /** Draw the progress bar (default: when the progress stream is a TTY). */
  readonly progress?: boolean;
  /** Where the bar goes (default: process.stderr); tests pass a TTY-like stream. */
  readonly progressStream?: ProgressStream;
}

/** A stream the bar can draw on: cli-progress draws only when `isTTY` is true. */
export type ProgressStream = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };

export function defineUpsyncCommand(program: Command, io: Io, setExit: (code: number) => void): Command {
  const cmd = program
    .command('upsync')
    .description('copy feature rows from the offline store (DuckDB, BigQuery) to the online store (SQLite, Cassandra), full or incremental')
    .option('--features <list>', 'features to sync, comma-separated (NS::NAME-vN,...)')
    .option('--feature <name>', 'a feature to sync (repeatable)', (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--full', 'read every row (backfill), then set the watermark to the newest row read')
    .option('--incremental', 'read rows updated since the watermark minus --overlap (default: each feature\'s upsync.incremental_update)')
    .option('--since <time>', 'read rows with fs_updated_at >= TIME (ISO 8601), instead of the watermark')
    .option('--until <time>', 'read rows with fs_updated_at < TIME (ISO 8601): a stable upper edge')
    .option('--overlap <duration>', 'incremental: re-read this much before the watermark, for late rows', '10m')
    .option('--max-rows-per-sec <n>', 'throughput limit in rows per second (default: none)')
    .option('--concurrency <n>', 'pages written at once', String(UPSYNC_DEFAULTS.concurrency))
    .option('--page-size <n>', 'rows per page read from the offline store', String(UPSYNC_DEFAULTS.pageSize))
    .option('--shard <i/n>', 'sync only shard i of n (by key hash): n workers together sync every row once', '0/1')
    .option('--dry-run', 'read and validate, write nothing (the watermark is left alone)')
    .addOption(new Option('--json', 'print one JSON summary line on stdout').default(false))
    .option('--consumer <name>', 'the consumer whose access.write the writes use (default: the one that may write every feature)')
    .option('--quarantine <file>', `JSONL file for rows that cannot be written (default: ${QUARANTINE_DIR}/<table>.jsonl beside the config file)`)
    .option('--max-quarantined <n>', 'fail the run (exit 1) when more rows than this are quarantined (default: unlimited)')
    .option('--no-read-worker', 'read and encode on the main thread instead of a worker thread (slower; for debugging)');
  addStoreOptions(cmd, { online: true, offline: true, cache: true });
  cmd.action(async (opts: UpsyncFlags) => {
    setExit(await upsyncCommand(opts, io));
  });
  return cmd;
}

interface CheckedFlags {
  readonly features: string[];
  readonly mode: UpsyncMode | undefined;
  readonly since: Date | undefined;
  readonly until: Date | undefined;
  readonly overlapMs: number;
  readonly maxRowsPerSec: number | null;
  readonly concurrency: number;
  readonly pageSize: number;
  readonly shard: { readonly index: number; readonly count: number };
  readonly maxQuarantined: number | null;
}

export function checkUpsyncFlags(opts: UpsyncFlags): CheckedFlags {
  const features = [...(opts.features?.split(',').map((f) => f.trim()).filter((f) => f !== '') ?? []), ...(opts.feature ?? [])];
  if (features.length === 0) throw new UsageError(UPSYNC_ERRORS.noFeatures);
  if (opts.full && opts.incremental) throw new UsageError(UPSYNC_ERRORS.fullAndIncremental);
  const since = opts.since === undefined ? undefined : parseTime('--since', opts.since);
  const until = opts.until === undefined ? undefined : parseTime('--until', opts.until);
  if (since && until && since.getTime() >= until.getTime()) throw new UsageError(UPSYNC_ERRORS.badWindow(opts.since as string, opts.until as string));
  const overlapMs = parseDuration(opts.overlap);
  if (overlapMs === undefined) throw new UsageError(UPSYNC_ERRORS.badDuration('--overlap', opts.overlap));
  return {
    features,
    mode: opts.full ? 'full' : opts.incremental ? 'incremental' : undefined,
    since,
    until,
    overlapMs,
    maxRowsPerSec: opts.maxRowsPerSec === undefined ? null : positive('--max-rows-per-sec', opts.maxRowsPerSec),
    concurrency: positive('--concurrency', opts.concurrency),
    pageSize: positive('--page-size', opts.pageSize, 100_000),
    shard: parseShard(opts.shard),
    maxQuarantined: opts.maxQuarantined === undefined ? null : nonNegative('--max-quarantined', opts.maxQuarantined),
  };
}

export async function upsyncCommand(opts: UpsyncFlags, io: Io, hooks: UpsyncHooks = {}): Promise<number> {
  // Every flag checked before anything opens (UsageError: exit 2, one line).
  const flags = checkUpsyncFlags(opts);
  const checkedStores = await checkStoreFlags(opts);
  // The read worker loads its code while the stores open (no default offline flag: the config's DuckDB file).
  const warm = opts.readWorker !== false ? new WarmReadWorker(checkedStores.offline?.kind ?? 'duckdb') : null;
  try {
    return await upsyncWith(opts, io, hooks, flags, checkedStores, warm);
  } finally {
    await warm?.close();
  }
}

async function upsyncWith(
  opts: UpsyncFlags,
  io: Io,
  hooks: UpsyncHooks,
  flags: CheckedFlags,
  checkedStores: Awaited<ReturnType<typeof checkStoreFlags>>,
  warm: WarmReadWorker | null,
): Promise<number> {
  let stores: SyncStores;
  try {
    stores = await openCheckedStores(opts, checkedStores, { online: true, offline: true, cache: true }, {
      validate: (catalog, manifest) => {
        try {
          planUpsync(catalog, manifest, flags.features, opts.consumer);
        } catch (e) {
          if (e instanceof UpsyncError) throw new UsageError(e.message);
          throw e;
        }
      },
    });
  } catch (e) {
    if (e instanceof StoreOpenError) return fail(io, e.message);
    throw e;
  }
  let watermarks: WatermarkStore;
  try {
    watermarks = await openWatermarks(stores.onlineTarget as OnlineTarget);
  } catch (e) {
    await stores.close();
    return fail(io, UPSYNC_CLI_ERRORS.watermarksFailed(stores.describe.online ?? '', e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e)));
  }

  const abort = new AbortController();
  const onSignal = () => abort.abort();
  const useSignals = hooks.signals !== false;
  if (useSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  const external = hooks.signal;
  if (external) {
    if (external.aborted) abort.abort();
    else external.addEventListener('abort', onSignal, { once: true });
  }
  // The offline store was opened above to fail fast (and to create DuckDB tables); the worker opens its own.
  const spec = opts.readWorker !== false ? workerSpec(stores) : undefined;
  const readInWorker = spec && warm ? { ...spec, warm } : spec;
  if (readInWorker) await stores.offline?.close();
  const progressStream: ProgressStream = hooks.progressStream ?? process.stderr;
  // Never on a non-TTY (a log file, Airflow's task log): no escape codes there, the summary says it all.
  const bar = (hooks.progress ?? progressStream.isTTY === true) && progressStream.isTTY === true ? progressBar(progressStream) : null;
  const sinks = new Map<string, QuarantineSink>();
  const sinkFor = (file: string) => {
    let sink = sinks.get(file);
    if (!sink) sinks.set(file, (sink = new JsonlQuarantine(file)));
    return sink;
  };
  let summary: UpsyncSummary;
  try {
    summary = await runUpsync({
      catalog: stores.catalog,
      manifest: stores.manifest,
      offline: readInWorker ? null : stores.offline,
      ...(readInWorker ? { readInWorker } : {}),
      writePath: stores.writePath,
      watermarks,
      features: flags.features,
      ...(opts.consumer !== undefined ? { consumer: opts.consumer } : {}),
      ...(flags.mode ? { mode: flags.mode } : {}),
      ...(flags.since ? { since: flags.since } : {}),
      ...(flags.until ? { until: flags.until } : {}),
      overlapMs: flags.overlapMs,
      concurrency: flags.concurrency,
      pageSize: flags.pageSize,
      maxRowsPerSec: flags.maxRowsPerSec,
      shard: flags.shard,
      dryRun: opts.dryRun === true,
      maxQuarantined: flags.maxQuarantined,
      quarantine: (f) => sinkFor(opts.quarantine ?? path.join(stores.projectDir, QUARANTINE_DIR, `${f.manifest.tableName}.jsonl`)),
      signal: abort.signal,
      ...(bar ? { onProgress: bar.update, countTotal: true } : {}),
    });
  } finally {
    bar?.stop();
    if (useSignals) {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
    external?.removeEventListener('abort', onSignal);
    await watermarks.close().catch(() => {});
    await stores.close();
  }
  printSummary(summary, opts.json === true, io);
  return summary.ok ? EXIT_OK : EXIT_INVALID;
}

function printSummary(summary: UpsyncSummary, json: boolean, io: Io): void {
  for (const f of summary.features) {
    const older = f.skippedAsOlder === null ? 'skipped as older: unknown (Cassandra)' : `${f.skippedAsOlder} skipped as older`;
    const line =
      `${f.feature} [shard ${f.shard}, ${f.mode}${summary.dryRun ? ', dry run' : ''}]: ${f.rowsRead} read, ${f.written} written, ${f.quarantined} quarantined, ${older}, ` +
      `${f.rowsPerSec} rows/s in ${f.durationMs} ms, watermark ${f.watermarkBefore ?? 'none'} → ${f.watermarkAfter ?? 'none'}`;
    // With --json, stdout is the one JSON line: the human lines go to stderr.
    if (json) io.err(`featurestore upsync: ${line}\n`);
    else io.out(`${line}\n`);
    if (f.quarantined > 0) io.err(`featurestore upsync: ${f.feature}: ${UPSYNC_CLI_ERRORS.quarantined(f.quarantined, f.quarantine ?? '(dry run: not written)')}\n`);
  }
  if (summary.interrupted) io.err(`featurestore: ${UPSYNC_CLI_ERRORS.interrupted}\n`);
  else if (summary.error !== undefined) io.err(`featurestore: ${UPSYNC_CLI_ERRORS.failed(summary.error)}\n`);
  if (json) io.out(`${JSON.stringify(summary)}\n`);
}

function workerSpec(stores: SyncStores): WorkerReadSpec | undefined {
  const target = stores.offlineTarget;
  if (!target) return undefined;
  const generatedDir = path.resolve(stores.generatedDir);
  if (target.kind === 'duckdb') {
    return { generatedDir, offline: { kind: 'duckdb', path: path.resolve(target.path), tables: Object.values(stores.manifest.features).map(offlineTableOf) } };
  }
  const endpoint = process.env['BIGQUERY_API_ENDPOINT'];
  return { generatedDir, offline: { kind: 'bigquery', projectId: target.projectId, dataset: target.dataset, location: target.location, ...(endpoint ? { endpoint } : {}) } };
}

async function openWatermarks(target: OnlineTarget): Promise<WatermarkStore> {
  if (target.kind === 'sqlite') return SqliteWatermarkStore.open(target.path);
  return CassandraWatermarkStore.open({ keyspace: target.keyspace, settings: target.settings, ...(target.consistency ? { consistency: target.consistency } : {}) });
}

/**
 * rows read, written, quarantined, rows/s, and, when the total is known (a DuckDB COUNT; never on
 * BigQuery), the percentage and an ETA from the rate so far. Redrawn at most 5 times a second.
 */
function progressBar(stream: ProgressStream): { update: (p: UpsyncProgress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    {
      format: '{feature} {value}{of} rows read, {written} written, {quarantined} quarantined, {speed} rows/s{remaining}',
      stream,
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = 0;
  let active = false;
  return {
    update: (p) => {
      if (p.phase === 'start') {
        if (active) bar.stop();
        started = performance.now();
        bar.start(0, 0, { feature: p.feature, written: 0, quarantined: 0, speed: 0, of: '', remaining: '' });
        active = true;
        return;
      }
      const seconds = (performance.now() - started) / 1000;
      const speed = seconds > 0 ? p.rowsRead / seconds : 0;
      if (p.total !== null) bar.setTotal(p.total);
      bar.update(p.rowsRead, {
        feature: p.feature,
        written: p.written,
        quarantined: p.quarantined,
        speed: Math.round(speed),
        of: p.total === null ? '' : `/${p.total}`,
        // Not `eta`: cli-progress fills that name itself (in seconds, INF before a rate).
        remaining: p.total === null ? '' : `, ${Math.min(100, Math.floor((100 * p.rowsRead) / Math.max(1, p.total)))} %, ETA ${etaText(p.total - p.rowsRead, speed)}`,
      });
      if (p.phase === 'end') {
        bar.stop();
        active = false;
      }
    },
    stop: () => {
      if (active) bar.stop();
      active = false;
    },
  };
}

/** The time left at the current rate: `12s`, `3m04s`, `1h02m`; `?` before any rate. */
export function etaText(rowsLeft: number, rowsPerSec: number): string {
  if (rowsLeft <= 0) return '0s';
  if (!(rowsPerSec > 0)) return '?';
  const s = Math.ceil(rowsLeft / rowsPerSec);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function fail(io: Io, message: string): number {
  io.err(`featurestore: ${message}\n`);
  return EXIT_INVALID;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** ISO 8601; a time without an offset is UTC (Airflow passes offsets; a person typing a date means UTC). */
export function parseTime(flag: string, text: string): Date {
  const m = ISO_TIME.exec(text);
  if (!m) throw new UsageError(UPSYNC_ERRORS.badTime(flag, text));
  const withZone = text.length > 10 && m[1] === undefined ? `${text}Z` : text;
  const ms = Date.parse(withZone.replace(' ', 'T'));
  if (Number.isNaN(ms)) throw new UsageError(UPSYNC_ERRORS.badTime(flag, text));
  return new Date(ms);
}

export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || count > MAX_SHARDS || index >= count) throw new UsageError(UPSYNC_ERRORS.badShard(text));
  return { index, count };
}

function positive(flag: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > max) throw new UsageError(UPSYNC_ERRORS.badCount(flag, value));
  return n;
}

function nonNegative(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(UPSYNC_ERRORS.badCountOrZero(flag, value));
  return n;
}
