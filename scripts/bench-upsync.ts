/**
 * `npm run bench:upsync [-- --sqlite-rows 1000000 --cassandra-rows 200000 --skip-cassandra]`: the
 * upsync command (`featurestore upsync`, the built CLI, as users run it) from DuckDB into SQLite and into
 * Cassandra, next to the raw ceilings measured in the same run:
 *
 * - SQLite: better-sqlite3 INSERTs of pre-encoded rows, one prepared statement, one transaction;
 * - Cassandra: cassandra-driver prepared INSERTs (the store's, USING TIMESTAMP) of pre-encoded rows,
 *   with as many in flight as upsync has (pages in flight × the store's writes per page).
 *
 * Each case runs in a child process of its own, so its peak RSS (getrusage maxRSS) is its own; the
 * upsync cases run the built CLI (dist/, plain node: start-up as users see it). On SQLite, raw and
 * upsync run `--runs` times back to back (each pair under the same load) and the ratio's spread is
 * printed with the load average; upsync also runs over the first 100k rows, to show memory flat in the
 * number of rows, with --no-read-worker, and with each `--page-sizes` value; `--cpu-prof` profiles the
 * first full SQLite run and prints where its threads' CPU went. Not a test; the figures go to stdout as a table and to .bench/upsync-<time>.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { profileLines, summarizeProfile } from './bench/downsync/cpu-profile.ts';
import { servicesUp } from './bench/read/bench-setup.ts';

const FEATURE = 'bench::row-v1';
const TABLE = 'bench__row_v1';
const T0 = Date.UTC(2026, 0, 1);
const CONCURRENCY = 4;
const PAGE_SIZE = 1000;
/** The Cassandra store's writes in flight per page (DEFAULT_CASSANDRA_MAX_CONCURRENCY). */
const STORE_CONCURRENCY = 32;

const { values: args } = parseArgs({
  options: {
    'sqlite-rows': { type: 'string', default: '1000000' },
    'cassandra-rows': { type: 'string', default: '200000' },
    'skip-cassandra': { type: 'boolean', default: false },
    /** Raw/upsync pairs on SQLite: the ratio's spread under the machine's load. */
    runs: { type: 'string', default: '3' },
    /** Extra upsync runs over all rows with these --page-size values (comma-separated). */
    'page-sizes': { type: 'string', default: '' },
    /** Profile the first SQLite upsync run (node --cpu-prof: its main thread and its read worker) and print where the CPU went. */
    'cpu-prof': { type: 'boolean', default: false },
    child: { type: 'string' },
    dir: { type: 'string' },
    rows: { type: 'string' },
    keyspace: { type: 'string' },
  },
});
const log = (text: string) => process.stderr.write(`${text}\n`);
const pageSizes = (args['page-sizes'] ?? '').split(',').filter((p) => p !== '').map(Number);

interface CaseResult {
  readonly name: string;
  readonly rows: number;
  readonly ms: number;
  readonly rowsPerSec: number;
  readonly peakRssMb: number;
  /** The upsync cases: rows/s by the summary's own duration (from stores open to the last write: no start-up). */
  readonly engineRowsPerSec?: number;
}

const YAML = `${FEATURE}:
  feature_type: Object
  owner: bench
  description: upsync benchmark rows
  schema:
    user_id: { type: Long, description: key, is_key_field: true }
    score: { type: Int, description: an Int, default_value: 0 }
    amount: { type: Long, description: a Long, default_value: 0 }
    name: { type: Text, description: text, default_value: "" }
    ratio: { type: Double, description: a Double, default_value: 0 }
  upsync: { enabled: true, incremental_update: true, schedule: "@hourly" }
  access: { read: [reader], write: [upsync-worker] }
`;

/** The values row i has, in DuckDB SQL and in JS (the raw ceilings encode the same records). */
const recordOf = (i: number) => ({ score: i % 1000, amount: BigInt(i) * 7n, name: `name ${i}`, ratio: i / 3 });

