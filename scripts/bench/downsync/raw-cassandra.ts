/**
 * The Cassandra ceiling the worker stands on: the raw driver's prepared single-partition INSERT and
 * SELECT at LOCAL_QUORUM (the sampler state's statements, on its own table in the benchmark's keyspace),
 * `inFlight` requests at a time for a fixed duration. The worker makes one online INSERT per command,
 * one state SELECT per key of a batch and one state INSERT per sampled key, so these two rates bound
 * what it can do on this machine whatever its own code costs. `BATCH` is the same INSERT, 20 rows of
 * different partitions per UNLOGGED batch (`rate` counts rows): what a store writing in batches could
 * reach on this single-node cluster.
 */
import { cassandraSettingsFromEnv, createCassandraClient } from '../../../runtime/connect/cassandra.ts';
import { CassandraSamplerStateStore } from '../../../runtime/downsync/cassandra-sampler-state.ts';
import { SAMPLER_STATE_TABLE } from '../../../runtime/downsync/sampler-state.ts';

const LOCAL_QUORUM = 0x06;
const BATCH_ROWS = 20;

export interface RawCassandra {
  readonly statement: 'INSERT' | 'SELECT' | 'BATCH';
  readonly inFlight: number;
  readonly rate: number;
}

export async function rawCassandra(keyspace: string, durationMs: number, inFlight: readonly number[]): Promise<RawCassandra[]> {
  const client = await createCassandraClient(cassandraSettingsFromEnv());
  try {
    await new CassandraSamplerStateStore({ client, keyspace }).createTable();
    const table = `"${keyspace}".${SAMPLER_STATE_TABLE}`;
    const cql = {
      INSERT: `INSERT INTO ${table} (feature, entity, last_sampled_at) VALUES (?, ?, ?) USING TIMESTAMP ?`,
      SELECT: `SELECT last_sampled_at FROM ${table} WHERE feature = ? AND entity = ?`,
    } as const;
    const out: RawCassandra[] = [];
    const run = Date.now().toString(36);
    // Prepared (and the connection warm) before anything is timed.
    await client.execute(cql.INSERT, ['bench-raw', `warm-${run}`, new Date(), BigInt(Date.now()) * 1000n], { prepare: true, consistency: LOCAL_QUORUM });
    await client.execute(cql.SELECT, ['bench-raw', `warm-${run}`], { prepare: true, consistency: LOCAL_QUORUM });
    for (const statement of ['INSERT', 'SELECT', 'BATCH'] as const) {
      for (const n of inFlight) {
        let done = 0;
        const start = performance.now();
        const end = start + durationMs;
        await Promise.all(
          Array.from({ length: statement === 'BATCH' ? Math.max(1, Math.floor(n / 4)) : n }, async (_, w) => {
            while (performance.now() < end) {
              if (statement === 'BATCH') {
                const queries = Array.from({ length: BATCH_ROWS }, () => ({ query: cql.INSERT, params: ['bench-raw', `raw-${run}-${w}-${done++}`, new Date(), BigInt(Date.now()) * 1000n] }));
                await client.batch(queries, { prepare: true, logged: false, consistency: LOCAL_QUORUM, isIdempotent: true });
                continue;
              }
              const entity = `raw-${run}-${w}-${done++}`;
              const params = statement === 'INSERT' ? ['bench-raw', entity, new Date(), BigInt(Date.now()) * 1000n] : ['bench-raw', entity];
              await client.execute(cql[statement], params, { prepare: true, consistency: LOCAL_QUORUM, isIdempotent: true });
            }
          }),
        );
        out.push({ statement, inFlight: n, rate: done / ((performance.now() - start) / 1000) });
      }
    }
    return out;
  } finally {
    await client.shutdown();
  }
}
