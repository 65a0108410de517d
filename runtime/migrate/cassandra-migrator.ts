/** Migrations on Cassandra/ScyllaDB, recorded in `<keyspace>.featurestore_migrations`. */
import type cassandra from 'cassandra-driver';
import type { MigrationFile } from './migration-files.ts';
import type { AppliedMigration, Migrator } from './run-migrations.ts';

const TABLE = 'featurestore_migrations';

export class CassandraMigrator implements Migrator {
  constructor(
    private readonly client: cassandra.Client,
    /** Validated at codegen (`[a-z][a-z0-9_]*`), so it is safe as an identifier. */
    private readonly keyspace: string,
  ) {
    if (!/^[a-z][a-z0-9_]{0,47}$/.test(keyspace)) throw new Error(`invalid keyspace name ${keyspace}`);
  }

  async applied(): Promise<AppliedMigration[]> {
    const exists = await this.client.execute(
      'SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?',
      [this.keyspace, TABLE],
      { prepare: true },
    );
    if (exists.rowLength === 0) return [];
    const rows = await this.client.execute(`SELECT id, checksum FROM ${this.keyspace}.${TABLE}`, [], { prepare: true });
    return rows.rows.map((r) => ({ id: String(r['id']), checksum: String(r['checksum']) }));
  }

  async apply(migration: MigrationFile): Promise<void> {
    // DDL cannot take bind markers; its identifiers were validated when the file was generated.
    for (const statement of migration.statements) await this.client.execute(statement);
    await this.client.execute(
      `CREATE TABLE IF NOT EXISTS ${this.keyspace}.${TABLE} (id text PRIMARY KEY, checksum text, applied_at timestamp)`,
    );
    await this.client.execute(
      `INSERT INTO ${this.keyspace}.${TABLE} (id, checksum, applied_at) VALUES (?, ?, toTimestamp(now()))`,
      [migration.id, migration.checksum],
      { prepare: true },
    );
  }

  async close(): Promise<void> {
    await this.client.shutdown();
  }
}
