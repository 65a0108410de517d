/**
 * What the downsync benchmark stands on: the services harness's Kafka, Cassandra and Redis (their env
 * exported into process.env, so the children reach the same servers), a keyspace of its own with the
 * generated tables (bench/read's builder: idempotent, so reruns reuse it), a fresh topic per run, and
 * the Read API as a child (`featurestore serve` from the sources) waited for on /readyz.
 */
import { spawnSync } from 'node:child_process';
import { CliChild, freePort, sleep } from './children.ts';

export const API_KEY = 'bench-downsync-key-0123456789';

/** `services.sh up kafka cassandra redis`, then its `env` exports into process.env. */
export function servicesUp(): void {
  const up = spawnSync('bash', ['scripts/services/services.sh', 'up', 'kafka', 'cassandra', 'redis'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (up.status !== 0) throw new Error('Kafka, Cassandra and Redis did not come up (see above)');
  const env = spawnSync('bash', ['scripts/services/services.sh', 'env'], { encoding: 'utf8' }).stdout;
  for (const line of env.split('\n')) {
    for (const [, key, value] of line.replace(/^export\s+/, '').matchAll(/([A-Z_][A-Z0-9_]*)=(\S*)/g)) process.env[key!] ??= value!;
  }
}

export interface ReadApi {
  readonly url: string;
  readonly child: CliChild;
}

/** `featurestore serve` over the given store flags (e.g. `--store cassandra --keyspace K --redis URL`). */
export async function startReadApi(storeArgs: readonly string[]): Promise<ReadApi> {
  const port = await freePort();
  const child = new CliChild(['serve', '--port', String(port), ...storeArgs, '--log-level', 'warn'], {
    env: { FS_KEYS_LIVE_RECOMMENDER: API_KEY },
    keepLines: false,
  });
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; ; await sleep(100)) {
    if (!child.running) throw new Error(`serve exited: ${child.stderr.trim()}`);
    if ((await fetch(`${url}/readyz`).then((r) => r.status, () => 0)) === 200) return { url, child };
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`serve did not start in 60 s: ${child.stderr.trim()}`);
    }
  }
}
