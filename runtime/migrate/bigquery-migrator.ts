/** Migrations on BigQuery, recorded in `<dataset>.featurestore_migrations`. */
import type { BigQuery } from '@google-cloud/bigquery';
import type { MigrationFile } from './migration-files.ts';
import type { AppliedMigration, Migrator } from './run-migrations.ts';

const TABLE = 'featurestore_migrations';
const TRACKING_SCHEMA = [
  { name: 'id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'checksum', type: 'STRING', mode: 'REQUIRED' },
  { name: 'applied_at', type: 'TIMESTAMP', mode: 'REQUIRED' },
];

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
    // The dataset and the tracking table are made through the API, not DDL: CREATE SCHEMA needs
    // dataset-creation rights on the project in BigQuery proper and is a no-op in the emulator.
    const dataset = this.client.dataset(this.dataset, { location: this.location });
    const [datasetExists] = await dataset.exists();
    if (!datasetExists) await dataset.create({ location: this.location });
    // DDL takes no query parameters; its identifiers were validated when the file was generated.
    for (const statement of migration.statements) await this.client.query({ query: statement, location: this.location });
    const [tableExists] = await dataset.table(TABLE).exists();
    if (!tableExists) await dataset.createTable(TABLE, { schema: { fields: TRACKING_SCHEMA } });
    await this.client.query({
      query: `INSERT INTO ${this.table} (id, checksum, applied_at) VALUES (@id, @checksum, CURRENT_TIMESTAMP())`,
      params: { id: migration.id, checksum: migration.checksum },
      location: this.location,
    });
  }

  async close(): Promise<void> {}
}