async function setUp(dir: string, rows: number, keyspace: string): Promise<void> {
  const { main } = await import('../cli/main.ts');
  await mkdir(path.join(dir, 'features'), { recursive: true });
  await writeFile(path.join(dir, 'featurestore.yaml'), `cassandra: { keyspace: ${keyspace} }\nconsumers:\n  reader: {}\n  upsync-worker: {}\n`);
  await writeFile(path.join(dir, 'features', 'bench.yaml'), YAML);
  const quiet = { out: () => {}, err: (t: string) => process.stderr.write(t) };
  if ((await main(['codegen', '--features', path.join(dir, 'features'), '--out', path.join(dir, 'generated'), '--config', path.join(dir, 'featurestore.yaml')], quiet)) !== 0) {
    throw new Error('codegen failed');
  }
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { openOfflineStore } = await import('../runtime/offline/open-offline-store.ts');
  const { offlineTableOf } = await import('../runtime/offline/offline-table.ts');
  const { parseManifest } = await import('../core/manifest/parse-manifest.ts');
  const { readFile } = await import('node:fs/promises');
  const file = path.join(dir, 'generated', 'manifest.json');
  const manifest = parseManifest(JSON.parse(await readFile(file, 'utf8')) as unknown, file, { formats: 'current' });
  const duckdb = path.join(dir, 'featurestore.duckdb');
  // The store creates the table (its DDL); the rows come from one INSERT … SELECT.
  await (await openOfflineStore({ kind: 'duckdb', path: duckdb, tables: [offlineTableOf(manifest.features[FEATURE]!)] })).close();
  const instance = await DuckDBInstance.create(duckdb);
  const connection = await instance.connect();
  await connection.run(
    `INSERT INTO "${TABLE}" SELECT i::BIGINT, (i % 1000)::INTEGER, (i * 7)::BIGINT, 'name ' || i, i / 3, ` +
      `to_timestamp(${T0 / 1000} + i) FROM range(1, ${rows + 1}) t(i)`,
  );
  connection.disconnectSync();
  instance.closeSync();
}

// ---- children -------------------------------------------------------------------------------------

/**
 * The upsync case: the built CLI (`node bin/featurestore.mjs`, dist/, no TypeScript loader), as users
 * run it, in a process of its own, timed from spawn to exit (start-up included). Its peak RSS comes
 * from a one-line exit hook passed with --import (getrusage maxRSS of that process).
 */
async function engineCase(dir: string, store: 'sqlite' | 'cassandra', rows: number, keyspace: string, options: { inline?: boolean; pageSize?: number; run?: number; profileDir?: string } = {}): Promise<CaseResult> {
  const pageSize = options.pageSize ?? PAGE_SIZE;
  const file = `engine-${rows}-${pageSize}${options.inline ? '-inline' : ''}-${options.run ?? 0}.sqlite`;
  const storeArgs = store === 'sqlite' ? ['--store', `sqlite:${path.join(dir, file)}`] : ['--store', 'cassandra', '--keyspace', keyspace];
  const rssHook = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\n${RSS_MARK}"+process.resourceUsage().maxRSS+"\\n"))`;
  const cli = [
    'upsync', '--config', path.join(dir, 'featurestore.yaml'), '--feature', FEATURE, '--full', '--json',
    '--until', new Date(T0 + (rows + 1) * 1000).toISOString(), '--concurrency', String(CONCURRENCY), '--page-size', String(pageSize),
    ...storeArgs,
    ...(options.inline ? ['--no-read-worker'] : []),
  ];
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : []), '--import', rssHook, path.resolve('bin/featurestore.mjs'), ...cli], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`upsync exited ${code}: ${err}`);
  const summary = JSON.parse(out.trim().split('\n').pop()!) as { totals: { written: number; rowsPerSec: number } };
  if (summary.totals.written !== rows) throw new Error(`upsync wrote ${summary.totals.written} rows, expected ${rows}`);
  const kb = Number(new RegExp(`${RSS_MARK}(\\d+)`).exec(err)?.[1] ?? Number.NaN);
  const name = `upsync DuckDB → ${store}${options.inline ? ' (--no-read-worker)' : ''}${pageSize !== PAGE_SIZE ? `, --page-size ${pageSize}` : ''}`;
  return { name, rows, ms, rowsPerSec: Math.round((rows * 1000) / ms), peakRssMb: Math.round(kb / 1024), engineRowsPerSec: summary.totals.rowsPerSec };
}

