/**
 * The sampler state in a SQLite file, next to the SQLite online store's tables (its own connection:
 * WAL lets it write beside the store's). One row per (feature, entity), WITHOUT ROWID so a lookup is
 * one seek; loads are one prepared point query per key (in-process, microseconds each, no IN list of
 * varying length to prepare), saves one transaction of conditional upserts that only raise the time.
 */
import Database from 'better-sqlite3';
import { SAMPLER_STATE_TABLE, type SamplerStateEntry, type SamplerStateStore } from './sampler-state.ts';

export class SqliteSamplerStateStore implements SamplerStateStore {
  private readonly db: Database.Database;
  private readonly get: Database.Statement<[string, string], { readonly last_sampled_at: bigint }>;
  private readonly put: Database.Statement<[string, string, bigint]>;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.defaultSafeIntegers(true);
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS ${SAMPLER_STATE_TABLE} (feature TEXT NOT NULL, entity TEXT NOT NULL, last_sampled_at INTEGER NOT NULL, PRIMARY KEY (feature, entity)) STRICT, WITHOUT ROWID`,
    );
    this.get = this.db.prepare(`SELECT last_sampled_at FROM ${SAMPLER_STATE_TABLE} WHERE feature = ? AND entity = ?`);
    this.put = this.db.prepare(
      `INSERT INTO ${SAMPLER_STATE_TABLE} (feature, entity, last_sampled_at) VALUES (?, ?, ?) ` +
        `ON CONFLICT (feature, entity) DO UPDATE SET last_sampled_at = excluded.last_sampled_at WHERE excluded.last_sampled_at > last_sampled_at`,
    );
  }

  async load(feature: string, entities: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const entity of entities) {
      const row = this.get.get(feature, entity);
      if (row) out.set(entity, Number(row.last_sampled_at));
    }
    return out;
  }

  async save(entries: readonly SamplerStateEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.db.transaction(() => {
      for (const e of entries) this.put.run(e.feature, e.entity, BigInt(e.lastSampledMs));
    })();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
