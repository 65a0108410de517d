/**
 * The Cassandra ceiling the worker stands on: the raw driver's prepared single-partition INSERT and
 * SELECT at LOCAL_QUORUM (the sampler state's statements, on its own table in the benchmark's keyspace),
 * `inFlight` requests at a time for a fixed duration. The worker makes one online INSERT per command,
 * one state SELECT per key of a batch and one state INSERT per sampled key, so these two rates bound
 * what it can do on this machine whatever its own code costs. `BATCH` is the same INSERT, 20 rows of
 * different partitions per UNLOGGED batch, and `SELECT_IN` the SELECT of 20 partitions as `entity IN
 * (…)` (`rate` counts rows): how the online store writes and the sampler state loads and saves, grouped
 * by replica, which on this single-node cluster is every partition.
 */
import { cassandraSettingsFromEnv, createCassandraClient } from '../../../runtime/connect/cassandra.ts';
import { CassandraSamplerStateStore } from '../../../runtime/downsync/cassandra-sampler-state.ts';
import { SAMPLER_STATE_TABLE } from '../../../runtime/downsync/sampler-state.ts';

const LOCAL_QUORUM = 0x06;
const BATCH_ROWS = 20;

export interface RawCassandra {
  readonly statement: 'INSERT' | 'SELECT' | 'BATCH' | 'SELECT_IN';
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
      SELECT_IN: `SELECT entity, last_sampled_at FROM ${table} WHERE feature = ? AND entity IN ?`,
    } as const;
    const out: RawCassandra[] = [];
    const run = Date.now().toString(36);
    // Prepared (and the connection warm) before anything is timed.
    await client.execute(cql.INSERT, ['bench-raw', `warm-${run}`, new Date(), BigInt(Date.now()) * 1000n], { prepare: true, consistency: LOCAL_QUORUM });
    await client.execute(cql.SELECT, ['bench-raw', `warm-${run}`], { prepare: true, consistency: LOCAL_QUORUM });
    for (const statement of ['INSERT', 'SELECT', 'BATCH', 'SELECT_IN'] as const) {
      for (const n of inFlight) {
        let done = 0;
        const start = performance.now();
        const end = start + durationMs;
        await Promise.all(
          Array.from({ length: statement === 'BATCH' || statement === 'SELECT_IN' ? Math.max(1, Math.floor(n / 4)) : n }, async (_, w) => {
            while (performance.now() < end) {
              if (statement === 'SELECT_IN') {
                const entities = Array.from({ length: BATCH_ROWS }, () => `raw-${run}-${w}-${done++}`);
                await client.execute(cql.SELECT_IN, ['bench-raw', entities], { prepare: true, consistency: LOCAL_QUORUM, isIdempotent: true });
                continue;
              }
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