const RSS_MARK = 'BENCH_MAXRSS_KB=';

async function encodedRows(dir: string, rows: number) {
  const { loadFeatureCatalog } = await import('../runtime/manifest/feature-catalog.ts');
  const catalog = await loadFeatureCatalog(path.join(dir, 'generated'));
  const f = catalog.features.get(FEATURE)!;
  const encoded: { key: bigint; value: Buffer; updatedAt: number }[] = [];
  for (let i = 1; i <= rows; i++) encoded.push({ key: BigInt(i), value: f.serde.encode(recordOf(i)), updatedAt: T0 + i * 1000 });
  return { f, catalog, encoded };
}

async function childRawSqlite(dir: string, rows: number): Promise<CaseResult> {
  const { f, encoded } = await encodedRows(dir, rows);
  const { default: Database } = await import('better-sqlite3');
  // A fresh file per run: the raw case inserts, it does not upsert.
  const file = path.join(dir, 'raw.sqlite');
  await Promise.all(['', '-wal', '-shm'].map((end) => rm(`${file}${end}`, { force: true })));
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    `CREATE TABLE IF NOT EXISTS raw (user_id INTEGER NOT NULL, fs_value BLOB NOT NULL, fs_schema_id INTEGER NOT NULL, fs_updated_at INTEGER NOT NULL, fs_expires_at INTEGER, PRIMARY KEY (user_id)) STRICT, WITHOUT ROWID`,
  );
  const insert = db.prepare('INSERT INTO raw (user_id, fs_value, fs_schema_id, fs_updated_at, fs_expires_at) VALUES (?, ?, ?, ?, NULL)');
  const schemaId = f.serde.readerId;
  const started = performance.now();
  db.transaction(() => {
    for (const r of encoded) insert.run(r.key, r.value, schemaId, r.updatedAt);
  })();
  const ms = performance.now() - started;
  db.close();
  return { name: 'raw better-sqlite3 INSERT, 1 transaction', rows, ms, rowsPerSec: Math.round((rows * 1000) / ms), peakRssMb: peakRss() };
}

async function childRawCassandra(dir: string, rows: number, keyspace: string): Promise<CaseResult> {
  const { encoded, f } = await encodedRows(dir, rows);
  const { default: cassandra } = await import('cassandra-driver');
  const { cassandraClientOptions, cassandraSettingsFromEnv } = await import('../runtime/connect/cassandra.ts');
  const client = new cassandra.Client(cassandraClientOptions(cassandraSettingsFromEnv()));
  await client.connect();
  const cql = `INSERT INTO "${keyspace}"."${TABLE}" (user_id, fs_value, fs_schema_id, fs_updated_at) VALUES (?, ?, ?, ?) USING TIMESTAMP ?`;
  const inFlight = CONCURRENCY * STORE_CONCURRENCY;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < encoded.length; i = next++) {
        const r = encoded[i]!;
        await client.execute(cql, [r.key, r.value, f.serde.readerId, new Date(r.updatedAt), BigInt(r.updatedAt) * 1000n], {
          prepare: true,
          consistency: cassandra.types.consistencies.localQuorum,
        });
      }
    }),
  );
  const ms = performance.now() - started;
  await client.shutdown();
  return { name: `raw cassandra-driver prepared INSERT, ${inFlight} in flight`, rows, ms, rowsPerSec: Math.round((rows * 1000) / ms), peakRssMb: peakRss() };
}

