/**
 * The sampler's per-key state (sampler.ts, rule 1): the event time of the last sampled record of each
 * key of each feature with a `minIntervalByKeyMs`. Durable, in the online store's own backend (a table
 * in the Cassandra keyspace, or in the SQLite file), so it survives a restart and follows a partition
 * to whichever worker takes it over: the new holder loads the state of each batch's keys and makes the
 * decisions the old one would have (no burst of duplicates after a rebalance).
 *
 * The worker saves a batch's state only after the offline flush of its sampled rows, and commits the
 * offsets after that. So a crash anywhere leaves the state at or behind what the offline store holds:
 * a redelivered record whose time equals the state is sampled again (and dropped as a duplicate
 * offline), one behind it was flushed already, one ahead gets its original decision.
 *
 * `save` only ever raises a key's time (max, not last write): a worker that lost a partition in a
 * rebalance and flushes late must not put an older state over the new holder's.
 */

export interface SamplerStateEntry {
  readonly feature: string;
  /** The key as a stable string (its cache key: runtime/cache/cache-key.ts). */
  readonly entity: string;
  /** Event time of the last sampled record, epoch milliseconds. */
  readonly lastSampledMs: number;
}

export interface SamplerStateStore {
  /** The stored time of each entity of `feature` that has one (absent: never sampled). */
  load(feature: string, entities: readonly string[]): Promise<Map<string, number>>;
  /** Raises each entity's time to `lastSampledMs` (never lowers it). */
  save(entries: readonly SamplerStateEntry[]): Promise<void>;
  close(): Promise<void>;
}

/** The table both implementations create (in the SQLite file; in the Cassandra keyspace). */
export const SAMPLER_STATE_TABLE = 'fs_downsync_sampler_state';

/** A state kept in memory: for a worker whose offline store has no durable neighbour (tests, embedded). */
export class MemorySamplerStateStore implements SamplerStateStore {
  private readonly times = new Map<string, number>();

  async load(feature: string, entities: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const entity of entities) {
      const t = this.times.get(`${feature}\u0000${entity}`);
      if (t !== undefined) out.set(entity, t);
    }
    return out;
  }

  async save(entries: readonly SamplerStateEntry[]): Promise<void> {
    for (const e of entries) {
      const id = `${e.feature}\u0000${e.entity}`;
      const t = this.times.get(id);
      if (t === undefined || e.lastSampledMs > t) this.times.set(id, e.lastSampledMs);
    }
  }

  async close(): Promise<void> {}
}
