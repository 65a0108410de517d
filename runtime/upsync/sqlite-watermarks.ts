/**
 * Watermarks in the SQLite online store's file: a table of its own, on a connection of its own (the
 * store's connection is private to it). WAL and a busy timeout, as the store uses, so a save waits for
 * the store's write transaction instead of failing with SQLITE_BUSY. Statements prepared once.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { DRIVER_USES, loadDriver } from '../connect/optional-drivers.ts';
import { WATERMARK_TABLE, type Watermark, type WatermarkStore } from './watermark-store.ts';

interface Row {
  readonly watermark_ms: number;
  readonly run_id: string;
  readonly saved_at_ms: number;
}

export class SqliteWatermarkStore implements WatermarkStore {
  private readonly select: BetterSqlite3.Statement<[string, string], Row>;
  private readonly upsert: BetterSqlite3.Statement<[string, string, number, string, number]>;

  private constructor(private readonly db: BetterSqlite3.Database) {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${WATERMARK_TABLE} (feature TEXT NOT NULL, shard TEXT NOT NULL, watermark_ms INTEGER NOT NULL, run_id TEXT NOT NULL, saved_at_ms INTEGER NOT NULL, PRIMARY KEY (feature, shard))`,
    );
    this.select = db.prepare(`SELECT watermark_ms, run_id, saved_at_ms FROM ${WATERMARK_TABLE} WHERE feature = ? AND shard = ?`);
    this.upsert = db.prepare(
      `INSERT INTO ${WATERMARK_TABLE} (feature, shard, watermark_ms, run_id, saved_at_ms) VALUES (?, ?, ?, ?, ?) ` +
        'ON CONFLICT (feature, shard) DO UPDATE SET watermark_ms = excluded.watermark_ms, run_id = excluded.run_id, saved_at_ms = excluded.saved_at_ms',
    );
  }

  static async open(file: string): Promise<SqliteWatermarkStore> {
    const { default: Database } = await loadDriver('better-sqlite3', DRIVER_USES.sqliteStore, () => import('better-sqlite3'));
    const db = new Database(file);
    try {
      return new SqliteWatermarkStore(db);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  async get(feature: string, shard: string): Promise<Watermark | null> {
    const row = this.select.get(feature, shard);
    return row ? { at: new Date(row.watermark_ms), runId: row.run_id, savedAt: new Date(row.saved_at_ms) } : null;
  }

  async set(feature: string, shard: string, at: Date, runId: string): Promise<void> {
    this.upsert.run(feature, shard, at.getTime(), runId, Date.now());
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
