/**
 * Watermarks in the Cassandra online keyspace: `fs_upsync_watermarks`, one partition per (feature,
 * shard), created when missing (CREATE TABLE IF NOT EXISTS, so upsync runs on a keyspace that only
 * `featurestore migrate` has touched). Prepared statements; reads and writes at the store's consistency
 * (LOCAL_QUORUM by default), so a rerun on another node sees the last save.
 */
import type cassandra from 'cassandra-driver';
import { createCassandraClient, type CassandraSettings } from '../connect/cassandra.ts';
import { DRIVER_USES } from '../connect/optional-drivers.ts';
import { WATERMARK_TABLE, type Watermark, type WatermarkStore } from './watermark-store.ts';

export interface CassandraWatermarkOptions {
  readonly keyspace: string;
  /** A client of the caller's (not shut down by close), or settings to connect with. */
  readonly client?: cassandra.Client;
  readonly settings?: CassandraSettings;
  /** cassandra-driver consistency name, default localQuorum. */
  readonly consistency?: string;
}

export class CassandraWatermarkStore implements WatermarkStore {
  private readonly table: string;

  private constructor(
    private readonly client: cassandra.Client,
    private readonly ownsClient: boolean,
    keyspace: string,
    private readonly consistency: number,
  ) {
    this.table = `"${keyspace.replaceAll('"', '""')}".${WATERMARK_TABLE}`;
  }

  static async open(options: CassandraWatermarkOptions): Promise<CassandraWatermarkStore> {
    const client = options.client ?? (await createCassandraClient(requireSettings(options.settings), undefined, DRIVER_USES.cassandraStore));
    const owns = options.client === undefined;
    try {
      const { types } = await import('cassandra-driver');
      const name = options.consistency ?? 'localQuorum';
      const consistency = (types.consistencies as unknown as Record<string, number>)[name] ?? types.consistencies.localQuorum;
      const store = new CassandraWatermarkStore(client, owns, options.keyspace, consistency);
      await client.execute(
        `CREATE TABLE IF NOT EXISTS ${store.table} (feature text, shard text, watermark timestamp, run_id text, saved_at timestamp, PRIMARY KEY ((feature, shard)))`,
      );
      return store;
    } catch (e) {
      if (owns) await client.shutdown().catch(() => {});
      throw e;
    }
  }

  async get(feature: string, shard: string): Promise<Watermark | null> {
    const result = await this.client.execute(`SELECT watermark, run_id, saved_at FROM ${this.table} WHERE feature = ? AND shard = ?`, [feature, shard], {
      prepare: true,
      consistency: this.consistency,
    });
    const row = result.first();
    if (!row) return null;
    return { at: row.get('watermark') as Date, runId: row.get('run_id') as string, savedAt: row.get('saved_at') as Date };
  }

  async set(feature: string, shard: string, at: Date, runId: string): Promise<void> {
    await this.client.execute(`INSERT INTO ${this.table} (feature, shard, watermark, run_id, saved_at) VALUES (?, ?, ?, ?, ?)`, [feature, shard, at, runId, new Date()], {
      prepare: true,
      consistency: this.consistency,
    });
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.shutdown();
  }
}

function requireSettings(settings: CassandraSettings | undefined): CassandraSettings {
  if (!settings) throw new TypeError('CassandraWatermarkStore.open needs a client or settings');
  return settings;
}
