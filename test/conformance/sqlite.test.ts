/** The conformance suite on the embedded SQLite store, with a fake clock for TTLs. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteOnlineStore } from '../../runtime/online/sqlite/sqlite-online-store.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { allTables, conformanceTables } from './conformance-tables.ts';
import { onlineStoreConformance } from './online-store.conformance.ts';

let clock = Date.now();

onlineStoreConformance('SQLite', {
  open: async (tables) => new SqliteOnlineStore({ path: path.join(await tempDir('sqlite-conformance'), 'online.db'), tables, now: () => clock }),
  elapse: async (seconds) => {
    clock += seconds * 1000;
  },
  alignToTtlSecond: async () => {},
});

describe('SQLite store specifics', () => {
  it('creates typed, STRICT tables in WAL mode, and reopening an existing file keeps the data', async () => {
    const file = path.join(await tempDir('sqlite-reopen'), 'online.db');
    const tables = allTables(await conformanceTables());
    const first = new SqliteOnlineStore({ path: file, tables });
    const table = tables[1]!;
    await first.putMany(table, [{ key: [2n ** 62n, -1n], value: { value: Buffer.from('x'), schemaId: 1n, updatedAt: new Date(5) } }]);
    await first.close();
    const second = new SqliteOnlineStore({ path: file, tables });
    const [got] = await second.getMany(table, [[2n ** 62n, -1n]]);
    expect(Buffer.from(got!.value).toString()).toBe('x');
    await second.close();

    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const ddl = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'azar_lounge__user_interaction_v1'").pluck().get() as string;
    expect(ddl).toContain('"user_id" INTEGER NOT NULL');
    expect(ddl).toMatch(/STRICT, WITHOUT ROWID$/);
    db.close();
  });

  it('purges expired rows lazily on the write path', async () => {
    const t = await conformanceTables();
    let now = 1_000_000;
    const store = new SqliteOnlineStore({ path: ':memory:', tables: [t.reservedWords], now: () => now, purgeIntervalMs: 10_000 });
    const row = (i: number) => ({ key: ['k', BigInt(i)] as const, value: { value: Buffer.from('v'), schemaId: 1n, updatedAt: new Date(now) } });
    await store.putMany(t.reservedWords, [row(1), row(2)]);
    now += 20_000;
    await store.putMany(t.reservedWords, [row(3)]);
    const db = (store as unknown as { db: import('better-sqlite3').Database }).db;
    expect(db.prepare('SELECT count(*) FROM edge__reserved_words_v1').pluck().get()).toBe(1n);
    await store.close();
  });
});
