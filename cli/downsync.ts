/**
 * `featurestore downsync`: the command worker (runtime/downsync/downsync-worker.ts) as a process. It
 * joins the consumer group `--group` on the command topic, applies commands to the online store (behind
 * the Redis cache when `--redis`), samples `downsync.enabled` features into the offline store, and
 * dead-letters to `<topic>.dlq` (created with the topic's partition count when missing; the command
 * topic itself must exist: topics are provisioned, and a typo must not create one).
 *
 * Output: one JSON line per lifecycle event on stdout (`{"time":…,"event":"started",…}`): started,
 * metrics (the URL), a batch or flush that failed, cache deletes failing / confirmed again, stopping,
 * stopped (with the totals). Flags are checked before anything opens (exit 2, one line); a store or
 * Kafka that cannot be reached is exit 1, one line. SIGTERM/SIGINT: the batch in flight is finished,
 * flushed and committed, the group left, exit 0.
 *
 * The sampler state lives beside the online store (a table in the SQLite file or the Cassandra
 * keyspace), so every worker of a group sees the same state; they must share `--sampling-seed` too.
 */
import { createServer, type Server } from 'node:http';
import { Option, type Command } from 'commander';
import { UsageError } from '../generator/diagnostics.ts';
import { CassandraSamplerStateStore } from '../runtime/downsync/cassandra-sampler-state.ts';
import {
  createDownsyncMetrics,
  DEFAULT_FLUSH_MS,
  DEFAULT_FLUSH_ROWS,
  DEFAULT_SAMPLING_SEED,
  deadLetterTopicOf,
  downsyncFeaturesOf,
  DownsyncWorker,
  type SamplerStateStore,
} from '../runtime/downsync/index.ts';
import type { FeatureStream } from '../runtime/stream/feature-stream.ts';
import type { KafkaFeatureStream } from '../runtime/stream/kafka/kafka-feature-stream.ts';
import { openFeatureStream } from '../runtime/stream/open-feature-stream.ts';
import { EXIT_INVALID, EXIT_OK, type Io } from './io.ts';
import { addStoreOptions, checkStoreFlags, openCheckedStores, StoreOpenError, type OnlineTarget, type StoreFlags, type SyncStores } from './store-flags.ts';
import { addStreamOptions, parseStreamFlags, streamOptionsOf, type StreamFlags, type StreamSpec } from './stream-flags.ts';

export const DOWNSYNC_DEFAULTS = {
  group: 'featurestore-downsync',
  flushRows: DEFAULT_FLUSH_ROWS,
  flushMs: DEFAULT_FLUSH_MS,
  samplingSeed: DEFAULT_SAMPLING_SEED,
  sessionTimeoutMs: 10_000,
  partitionsConcurrently: 4,
} as const;

export const DOWNSYNC_CLI_ERRORS = {
  badInteger: (flag: string, value: string, min: number, max: number) => `invalid ${flag} "${value}": expected an integer from ${min} to ${max}`,
  badGroup: (value: string) => `invalid --group "${value}": expected 1 to 255 printable characters`,
  noTopic: (topic: string, brokers: string) => `the command topic ${topic} does not exist on ${brokers} (create it, or pass --topic)`,
  streamFailed: (message: string) => `cannot reach the command stream: ${message}`,
  stateFailed: (store: string, message: string) => `cannot open the sampler state in the online store (${store}): ${message}`,
  metricsFailed: (port: number, message: string) => `cannot listen for metrics on port ${port} (--metrics-port): ${message}`,
  failed: (message: string) => `downsync failed: ${message}`,
} as const;

/** The `event` of the CLI's own log lines (the worker's are DOWNSYNC_LOG). */
export const DOWNSYNC_CLI_LOG = {
  metrics: 'metrics',
  memoryStream: 'in-process stream: only producers in this process reach it',
} as const;

export interface DownsyncFlags extends StoreFlags, StreamFlags {
  readonly group: string;
  readonly metricsPort?: string;
  readonly flushRows: string;
  readonly flushMs: string;
  readonly samplingSeed: string;
  readonly sessionTimeoutMs: string;
  readonly partitionsConcurrently?: string;
}

export interface DownsyncHooks {
  /** Aborting it acts as SIGTERM (tests); the process signals are handled too unless `signals: false`. */
  readonly signal?: AbortSignal;
  readonly signals?: boolean;
  /** The stream to use instead of opening one (tests: an in-process stream shared with a producer). */
  readonly stream?: FeatureStream;
  /** Called once consuming, with the metrics URL when --metrics-port was given. */
  readonly onStarted?: (info: { readonly worker: DownsyncWorker; readonly metricsUrl: string | null }) => void;
}

