/** Migrations on BigQuery, recorded in `<dataset>.featurestore_migrations`. */
import type { BigQuery } from '@google-cloud/bigquery';
import type { MigrationFile } from './migration-files.ts';
import type { AppliedMigration, Migrator } from './run-migrations.ts';

const TABLE = 'featurestore_migrations';

export class BigQueryMigrator implements Migrator {
  constructor(
    private readonly client: BigQuery,
    private readonly dataset: string,
    private readonly location: string,
  ) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,1023}$/.test(dataset)) throw new Error(`invalid dataset name ${dataset}`);
  }

  private get table(): string {
    return `\`${this.client.projectId}.${this.dataset}.${TABLE}\``;
  }

  async applied(): Promise<AppliedMigration[]> {
    const [datasetExists] = await this.client.dataset(this.dataset).exists();
    if (!datasetExists) return [];
    const [tableExists] = await this.client.dataset(this.dataset).table(TABLE).exists();
    if (!tableExists) return [];
    const [rows] = await this.client.query({ query: `SELECT id, checksum FROM ${this.table}`, location: this.location });
    return (rows as { id: string; checksum: string }[]).map((r) => ({ id: r.id, checksum: r.checksum }));
  }

  async apply(migration: MigrationFile): Promise<void> {
    // DDL takes no query parameters; its identifiers were validated when the file was generated.
    for (const statement of migration.statements) await this.client.query({ query: statement, location: this.location });
    await this.client.query({
      query: `CREATE TABLE IF NOT EXISTS ${this.table} (id STRING NOT NULL, checksum STRING NOT NULL, applied_at TIMESTAMP NOT NULL)`,
      location: this.location,
    });
    await this.client.query({
      query: `INSERT INTO ${this.table} (id, checksum, applied_at) VALUES (@id, @checksum, CURRENT_TIMESTAMP())`,
      params: { id: migration.id, checksum: migration.checksum },
      location: this.location,
    });
  }

  async close(): Promise<void> {}
}
