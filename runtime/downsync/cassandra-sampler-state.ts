/**
 * The sampler state in the Cassandra keyspace of the online store: one partition per (feature,
 * entity), so a load is point reads spread over the ring (bounded concurrency, prepared), and a save
 * is idempotent writes `USING TIMESTAMP <last sampled ms × 1000>`. Cassandra keeps the cell with the
 * highest write timestamp, so the stored time is the maximum ever saved whatever the order of the
 * writes (a late save from a worker that lost the partition cannot lower it), without a read or a
 * lightweight transaction.
 *
 * Both go `batchRows` partitions at a time (default 20), grouped by their first replica (the driver's
 * token map, ../online/cassandra/routing-keys.ts) and sent to it: a save is an UNLOGGED batch (each row
 * keeps its own USING TIMESTAMP), a load one `entity IN (…)` SELECT. Either touches partitions the
 * coordinator owns, so grouping costs no extra hop; what it saves is the per-request cost, which is
 * what bounds the worker on a small cluster (on the 2-core test box: ~6k single INSERTs/s against
 * ~13k rows/s in batches of 20, bench:downsync). A lost load or save is retried by the worker's
 * batch, as a single request would be.
 */
import type cassandra from 'cassandra-driver';
import pLimit from 'p-limit';
import { CQL_TYPE_CODE, RoutingKeys } from '../online/cassandra/routing-keys.ts';
import { SAMPLER_STATE_TABLE, type SamplerStateEntry, type SamplerStateStore } from './sampler-state.ts';

export interface CassandraSamplerStateOptions {
  readonly client: cassandra.Client;
  readonly keyspace: string;
  /** Requests in flight at most (default 32). */
  readonly maxConcurrency?: number;
  /** Partitions per save batch or load SELECT (default 20; 1 = one request per partition). */
  readonly batchRows?: number;
  /** Shut the client down on close(). */
  readonly ownsClient?: boolean;
}

const QUORUM = 0x06; // LOCAL_QUORUM: the state must be read back by the next holder of the partition.
/** The partition key (feature, entity): two text columns. */
const KEY_CODES = [CQL_TYPE_CODE.Text, CQL_TYPE_CODE.Text];
const DEFAULT_BATCH_ROWS = 20;

export class CassandraSamplerStateStore implements SamplerStateStore {
  private readonly select: string;
  private readonly insert: string;
  private readonly limit: ReturnType<typeof pLimit>;
  private routing: RoutingKeys | null = null;
  private readonly batchRows: number;
  private ready: Promise<void> | null = null;

  constructor(private readonly options: CassandraSamplerStateOptions) {
    const table = `"${options.keyspace}".${SAMPLER_STATE_TABLE}`;
    // One SELECT per group of partitions on a replica (a group of one too: `IN` with one entity).
    this.select = `SELECT entity, last_sampled_at FROM ${table} WHERE feature = ? AND entity IN ?`;
    this.insert = `INSERT INTO ${table} (feature, entity, last_sampled_at) VALUES (?, ?, ?) USING TIMESTAMP ?`;
    this.limit = pLimit(options.maxConcurrency ?? 32);
    this.batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  }

  /** The routing keys, made at the first load or save, once the driver is loaded (an optional dependency). */
  private async routingKeys(): Promise<RoutingKeys> {
    return (this.routing ??= new RoutingKeys((await import('cassandra-driver')).default, this.options.client));
  }

  /** Creates the table if it does not exist (the keyspace must). Called by the first load or save. */
  createTable(): Promise<void> {
    this.ready ??= this.options.client
      .execute(
        `CREATE TABLE IF NOT EXISTS "${this.options.keyspace}".${SAMPLER_STATE_TABLE} (feature text, entity text, last_sampled_at timestamp, PRIMARY KEY ((feature, entity)))`,
      )
      .then(() => undefined);
    this.ready.catch(() => (this.ready = null));
    return this.ready;
  }

  async load(feature: string, entities: readonly string[]): Promise<Map<string, number>> {
    await this.createTable();
    const routing = await this.routingKeys();
    const out = new Map<string, number>();
    const groups = routing.groupByReplica(this.options.keyspace, entities, (entity) => routing.of([feature, entity], KEY_CODES), { maxItems: this.batchRows });
    await Promise.all(
      groups.map(({ routingKey, items }) =>
        this.limit(async () => {
          const result = await this.options.client.execute(this.select, [feature, items], { prepare: true, consistency: QUORUM, routingKey });
          for (const row of result.rows) {
            const at = row.get('last_sampled_at') as unknown;
            if (at instanceof Date) out.set(row.get('entity') as string, at.getTime());
          }
        }),
      ),
    );
    return out;
  }

  async save(entries: readonly SamplerStateEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.createTable();
    const routing = await this.routingKeys();
    const params = (e: SamplerStateEntry) => [e.feature, e.entity, new Date(e.lastSampledMs), BigInt(e.lastSampledMs) * 1000n];
    const groups = routing.groupByReplica(this.options.keyspace, entries, (e) => routing.of([e.feature, e.entity], KEY_CODES), { maxItems: this.batchRows });
    await Promise.all(
      groups.map(({ routingKey, items }) =>
        this.limit(() =>
          items.length === 1
            ? this.options.client.execute(this.insert, params(items[0]!), { prepare: true, consistency: QUORUM, isIdempotent: true })
            : this.options.client.batch(
                items.map((e) => ({ query: this.insert, params: params(e) })),
                { prepare: true, logged: false, consistency: QUORUM, isIdempotent: true, routingKey },
              ),
        ),
      ),
    );
  }

  async close(): Promise<void> {
    if (this.options.ownsClient) await this.options.client.shutdown();
  }
}