export function defineDownsyncCommand(program: Command, io: Io, setExit: (code: number) => void): Command {
  const cmd = program
    .command('downsync')
    .description('consume feature commands from Kafka: apply them to the online store, sample them into the offline store, dead-letter the rest')
    .option('--group <id>', 'consumer group: workers of one group share the topic by partitions', DOWNSYNC_DEFAULTS.group)
    .option('--metrics-port <n>', 'serve Prometheus metrics on http://0.0.0.0:N/metrics (0 picks a free port; default: none)')
    .option('--flush-rows <n>', 'append sampled rows to the offline store (then commit) every N rows', String(DOWNSYNC_DEFAULTS.flushRows))
    .option('--flush-ms <n>', '... or every N milliseconds, whichever comes first', String(DOWNSYNC_DEFAULTS.flushMs))
    .option('--sampling-seed <seed>', 'seed of the deterministic sampling draw (every worker of a group must use the same)', DOWNSYNC_DEFAULTS.samplingSeed)
    .addOption(new Option('--session-timeout-ms <n>', "Kafka group session timeout: a dead worker's partitions move after this (broker minimum 6000)").default(String(DOWNSYNC_DEFAULTS.sessionTimeoutMs)))
    .option('--partitions-concurrently <n>', 'partitions whose batches are processed at the same time (each partition in order)', String(DOWNSYNC_DEFAULTS.partitionsConcurrently));
  addStreamOptions(cmd);
  addStoreOptions(cmd, { online: true, offline: true, cache: true });
  cmd.action(async (opts: DownsyncFlags) => {
    setExit(await downsyncCommand(opts, io));
  });
  return cmd;
}

