/**
 * `npm run bench:downsync [-- --n 200000 --duration 20 --rate 5000 --cpu-prof]`: the downsync worker
 * against the services harness's Kafka, Cassandra and Redis, in one run:
 * 1. the raw ceilings: kafkajs alone consuming a fresh topic of N pre-encoded command envelopes
 *    (eachBatch, no processing) → messages/s; and the raw cassandra-driver INSERT / SELECT the worker
 *    makes per command → ops/s (what bounds the worker on Cassandra);
 * 2. one worker (`featurestore downsync` as a child process, the CLI from the sources) through the same
 *    N commands into SQLite (no cache, the embedded setup), then into Cassandra behind the Redis cache
 *    (production) → commands/s and the ratio to (1); both sample into a DuckDB file of their own;
 * 3. freshness: typed sends (CommandProducer on Kafka) at `--rate` commands/s for `--duration` s while
 *    the Cassandra worker runs, the Read API (`featurestore serve`, Cassandra + Redis) polled until each
 *    sampled command is readable → send → readable p50/p95/p99/max, and the worker's own histograms;
 *    `--freshness-store sqlite` measures the SQLite worker instead (the Read API reading its file): the
 *    pipeline's own latency where the store does not cap the worker below the send rate.
 * 4. the producer alone: typed puts offered at 5,000 and 40,000/s to a topic no worker reads → sends
 *    acknowledged per second (what the producer and the broker sustain without the worker competing).
 * `--cpu-prof` runs the workers under `node --cpu-prof` and prints where their CPU went. Results also
 * go to .bench/downsync-<time>.json; the topics are deleted at the end.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { createCommandProducer } from '../runtime/downsync/producer/index.ts';
import { loadFeatureCatalog } from '../runtime/manifest/feature-catalog.ts';
import { openKafkaFeatureStream } from '../runtime/stream/kafka/kafka-feature-stream.ts';
import { createKeyspace, machineLoad } from './bench/read/bench-setup.ts';
import { fmt, targetTable, textTable, type Target } from './bench/read/report.ts';
import { encodeCommands, PRODUCER, ROOM } from './bench/downsync/commands.ts';
import { mainThreadProfile, profileLines, summarizeProfile, type ProfileSummary } from './bench/downsync/cpu-profile.ts';
import { measureFreshness, quantile, type FreshnessResult } from './bench/downsync/freshness.ts';
import { bucketQuantiles, buckets, type BucketQuantiles } from './bench/downsync/prom-text.ts';
import { rawCassandra, type RawCassandra } from './bench/downsync/raw-cassandra.ts';
import { producerRate, type ProducerRate } from './bench/downsync/producer-rate.ts';
import { rawConsume } from './bench/downsync/raw-consume.ts';
import { API_KEY, servicesUp, startReadApi } from './bench/downsync/setup.ts';
import { runWorker, scrape, type WorkerRun } from './bench/downsync/worker-run.ts';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '200000' },
    keys: { type: 'string', default: '50000' },
    partitions: { type: 'string', default: '4' },
    rate: { type: 'string', default: '5000' },
    duration: { type: 'string', default: '20' },
    'sample-every': { type: 'string', default: '50' },
    keyspace: { type: 'string', default: 'featurestore_bench_downsync' },
    'cpu-prof': { type: 'boolean', default: false },
    // Which worker the freshness phase measures: Cassandra behind Redis (production), or SQLite (the
    // pipeline's own latency where the store is not the bottleneck; the Read API reads the same file).
    'freshness-store': { type: 'string', default: 'cassandra' },
  },
});
const N = Number(args.n);
const KEYS = Math.min(N, Number(args.keys));
const PARTITIONS = Number(args.partitions);
const RATE = Number(args.rate);
const DURATION_SEC = Number(args.duration);
const SAMPLE_EVERY = Number(args['sample-every']);
const WARMUP_SEC = 2;
const FRESH_ROOMS = 20_000;
const PRODUCER_RATES = [5_000, 40_000];
const PRODUCER_SEC = 4;
const HISTOGRAM = 'featurestore_downsync_freshness_seconds';
const FRESHNESS_STORE = args['freshness-store'];
if (FRESHNESS_STORE !== 'cassandra' && FRESHNESS_STORE !== 'sqlite') throw new Error(`--freshness-store must be cassandra or sqlite, got ${FRESHNESS_STORE}`);
const log = (text: string) => process.stderr.write(`${text}\n`);
const secs = (ms: number) => `${fmt(ms / 1000, 1)} s`;

async function main(): Promise<void> {
  const loadBefore = machineLoad();
  log(`bench:downsync — ${os.cpus().length} CPUs, node ${process.version}; before: ${loadBefore}`);
  servicesUp();
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
  const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const keyspace = args.keyspace;
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const topic = `featurestore.bench.downsync.${run}`;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-downsync-'));
  const profDir = args['cpu-prof'] ? path.resolve('.bench', `downsync-prof-${run}`) : undefined;
  // Room ids of this run only: no earlier run's rows (later event times) or cache entries interfere.
  const base = BigInt(Date.now() % 1_000_000) * 1_000_000n;

  log(`creating keyspace ${keyspace} (idempotent)…`);
  await createKeyspace(keyspace);
  const catalog = await loadFeatureCatalog('generated');
  const feature = catalog.features.get(ROOM)!;

  const kafka = new Kafka({ clientId: 'bench-downsync-admin', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const stream = await openKafkaFeatureStream({ brokers, clientId: 'bench-downsync-seed' });
  const children: { stop(): Promise<unknown> }[] = [];
  try {
    await stream.createTopic(topic, PARTITIONS);
    log(`encoding ${N} commands over ${KEYS} rooms…`);
    const set = encodeCommands(feature, N, KEYS, base, Date.now() - 5_000);
    const produceStart = performance.now();
    for (let i = 0; i < set.records.length; i += 10_000) await stream.publish(topic, set.records.slice(i, i + 10_000));
    const produceMs = performance.now() - produceStart;
    await stream.close();
    log(`  produced to ${topic} (${PARTITIONS} partitions): ${fmt(N / (produceMs / 1000), 0)} msg/s, ${fmt(set.bytes / N, 0)} B per envelope`);

    log('raw kafkajs consume (eachBatch, no processing)…');
    const raw = await rawConsume(brokers, topic, `bench-raw-${run}`, N, 120_000);
    log(`  raw: ${fmt(raw.rate, 0)} msg/s (${raw.batches} batches, join ${secs(raw.joinMs)}); load ${machineLoad()}`);

    log('raw cassandra-driver INSERT / SELECT at LOCAL_QUORUM (the worker\'s per-command statements)…');
    const rawCass = await rawCassandra(keyspace, 3_000, [32, 256]);
    for (const r of rawCass) log(`  ${r.statement} ${r.inFlight} in flight: ${fmt(r.rate, 0)} ops/s`);

    const workerArgs = ['--stream', 'kafka', '--brokers', brokers.join(','), '--generated', 'generated'];
    const prof = (name: string) => (profDir ? path.join(profDir, name) : undefined);
    log('worker → SQLite (no cache)…');
    const sqliteRun = await runWorker({
      args: [...workerArgs, '--store', `sqlite:${path.join(tmp, 'online.sqlite')}`, '--offline', `duckdb:${path.join(tmp, 'offline-sqlite.duckdb')}`],
      groupId: `bench-sqlite-${run}`, topic, n: N, admin, timeoutMs: 300_000, ...(prof('sqlite') ? { cpuProfDir: prof('sqlite')! } : {}),
    });
    if (FRESHNESS_STORE === 'sqlite') children.push(sqliteRun.worker);
    else await sqliteRun.worker.stop();
    const loadSqlite = machineLoad();
    log(`  SQLite: ${fmt(sqliteRun.rate, 0)} commands/s (${fmt((100 * sqliteRun.rate) / raw.rate, 0)} % of raw), sampled ${sqliteRun.sampled}; load ${loadSqlite}`);

    log('worker → Cassandra behind Redis…');
    const cassRun = await runWorker({
      args: [...workerArgs, '--store', 'cassandra', '--keyspace', keyspace, '--redis', redisUrl, '--offline', `duckdb:${path.join(tmp, 'offline-cassandra.duckdb')}`],
      groupId: `bench-cassandra-${run}`, topic, n: N, admin, timeoutMs: 300_000, ...(prof('cassandra') ? { cpuProfDir: prof('cassandra')! } : {}),
    });
    if (FRESHNESS_STORE === 'cassandra') children.push(cassRun.worker);
    else await cassRun.worker.stop();
    const loadCass = machineLoad();
    log(`  Cassandra: ${fmt(cassRun.rate, 0)} commands/s (${fmt((100 * cassRun.rate) / raw.rate, 0)} % of raw), sampled ${cassRun.sampled}; load ${loadCass}`);

    log(`producer alone: typed puts offered at ${PRODUCER_RATES.join(' and ')}/s for ${PRODUCER_SEC} s each, acks=all, to a topic no worker reads…`);
    const producerTopic = `${topic}.producer`;
    const producerStream = await openKafkaFeatureStream({ brokers, clientId: 'bench-downsync-producer-topic' });
    await producerStream.createTopic(producerTopic, PARTITIONS);
    await producerStream.close();
    const lone = await createCommandProducer({ generatedDir: 'generated', stream: { kind: 'kafka', brokers }, consumer: PRODUCER, topic: producerTopic });
    const producerRates: (ProducerRate & { readonly offeredRate: number })[] = [];
    try {
      await producerRate(lone, 2_000, 1, base + 900_000n);
      for (const rate of PRODUCER_RATES) {
        const r = await producerRate(lone, rate, PRODUCER_SEC, base + 900_000n);
        producerRates.push({ ...r, offeredRate: rate });
        log(`  offered ${rate}/s: ${fmt(r.rate, 0)}/s acknowledged, ${fmt(r.acknowledged / r.publishes, 0)} records per publish, ${r.errors} errors`);
      }
    } finally {
      await lone.close();
      await admin.deleteTopics({ topics: [producerTopic] }).catch(() => {});
    }

    log(`freshness: ${RATE} typed sends/s for ${DURATION_SEC} s (after ${WARMUP_SEC} s warm-up), Read API polled for 1 in ${SAMPLE_EVERY}…`);
    const freshRun = FRESHNESS_STORE === 'sqlite' ? sqliteRun : cassRun;
    const readApi = await startReadApi(
      FRESHNESS_STORE === 'sqlite' ? ['--store', `sqlite:${path.join(tmp, 'online.sqlite')}`] : ['--store', 'cassandra', '--keyspace', keyspace, '--redis', redisUrl],
    );
    children.push(readApi.child);
    const producer = await createCommandProducer({ generatedDir: 'generated', stream: { kind: 'kafka', brokers }, consumer: PRODUCER, topic });
    children.push({ stop: () => producer.close() });
    const freshOptions = {
      producer, readUrl: readApi.url, apiKey: API_KEY, feature: ROOM, rate: RATE, rooms: FRESH_ROOMS, sampleEvery: SAMPLE_EVERY, graceMs: 10_000,
    };
    await measureFreshness({ ...freshOptions, durationSec: WARMUP_SEC, firstRoom: base + 500_000n });
    const before = await scrape(freshRun.metricsUrl);
    const loadFreshStart = machineLoad();
    const fresh = await measureFreshness({ ...freshOptions, durationSec: DURATION_SEC, firstRoom: base + 600_000n });
    const after = await scrape(freshRun.metricsUrl);
    const loadFreshEnd = machineLoad();
    const qs = [0.5, 0.95, 0.99];
    const workerHist = {
      eventTime: bucketQuantiles(buckets(before, HISTOGRAM, { source: 'event_time' }), buckets(after, HISTOGRAM, { source: 'event_time' }), qs),
      sentAt: bucketQuantiles(buckets(before, HISTOGRAM, { source: 'sent_at' }), buckets(after, HISTOGRAM, { source: 'sent_at' }), qs),
    };
    log(`  send → readable: p50 ${fmt(quantile(fresh.latencies, 0.5), 1)} ms, p99 ${fmt(quantile(fresh.latencies, 0.99), 1)} ms over ${fresh.latencies.length} timed; load ${loadFreshEnd}`);

    await producer.close();
    for (const c of children.splice(0).reverse()) await c.stop();
    const profiles: { readonly name: string; readonly summary: ProfileSummary }[] = [];
    for (const name of profDir ? ['sqlite', 'cassandra'] : []) {
      const file = await mainThreadProfile(path.join(profDir!, name));
      if (file) profiles.push({ name, summary: await summarizeProfile(file) });
    }

    const throughputGoal = Math.min(20_000, 0.8 * raw.rate);
    const p99 = quantile(fresh.latencies, 0.99);
    const targets: Target[] = [
      {
        what: 'worker → Cassandra + Redis',
        goal: `>= min(20000, 80 % of raw = ${fmt(0.8 * raw.rate, 0)}) = ${fmt(throughputGoal, 0)} commands/s`,
        actual: `${fmt(cassRun.rate, 0)} commands/s (${fmt((100 * cassRun.rate) / raw.rate, 0)} % of raw)`,
        met: cassRun.rate >= throughputGoal,
      },
      { what: 'worker → SQLite (info)', goal: `(same bar: ${fmt(throughputGoal, 0)})`, actual: `${fmt(sqliteRun.rate, 0)} commands/s (${fmt((100 * sqliteRun.rate) / raw.rate, 0)} % of raw)`, met: sqliteRun.rate >= throughputGoal },
      {
        what: `freshness send → readable (Read API, ${FRESHNESS_STORE}) at ${RATE}/s`,
        goal: 'p99 <= 1000 ms',
        actual: `${fmt(p99, 1)} ms (${fresh.unresolved} of ${fresh.timed} not readable within 10 s)`,
        met: p99 <= 1000 && fresh.unresolved === 0,
      },
    ];
    const text = [
      '',
      `Downsync benchmark — ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), node ${process.version}; Kafka, Cassandra, Redis from the services harness${profDir ? '; workers under --cpu-prof' : ''}`,
      `topic: ${N} commands of ${ROOM} over ${KEYS} rooms, ${PARTITIONS} partitions, ${fmt(set.bytes / N, 0)} B per envelope (produced at ${fmt(N / (produceMs / 1000), 0)} msg/s)`,
      `worker: featurestore downsync as a child process (CLI from the sources under tsx), defaults (--flush-rows 5000, --flush-ms 1000, --partitions-concurrently 4), sampling into DuckDB`,
      '',
      throughputTable(raw, sqliteRun, cassRun, N),
      '',
      cassandraCeiling(rawCass, cassRun, N, KEYS),
      '',
      freshnessTable(fresh, workerHist, RATE),
      '',
      `producer alone (typed puts, one call each, acks=all, no worker reading): ${producerRates.map((r) => `offered ${r.offeredRate}/s → ${fmt(r.rate, 0)}/s acknowledged (${fmt(r.acknowledged / r.publishes, 0)} per publish)`).join('; ')}`,
      '',
      targetTable(targets),
      '',
      ...profiles.flatMap((p) => profileLines(`the ${p.name} worker`, p.summary)),
      `load: start ${loadBefore}`,
      `      after raw + SQLite ${loadSqlite}`,
      `      after Cassandra ${loadCass}`,
      `      freshness start ${loadFreshStart}`,
      `      end ${loadFreshEnd}`,
    ].join('\n');
    process.stdout.write(`${text}\n`);
    await mkdir('.bench', { recursive: true });
    const file = `.bench/downsync-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
    const strip = ({ worker: _w, ...rest }: WorkerRun) => rest;
    await writeFile(
      file,
      JSON.stringify(
        {
          args, producerRates, cpus: os.cpus().length, node: process.version, topic, produceMs, raw, rawCassandra: rawCass, sqlite: strip(sqliteRun), cassandra: strip(cassRun),
          freshness: { ...fresh, latencies: undefined, p50: quantile(fresh.latencies, 0.5), p95: quantile(fresh.latencies, 0.95), p99, max: fresh.latencies.at(-1) ?? null },
          workerHistogram: { eventTime: histJson(workerHist.eventTime), sentAt: histJson(workerHist.sentAt) },
          targets, profiles,
          load: { start: loadBefore, sqlite: loadSqlite, cassandra: loadCass, freshnessStart: loadFreshStart, end: loadFreshEnd },
        },
        null,
        2,
      ),
    );
    log(`results written to ${file}`);
  } finally {
    for (const c of children.reverse()) await c.stop().catch(() => {});
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => {});
    await admin.disconnect();
    await rm(tmp, { recursive: true, force: true });
  }
}

function throughputTable(raw: Awaited<ReturnType<typeof rawConsume>>, sqlite: WorkerRun, cass: WorkerRun, n: number): string {
  const rows = [
    ['case', 'rate /s', 'vs raw', 'measured over', 'start → consuming', 'last apply → committed', 'sampled offline'],
    ['raw kafkajs eachBatch, no processing (ceiling)', fmt(raw.rate, 0), '100 %', secs(raw.consumeMs), `${secs(raw.joinMs)} (join)`, '', ''],
    ['worker → SQLite (no cache)', fmt(sqlite.rate, 0), `${fmt((100 * sqlite.rate) / raw.rate, 0)} %`, secs(sqlite.applyMs), secs(sqlite.startMs), secs(sqlite.commitLagMs), String(sqlite.sampled)],
    ['worker → Cassandra + Redis cache', fmt(cass.rate, 0), `${fmt((100 * cass.rate) / raw.rate, 0)} %`, secs(cass.applyMs), secs(cass.startMs), secs(cass.commitLagMs), String(cass.sampled)],
  ];
  return [`throughput, ${n} commands:`, textTable(rows)].join('\n');
}

/**
 * The worker's Cassandra bound: per command at most one online INSERT (Object features keep the newest
 * command per key of a batch, so fewer when a batch repeats a key), one sampler-state SELECT per key per
 * assignment (the state is kept in memory while the worker holds the partition: keys / N per command),
 * and one state INSERT per sampled command; the store and the state batch all three by replica, so the
 * bound is at the batched rates (BATCH, SELECT_IN).
 */
