/**
 * Setup of each file of the integration-bigquery tier: a freshly started emulator. Its SQL engine
 * runs in one 32-bit WebAssembly heap that grows with every query and is never given back; after a
 * few hundred DDL and DML requests it panics ("slice bounds out of range [-2146…]") and every later
 * request of the run fails. A restart costs about 2 s per file. The services script leaves an
 * endpoint given by the caller (its own BIGQUERY_API_ENDPOINT) alone.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll } from 'vitest';

beforeAll(() => {
  for (const command of ['down', 'up']) {
    const r = spawnSync('bash', ['scripts/services/services.sh', command, 'bigquery'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`services.sh ${command} bigquery failed: ${r.stderr || r.stdout}`);
  }
}, 120_000);