export async function downsyncCommand(flags: DownsyncFlags, io: Io, hooks: DownsyncHooks = {}): Promise<number> {
  // Every flag first: nothing opens on a typo.
  const flushRows = integer('--flush-rows', flags.flushRows, 1, 10_000_000);
  const flushMs = integer('--flush-ms', flags.flushMs, 1, 3_600_000);
  const sessionTimeoutMs = integer('--session-timeout-ms', flags.sessionTimeoutMs, 1_000, 3_600_000);
  const concurrency = integer('--partitions-concurrently', flags.partitionsConcurrently ?? String(DOWNSYNC_DEFAULTS.partitionsConcurrently), 1, 1_000);
  const metricsPort = flags.metricsPort === undefined ? null : integer('--metrics-port', flags.metricsPort, 0, 65_535);
  if (!/^[\x20-\x7e]{1,255}$/.test(flags.group)) throw new UsageError(DOWNSYNC_CLI_ERRORS.badGroup(flags.group));
  parseStreamFlags(flags, 'placeholder.topic');
  const checked = await checkStoreFlags(flags);

  const log = (event: string, fields: Readonly<Record<string, unknown>> = {}) => io.out(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
  let stores: SyncStores | null = null;
  let state: SamplerStateStore | null = null;
  let stream: FeatureStream | null = null;
  let server: Server | null = null;
  const closeAll = async () => {
    if (server) await new Promise((resolve) => server!.close(resolve));
    if (stream && stream !== hooks.stream) await stream.close().catch(() => {});
    await state?.close().catch(() => {});
    await stores?.close();
  };
  try {
    try {
      stores = await openCheckedStores(flags, checked, { online: true, offline: true, cache: true });
    } catch (e) {
      if (e instanceof StoreOpenError) return fail(io, e.message);
      throw e;
    }
    const spec = parseStreamFlags(flags, stores.manifest.project.kafka.topic);
    try {
      state = await openSamplerState(stores.onlineTarget as OnlineTarget);
    } catch (e) {
      return fail(io, DOWNSYNC_CLI_ERRORS.stateFailed(stores.describe.online ?? '', firstLine(e)));
    }
    try {
      stream = hooks.stream ?? (await openStream(spec, sessionTimeoutMs, concurrency));
    } catch (e) {
      return fail(io, e instanceof UsageError ? e.message : DOWNSYNC_CLI_ERRORS.streamFailed(firstLine(e)));
    }
    if (spec.kind === 'memory' && !hooks.stream) log(DOWNSYNC_CLI_LOG.memoryStream);

    const metrics = createDownsyncMetrics({ defaultMetrics: true });
    let metricsUrl: string | null = null;
    if (metricsPort !== null) {
      server = createServer((req, res) => {
        if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
          metrics.render().then(
            (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
            (e: unknown) => res.writeHead(500).end(String(e)),
          );
        } else res.writeHead(404).end();
      });
      try {
        await new Promise<void>((resolve, reject) => {
          server!.once('error', reject);
          server!.listen(metricsPort, '0.0.0.0', () => resolve());
        });
      } catch (e) {
        server = null;
        return fail(io, DOWNSYNC_CLI_ERRORS.metricsFailed(metricsPort, firstLine(e)));
      }
      const address = server.address();
      metricsUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : metricsPort}/metrics`;
      log(DOWNSYNC_CLI_LOG.metrics, { url: metricsUrl });
    }

    const worker = new DownsyncWorker({
      stream,
      topic: spec.topic,
      groupId: flags.group,
      catalog: stores.catalog,
      features: downsyncFeaturesOf(stores.catalog, stores.manifest),
      writePath: stores.writePath!,
      cache: stores.cache,
      offline: stores.offline,
      samplerState: state,
      samplingSeed: flags.samplingSeed,
      flushRows,
      flushMs,
      heartbeatMs: heartbeatIntervalOf(sessionTimeoutMs),
      metrics,
      log,
    });
    const stopRequested = stopSignal(hooks);
    try {
      await worker.start();
    } catch (e) {
      stopRequested.dispose();
      return fail(io, DOWNSYNC_CLI_ERRORS.streamFailed(firstLine(e)));
    }
    hooks.onStarted?.({ worker, metricsUrl });
    const reason = await stopRequested.promise;
    try {
      await worker.stop(reason);
    } catch (e) {
      return fail(io, DOWNSYNC_CLI_ERRORS.failed(firstLine(e)));
    }
    return EXIT_OK;
  } finally {
    await closeAll();
  }
}

async function openSamplerState(target: OnlineTarget): Promise<SamplerStateStore> {
  if (target.kind === 'sqlite') {
    const { SqliteSamplerStateStore } = await import('../runtime/downsync/sqlite-sampler-state.ts');
    return new SqliteSamplerStateStore(target.path);
  }
  const { createOnlineCassandraClient } = await import('../runtime/online/cassandra/cassandra-online-store.ts');
  const client = createOnlineCassandraClient(target.settings);
  const store = new CassandraSamplerStateStore({ client, keyspace: target.keyspace, ownsClient: true });
  try {
    await store.createTable();
  } catch (e) {
    await store.close().catch(() => {});
    throw e;
  }
  return store;
}

/** A tenth of the session timeout: a member survives nine lost heartbeats. */
function heartbeatIntervalOf(sessionTimeoutMs: number): number {
  return Math.max(100, Math.floor(sessionTimeoutMs / 10));
}

/** The Kafka stream, after checking the topic exists and creating its dead-letter topic when missing. */
async function openStream(spec: StreamSpec, sessionTimeoutMs: number, partitionsConsumedConcurrently: number): Promise<FeatureStream> {
  const base = streamOptionsOf(spec, 'featurestore-downsync');
  const stream = await openFeatureStream(
    base.kind === 'kafka' ? { ...base, sessionTimeoutMs, heartbeatIntervalMs: heartbeatIntervalOf(sessionTimeoutMs), partitionsConsumedConcurrently } : base.kind === 'memory' ? { ...base, partitionsConsumedConcurrently } : base,
  );
  if (spec.kind !== 'kafka') return stream;
  try {
    const admin = (stream as KafkaFeatureStream).kafka.admin();
    await admin.connect();
    let partitions: number;
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(spec.topic)) throw new UsageError(DOWNSYNC_CLI_ERRORS.noTopic(spec.topic, spec.brokers.join(',')));
      const metadata = await admin.fetchTopicMetadata({ topics: [spec.topic] });
      partitions = metadata.topics[0]?.partitions.length ?? 1;
    } finally {
      await admin.disconnect();
    }
    await (stream as KafkaFeatureStream).createTopic(deadLetterTopicOf(spec.topic), partitions);
    return stream;
  } catch (e) {
    await stream.close().catch(() => {});
    throw e;
  }
}

type StopReason = 'SIGINT' | 'SIGTERM' | 'aborted';

function stopSignal(hooks: DownsyncHooks): { promise: Promise<StopReason>; dispose(): void } {
  let dispose = () => {};
  const promise = new Promise<StopReason>((resolve) => {
    const done = (reason: StopReason) => {
      dispose();
      resolve(reason);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    const onAbort = () => done('aborted');
    const useSignals = hooks.signals !== false;
    dispose = () => {
      if (useSignals) {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      }
      hooks.signal?.removeEventListener('abort', onAbort);
    };
    if (useSignals) {
      process.once('SIGINT', onInt);
      process.once('SIGTERM', onTerm);
    }
    if (hooks.signal?.aborted) done('aborted');
    else hooks.signal?.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => dispose() };
}

function integer(flag: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(DOWNSYNC_CLI_ERRORS.badInteger(flag, value, min, max));
  return n;
}

function fail(io: Io, message: string): number {
  io.err(`featurestore: ${message}\n`);
  return EXIT_INVALID;
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0] ?? message;
}