function peakRss(): number {
  // maxRSS is in kilobytes.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function runChild(kind: string, dir: string, rows: number, keyspace: string): Promise<CaseResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('scripts/bench-upsync.ts'), '--child', kind, '--dir', dir, '--rows', String(rows), '--keyspace', keyspace], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`bench child ${kind} exited ${code}`);
  return JSON.parse(out.trim().split('\n').pop()!) as CaseResult;
}

function machineLoad(): string {
  return `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

// ---- main -----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (args.child) {
    const dir = args.dir!;
    const rows = Number(args.rows);
    const keyspace = args.keyspace!;
    const result =
      args.child === 'raw-sqlite'
        ? await childRawSqlite(dir, rows)
        : await childRawCassandra(dir, rows, keyspace);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const sqliteRows = Number(args['sqlite-rows']);
  const cassandraRows = Number(args['cassandra-rows']);
  const keyspace = `bench_upsync_${Date.now().toString(36)}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'featurestore-bench-upsync-'));
  log(`bench:upsync — ${os.cpus().length} CPUs, node ${process.version}; ${machineLoad()}; scratch ${dir}`);
  const results: CaseResult[] = [];
  // Cassandra's address and credentials from the services harness (the children inherit them).
  if (!args['skip-cassandra']) servicesUp();
  try {
    log(`filling DuckDB with ${sqliteRows} rows…`);
    await setUp(dir, Math.max(sqliteRows, cassandraRows), keyspace);
    const small = Math.min(100_000, sqliteRows);
    // The built CLI: dist/ made current once, then used as it is (other edits meanwhile must not stop the children).
    execFileSync(process.execPath, ['scripts/build-dist.mjs', '--if-stale'], { stdio: 'inherit' });
    process.env['FEATURESTORE_SKIP_DIST_CHECK'] = '1';
    const runs = Number(args.runs);
    log(`SQLite: ${runs} × (raw ceiling, upsync over all rows), each pair back to back so they share the load; then 100k rows, --no-read-worker${pageSizes.length > 0 ? ', page sizes' : ''}…`);
    const profileDir = args['cpu-prof'] ? path.resolve('.bench', `upsync-prof-${Date.now().toString(36)}`) : undefined;
    const ratios: { ratio: number; engineRatio: number; load: number }[] = [];
    let rawSqlite: CaseResult | null = null;
    let engineSqlite: CaseResult | null = null;
    for (let run = 0; run < runs; run++) {
      const raw = await runChild('raw-sqlite', dir, sqliteRows, keyspace);
      const engine = await engineCase(dir, 'sqlite', sqliteRows, keyspace, { run, ...(run === 0 && profileDir ? { profileDir } : {}) });
      ratios.push({ ratio: engine.rowsPerSec / raw.rowsPerSec, engineRatio: (engine.engineRowsPerSec ?? 0) / raw.rowsPerSec, load: os.loadavg()[0] as number });
      log(
        `  run ${run + 1}: raw ${raw.rowsPerSec} rows/s, upsync ${engine.rowsPerSec} rows/s (${Math.round((100 * engine.rowsPerSec) / raw.rowsPerSec)} %; ` +
          `${engine.engineRowsPerSec} rows/s without start-up, ${Math.round((100 * (engine.engineRowsPerSec ?? 0)) / raw.rowsPerSec)} %), ${engine.peakRssMb} MB; ${machineLoad()}`,
      );
      results.push(raw, engine);
      rawSqlite ??= raw;
      engineSqlite ??= engine;
    }
    const engineSmall = await engineCase(dir, 'sqlite', small, keyspace);
    const engineInline = await engineCase(dir, 'sqlite', sqliteRows, keyspace, { inline: true });
    results.push(engineSmall, engineInline);
    for (const pageSize of pageSizes) results.push(await engineCase(dir, 'sqlite', sqliteRows, keyspace, { pageSize }));
    const sorted = ratios.map((r) => Math.round(100 * r.ratio)).sort((x, y) => x - y);
    const inner = ratios.map((r) => Math.round(100 * r.engineRatio)).sort((x, y) => x - y);
    const spread =
      `upsync/raw on SQLite over ${runs} run(s): min ${sorted[0]} %, median ${sorted[Math.floor(sorted.length / 2)]} %, max ${sorted[sorted.length - 1]} %; ` +
      `without the CLI's start-up: min ${inner[0]} %, median ${inner[Math.floor(inner.length / 2)]} %, max ${inner[inner.length - 1]} % (1-min load ${ratios.map((r) => r.load.toFixed(1)).join(', ')})`;
    let rawCassandra: CaseResult | null = null;
    let engineCassandra: CaseResult | null = null;
    if (!args['skip-cassandra']) {
      log(`Cassandra: keyspace ${keyspace} (featurestore migrate), raw ceiling, then upsync over ${cassandraRows} rows…`);
      const { main: cli } = await import('../cli/main.ts');
      if ((await cli(['migrate', '--target', 'cassandra', '--generated', path.join(dir, 'generated')], { out: () => {}, err: (t) => process.stderr.write(t) })) !== 0) {
        throw new Error('migrate failed');
      }
      rawCassandra = await runChild('raw-cassandra', dir, cassandraRows, keyspace);
      engineCassandra = await engineCase(dir, 'cassandra', cassandraRows, keyspace);
      results.push(rawCassandra, engineCassandra);
    }
    const lines = [
      '| case | rows | seconds | rows/s | peak RSS MB | vs raw | rows/s without start-up |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...results.map((r, i) => {
        // Each upsync run against the raw run just before it (same load), else the first raw of its store.
        const previous = results[i - 1];
        const pairRaw = previous && previous.name.startsWith('raw') && previous.name.includes('sqlite') ? previous : rawSqlite;
        const raw = r.name.includes('sqlite') && !r.name.startsWith('raw') ? pairRaw : r.name.includes('cassandra') && !r.name.startsWith('raw') ? rawCassandra : null;
        if (!raw) return `| ${r.name} | ${r.rows} | ${(r.ms / 1000).toFixed(2)} | ${r.rowsPerSec} | ${r.peakRssMb} | — | — |`;
        const ratio = raw ? `${Math.round((100 * r.rowsPerSec) / raw.rowsPerSec)} %` : '—';
        return `| ${r.name} | ${r.rows} | ${(r.ms / 1000).toFixed(2)} | ${r.rowsPerSec} | ${r.peakRssMb} | ${ratio} | ${r.engineRowsPerSec ?? '—'} |`;
      }),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    log(spread);
    // Files are CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile, written when each thread exits.
    const threadOf = (f: string) => Number(/\.(\d+)\.\d+\.cpuprofile$/.exec(f)?.[1] ?? -1);
    const profiles = profileDir ? (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile')).sort((a, b) => threadOf(a) - threadOf(b)) : [];
    for (const f of profiles) {
      const thread = threadOf(f) === 0 ? 'main thread (the writes)' : `thread ${threadOf(f)} (the read worker)`;
      log(profileLines(`the ${sqliteRows}-row SQLite upsync, ${thread}`, await summarizeProfile(path.join(profileDir!, f))).join('\n'));
    }
    log(`memory: peak RSS ${engineSmall.peakRssMb} MB at ${small} rows, ${(engineSqlite as CaseResult).peakRssMb} MB at ${sqliteRows} rows; ${machineLoad()}`);
    await mkdir('.bench', { recursive: true });
    const file = path.join('.bench', `upsync-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(file, JSON.stringify({ node: process.version, cpus: os.cpus().length, load: os.loadavg(), ratios, results }, null, 2));
    log(`results: ${file}`);
  } finally {
    if (!args['skip-cassandra']) {
      const { default: cassandra } = await import('cassandra-driver');
      const { cassandraClientOptions, cassandraSettingsFromEnv } = await import('../runtime/connect/cassandra.ts');
      const client = new cassandra.Client(cassandraClientOptions(cassandraSettingsFromEnv()));
      await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => log(`could not drop keyspace ${keyspace}`));
      await client.shutdown();
    }
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
