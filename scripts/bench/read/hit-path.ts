/**
 * The in-process cache-hit path alone, for profiling: `node --cpu-prof --cpu-prof-dir=.bench/prof
 * --import tsx scripts/bench/read/hit-path.ts [seconds] [rounds] [both|raw|typed]`. A runtime over an
 * in-memory SQLite store and the Redis at REDIS_URL (default the services harness's), 1,000 keys of
 * live::hakuna-host-stat-v1 written and cached under ids of their own (`hit-path-<n>`), then the raw
 * ioredis GET of the cached bytes and the typed get through the generated client, back to back per round,
 * 32 concurrent callers each: ops/s and CPU microseconds per op of this process. No Cassandra, so a
 * profile shows the hit path and nothing else (`npm run bench:read` is the benchmark of record).
 */
import { Redis } from 'ioredis';
import { createFeatures } from '../../../generated/ts/index.ts';
import { cacheKey, createOnlineRuntime } from '../../../runtime/index.ts';
import { HOST_FEATURE } from './bench-setup.ts';
import { runLoop } from './measure.ts';

const seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 3);
const mode = process.argv[4] ?? 'both';
const REDIS = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const KEYS = 1000;
const CONCURRENCY = 32;
const id = (i: number) => `hit-path-${i % KEYS}`;

const runtime = await createOnlineRuntime({ store: { kind: 'sqlite', path: ':memory:' }, cache: { redisUrl: REDIS } });
const rows = Array.from({ length: KEYS }, (_, i) => ({ key: { user_id: id(i) }, value: { gender: 'FEMALE', level: BigInt(i), country_code: 'KR', birthday: '1999-03-04' } }));
await runtime.put('upsync-worker', HOST_FEATURE, rows);
await runtime.getMany('live-recommender', HOST_FEATURE, rows.map((r) => r.key)); // fills the cache
const typed = createFeatures(runtime.reader('live-recommender'));
// The options the runtime's client reads with (auto-pipelining), as raw-ceilings.ts does.
const redis = new Redis(REDIS, { enableAutoPipelining: true, maxRetriesPerRequest: 0 });
const keys = Array.from({ length: KEYS }, (_, i) => cacheKey(HOST_FEATURE, [{ type: 'Text' }], [id(i)]));
if ((await redis.getBuffer(keys[0]!)) === null) throw new Error(`nothing cached at ${keys[0]}: the fill did not reach Redis`);

async function measure(name: string, op: (i: number) => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  const r = await runLoop(name, op, CONCURRENCY, seconds * 1000);
  const cpu = process.cpuUsage(before);
  process.stdout.write(`${name.padEnd(6)} ${Math.round(r.rate).toString().padStart(7)} ops/s  ${((cpu.user + cpu.system) / r.count).toFixed(2)} µs CPU/op  errors ${r.errors}\n`);
  return r.rate;
}

const ratios: number[] = [];
for (let round = 0; round < rounds; round++) {
  const raw = mode === 'typed' ? 0 : await measure('raw', (i) => redis.getBuffer(keys[i % KEYS]!));
  const hit = mode === 'raw' ? 0 : await measure('typed', (i) => typed.live.hakunaHostStatV1.get({ userId: id(i * 7) }));
  if (raw && hit) ratios.push(hit / raw);
}
if (ratios.length) process.stdout.write(`typed / raw per round: ${ratios.map((r) => `${(100 * r).toFixed(0)} %`).join(', ')}\n`);
redis.disconnect();
await runtime.close();
