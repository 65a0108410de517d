/**
 * Vitest global setup: brings up the real backing services (Cassandra, Kafka, Redis, the BigQuery
 * emulator, Airflow) with the project's own script, then hands their endpoints to every test worker.
 * Idempotent and fast when they already run, so they stay up between local runs. An endpoint given in
 * the environment (CASSANDRA_CONTACT_POINTS, KAFKA_BROKERS, REDIS_URL, BIGQUERY_API_ENDPOINT,
 * AIRFLOW_PYTHON) is used as it is and nothing is started for it.
 */
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

const SCRIPT = 'scripts/services/services.sh';

declare module 'vitest' {
  export interface ProvidedContext {
    serviceEnv: Record<string, string>;
  }
}

export default function setup(project: TestProject): void {
  const started = Date.now();
  const up = spawnSync('bash', [SCRIPT, 'up'], { stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
  if (up.status !== 0) {
    throw new Error(
      `the backing services did not come up (see the messages above; \`npm run services -- logs NAME\` shows a service's log). ` +
        'Every test talks to real servers, so none is skipped: fix the cause, or point the tests at your own servers ' +
        'with CASSANDRA_CONTACT_POINTS, KAFKA_BROKERS, REDIS_URL, BIGQUERY_API_ENDPOINT and AIRFLOW_PYTHON.',
    );
  }
  const env = parseExports(spawnSync('bash', [SCRIPT, 'env'], { encoding: 'utf8', env: process.env }).stdout);
  Object.assign(process.env, env);
  project.provide('serviceEnv', env);
  console.log(`services ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

/** `export A=1 B=2` lines → { A: '1', B: '2' }. */
function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    for (const [, key, value] of line.replace(/^export\s+/, '').matchAll(/([A-Z_][A-Z0-9_]*)=(\S*)/g)) env[key!] = value!;
  }
  return env;
}
