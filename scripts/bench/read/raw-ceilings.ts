/**
 * The raw ceilings, measured in the same run and at the same concurrency as the cases they bound:
 * an ioredis GET of the very bytes the runtime caches, and a cassandra-driver prepared SELECT of the
 * row the runtime reads. Nothing is decoded: whatever the runtime or HTTP adds shows as the gap.
 */
import cassandra from 'cassandra-driver';
import { Redis } from 'ioredis';
import { cacheKey } from '../../../runtime/index.ts';
import { cassandraSettingsFromEnv, createCassandraClient } from '../../../runtime/connect/cassandra.ts';
import { HOST_FEATURE, hostId } from './bench-setup.ts';
import { runLoop, type CaseResult } from './measure.ts';

export async function rawRedisGet(redisUrl: string, keyCount: number, concurrency: number, durationMs: number): Promise<CaseResult> {
  // The options the runtime's Redis client uses for reads (auto-pipelining), so the comparison is like for like.
  const redis = new Redis(redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: 0 });
  const keys = Array.from({ length: keyCount }, (_, i) => cacheKey(HOST_FEATURE, [{ type: 'Text' }], [hostId(i)]));
  try {
    const first = await redis.getBuffer(keys[0]!);
    if (first === null) throw new Error(`the cache holds nothing at ${keys[0]}: warm it before measuring the ceiling`);
    return await runLoop('raw ioredis GET (same bytes)', (i) => redis.getBuffer(keys[i % keyCount]!), concurrency, durationMs);
  } finally {
    redis.disconnect();
  }
}

export async function rawCassandraSelect(keyspace: string, keyCount: number, concurrency: number, durationMs: number): Promise<CaseResult> {
  const client = await createCassandraClient(cassandraSettingsFromEnv(), keyspace);
  const query = `SELECT fs_value, fs_schema_id, fs_updated_at FROM ${keyspace}.live__hakuna_host_stat_v1 WHERE user_id = ?`;
  const options = { prepare: true, consistency: cassandra.types.consistencies.one };
  try {
    await client.connect();
    const probe = await client.execute(query, [hostId(0)], options);
    if (probe.rowLength !== 1) throw new Error(`no row for ${hostId(0)} in ${keyspace}: seed first`);
    return await runLoop('raw cassandra-driver prepared SELECT', (i) => client.execute(query, [hostId(i % keyCount)], options), concurrency, durationMs);
  } finally {
    await client.shutdown();
  }
}
