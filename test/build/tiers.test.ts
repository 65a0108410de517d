/** The unit tier must run with no server: no unit-tier test file reaches a backing service, directly or through a helper. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import { INTEGRATION_TESTS } from '../tiers.ts';

/** What connecting to a service looks like in test code. */
const SERVICE_MARKERS = /helpers\/(cassandra|bigquery)|backing-services|inject\('serviceEnv'\)|process\.env(\.|\[')(REDIS_URL|KAFKA_BROKERS|CASSANDRA_|BIGQUERY_|AIRFLOW_)|redis-server|services\.sh/;
const LOCAL_IMPORT = /from\s+'(\.{1,2}\/[^']+)'|import\('(\.{1,2}\/[^']+)'\)/g;

/** The first service marker in a file or in the test helpers it imports, with the chain that reaches it. */
function reachesService(file: string, seen = new Set<string>()): string | undefined {
  if (seen.has(file)) return undefined;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  const marker = SERVICE_MARKERS.exec(text);
  if (marker) return `${file}: ${marker[0]}`;
  for (const m of text.matchAll(LOCAL_IMPORT)) {
    const target = path.normalize(path.join(path.dirname(file), m[1] ?? m[2] ?? ''));
    // Only test code decides to connect; the runtime it imports connects only when told to.
    if (!target.startsWith('test/') || !/\.(ts|mjs)$/.test(target)) continue;
    const via = reachesService(target, seen);
    if (via) return `${file} → ${via}`;
  }
  return undefined;
}

describe('test tiers', () => {
  it('no unit-tier file reaches a backing service', () => {
    const all = globSync('test/**/*.test.ts');
    const integration = new Set(globSync([...INTEGRATION_TESTS]));
    // This file names the markers it looks for.
    const unit = all.filter((f) => !integration.has(f) && f !== 'test/build/tiers.test.ts');
    expect(unit.length).toBeGreaterThan(20);
    expect(unit.map((f) => reachesService(f)).filter(Boolean)).toEqual([]);
  });

  it('every integration pattern names at least one file', () => {
    for (const pattern of INTEGRATION_TESTS.filter((p) => !/kafka|redis/.test(p))) expect(globSync(pattern), pattern).not.toEqual([]);
  });
});
