/**
 * Where upsync keeps its sync points: per feature AND per shard (`i/n`), the newest `fs_updated_at` up
 * to which every offline row has been written online. One small interface, two implementations beside
 * the online store they belong to (the watermark must live and die with the data it describes):
 *
 * - SQLite (sqlite-watermarks.ts): a table in the online store's own file, on a connection of its own
 *   (WAL, so it neither blocks nor is blocked by the store's writes for long);
 * - Cassandra (cassandra-watermarks.ts): a table in the online keyspace, created when missing.
 *
 * Each shard split has its own rows (`0/4` is not `0/2`): after a change of the shard count the new
 * shards start without a watermark (a full read) instead of trusting a sync point of other key ranges.
 * Saving is one upsert of one row: a kill -9 between saves loses at most the pages written since the
 * previous save, which the next run reads again (writes are idempotent by update time).
 */

export const WATERMARK_TABLE = 'fs_upsync_watermarks';

export interface Watermark {
  /** Every row with fs_updated_at <= this was written (by the run that saved it). */
  readonly at: Date;
  readonly runId: string;
  /** When it was saved (wall clock of the saving process). */
  readonly savedAt: Date;
}

export interface WatermarkStore {
  get(feature: string, shard: string): Promise<Watermark | null>;
  set(feature: string, shard: string, at: Date, runId: string): Promise<void>;
  close(): Promise<void>;
}

/** The shard label a watermark is stored under. */
export function shardLabel(shard: { readonly index: number; readonly count: number }): string {
  return `${shard.index}/${shard.count}`;
}
