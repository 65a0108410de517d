export { BigQueryMigrator } from './bigquery-migrator.ts';
export { CassandraMigrator } from './cassandra-migrator.ts';
export { readMigrations, type MigrationFile, type MigrationTarget } from './migration-files.ts';
export { MigrationError, runMigrations, type AppliedMigration, type MigrationReport, type Migrator } from './run-migrations.ts';
export { SPLIT_ERROR, splitStatements, StatementSplitError, type SplitErrorCode, type SqlDialect } from './split-statements.ts';