function cassandraCeiling(raw: readonly RawCassandra[], cass: WorkerRun, n: number, keys: number): string {
  const at = (statement: RawCassandra['statement']) => Math.max(...raw.filter((r) => r.statement === statement).map((r) => r.rate));
  const label: Record<RawCassandra['statement'], string> = {
    INSERT: 'raw INSERT, one per request',
    SELECT: 'raw SELECT, one per request',
    BATCH: 'raw INSERT in UNLOGGED batches of 20, rows',
    SELECT_IN: 'raw SELECT of 20 partitions (IN), rows',
  };
  const rows = [
    ['statement (LOCAL_QUORUM), ops/s', ...raw.filter((r) => r.statement === 'INSERT').map((r) => `${r.inFlight} in flight`)],
    ...(['INSERT', 'SELECT', 'BATCH', 'SELECT_IN'] as const).map((st) => [label[st], ...raw.filter((r) => r.statement === st).map((r) => fmt(r.rate, 0))]),
  ];
  const sampledShare = cass.sampled / n;
  const selectShare = keys / n;
  const bound = 1 / ((1 + sampledShare) / at('BATCH') + selectShare / at('SELECT_IN'));
  return [
    'Cassandra ceiling (raw driver, same run):',
    textTable(rows),
    `  per command: ≤ 1 online INSERT + ${fmt(selectShare, 2)} sampler-state SELECT (once per key per assignment) + ${fmt(sampledShare, 2)} state INSERT, batched → at most ${fmt(bound, 0)} commands/s at the best raw batched rates; the worker made ${fmt(cass.rate, 0)} (${fmt((100 * cass.rate) / bound, 0)} %; ${fmt(cass.rate / at('INSERT'), 2)}× the raw single-INSERT rate)`,
  ].join('\n');
}

