/**
 * What the read benchmark stands on: the services harness's Cassandra and Redis, a keyspace of its own
 * with the generated tables, seeded data (written through the runtime, so Cassandra holds exactly the
 * tagged Avro rows production would), and the Read API as a child process (`featurestore serve`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { cassandraSettingsFromEnv, createCassandraClient } from '../../../runtime/connect/cassandra.ts';
import { splitStatements } from '../../../runtime/migrate/index.ts';
import type { OnlineRuntime } from '../../../runtime/read/online-runtime.ts';

export const HOST_FEATURE = 'live::hakuna-host-stat-v1';
export const HISTORY_FEATURE = 'live::viewer-watch-history-v1';
export const CONSUMER = 'live-recommender';
export const API_KEY = 'bench-read-key-0123456789';
export const HOST_KEYS = 10_000;
export const VIEWERS = 200;
export const EVENTS_PER_VIEWER = 50;

export const hostId = (i: number) => `host-${i % HOST_KEYS}`;

/** `services.sh up cassandra redis`, then its `env` exports into process.env. */
export function servicesUp(): void {
  const up = spawnSync('bash', ['scripts/services/services.sh', 'up', 'cassandra', 'redis'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (up.status !== 0) throw new Error('Cassandra and Redis did not come up (see above)');
  const env = spawnSync('bash', ['scripts/services/services.sh', 'env'], { encoding: 'utf8' }).stdout;
  for (const line of env.split('\n')) {
    for (const [, key, value] of line.replace(/^export\s+/, '').matchAll(/([A-Z_][A-Z0-9_]*)=(\S*)/g)) process.env[key!] = value!;
  }
}

/** The generated CQL with `feature_store` renamed: idempotent (IF NOT EXISTS), so reruns reuse it. */
export async function createKeyspace(keyspace: string): Promise<void> {
  const client = await createCassandraClient(cassandraSettingsFromEnv());
  try {
    const files = (await readdir('generated/cql', { recursive: true })).filter((f) => f.endsWith('.cql')).sort();
    for (const file of files) {
      const cql = (await readFile(path.join('generated/cql', file), 'utf8')).replace(/(KEYSPACE IF NOT EXISTS |\b)feature_store(?=\.|\s)/g, `$1${keyspace}`);
      for (const statement of splitStatements(cql, 'cql')) await client.execute(statement);
    }
  } finally {
    await client.shutdown();
  }
}

const T0 = Date.UTC(2024, 4, 1);

export async function seed(runtime: OnlineRuntime): Promise<void> {
  for (let start = 0; start < HOST_KEYS; start += 500) {
    const rows = Array.from({ length: Math.min(500, HOST_KEYS - start) }, (_, j) => ({
      key: { user_id: hostId(start + j) },
      value: { gender: j % 2 ? 'FEMALE' : 'MALE', level: BigInt(start + j), country_code: 'KR', birthday: '1999-03-04' },
    }));
    await runtime.put('upsync-worker', HOST_FEATURE, rows);
  }
  for (let v = 0; v < VIEWERS; v++) {
    const rows = Array.from({ length: EVENTS_PER_VIEWER }, (_, e) => ({
      key: { viewer_id: BigInt(v) },
      value: {
        watched_at: new Date(T0 + e * 60_000), room_id: BigInt(10_000 + e), watch_seconds: 30 + e,
        category_tags: ['music', 'talk'], gift_amounts: e % 5 ? [] : [1.5, 10],
      },
    }));
    await runtime.append('realtime-calculator', HISTORY_FEATURE, rows);
  }
}

export interface ServerChild {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * `featurestore serve` in a child process on a free port; resolves once `/readyz` answers. The port is
 * chosen here rather than with `--port 0` so that the server's log (JSON lines on stdout, which carry
 * the bound URL) can go to /dev/null: still written, the production cost, just not kept or parsed.
 */
export async function startServer(options: { keyspace: string; redisUrl?: string; logLevel: string }): Promise<ServerChild> {
  const port = await freePort();
  const args = ['bin/featurestore.mjs', 'serve', '--port', String(port), '--store', 'cassandra', '--keyspace', options.keyspace, '--consistency', 'one', '--log-level', options.logLevel];
  if (options.redisUrl) args.push('--redis', options.redisUrl);
  const child: ChildProcess = spawn('node', args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, FS_KEYS_LIVE_RECOMMENDER: API_KEY },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`serve exited with ${child.exitCode ?? child.signalCode}: ${stderr}`);
    if ((await fetch(`${url}/readyz`).then((r) => r.status, () => 0)) === 200) break;
    if (Date.now() > deadline) throw new Error(`serve did not start in 60 s: ${stderr}`);
  }
  return {
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A Node HTTP server that answers every request with `{}` at once: paced at the same rate it shows the
 * latency floor of this machine, its load and the load generator, below which no server can go.
 */
export async function startNullServer(): Promise<ServerChild> {
  const source = `const s = require('node:http').createServer((req, res) => { req.resume(); req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 }); res.end('{}'); }); });
    s.listen(0, '127.0.0.1', () => process.stderr.write('listening on http://127.0.0.1:' + s.address().port + '\\n'));`;
  const child = spawn('node', ['-e', source], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      const m = /listening on (http:\/\/\S+)/.exec(d.toString());
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`null server exited with ${code}`)));
  });
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Load average and CPU count, printed with the figures: a busy machine explains a bad run. */
export function machineLoad(): string {
  return spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
}

/** A TCP port free right now (bound and released; the server binds it a moment later). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