function freshnessTable(fresh: FreshnessResult, hist: { eventTime: BucketQuantiles; sentAt: BucketQuantiles }, rate: number): string {
  const ms = (v: number) => (Number.isFinite(v) ? fmt(v, 1) : '> 300 s');
  const bucket = (h: BucketQuantiles, q: number) => `≈${ms(1000 * h.quantiles.get(q)!)}`;
  const rows = [
    ['measure', 'samples', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
    [
      'send → readable through the Read API',
      String(fresh.latencies.length),
      fmt(quantile(fresh.latencies, 0.5), 1),
      fmt(quantile(fresh.latencies, 0.95), 1),
      fmt(quantile(fresh.latencies, 0.99), 1),
      fmt(fresh.latencies.at(-1) ?? NaN, 1),
    ],
    ['worker histogram: sent_at → applied (buckets)', String(hist.sentAt.count), bucket(hist.sentAt, 0.5), bucket(hist.sentAt, 0.95), bucket(hist.sentAt, 0.99), ''],
    ['worker histogram: event_time → applied (buckets)', String(hist.eventTime.count), bucket(hist.eventTime, 0.5), bucket(hist.eventTime, 0.95), bucket(hist.eventTime, 0.99), ''],
  ];
  return [
    `freshness at ${rate} commands/s: ${fresh.acknowledged} sent and acknowledged in ${fmt(fresh.durationSec, 1)} s (${fmt(fresh.sendRate, 0)}/s, ${fresh.sendErrors} errors), ${fresh.polls} Read API polls (${fresh.pollErrors} errors), ${fresh.unresolved} timed commands never readable within 10 s`,
    textTable(rows),
  ].join('\n');
}

function histJson(h: BucketQuantiles) {
  return { count: h.count, quantilesSec: Object.fromEntries([...h.quantiles].map(([q, v]) => [String(q), Number.isFinite(v) ? v : null])) };
}

main().catch((e: unknown) => {
  log(`bench:downsync failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
