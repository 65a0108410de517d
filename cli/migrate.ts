/** `featurestore migrate --target cassandra|bigquery`: applies generated/migrations once, in order. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from '../core/manifest/manifest-schema.ts';
import { ManifestError, parseManifestText } from '../core/manifest/parse-manifest.ts';
import { createBigQueryClient } from '../runtime/connect/bigquery.ts';
import { cassandraSettingsFromEnv, createCassandraClient } from '../runtime/connect/cassandra.ts';
import { MissingDriverError } from '../runtime/connect/optional-drivers.ts';
import { BigQueryMigrator, CassandraMigrator, MigrationError, readMigrations, runMigrations, type MigrationFile, type MigrationTarget, type Migrator } from '../runtime/migrate/index.ts';
import { UsageError } from '../generator/diagnostics.ts';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Io } from './io.ts';

export const MIGRATE_ERRORS = {
  noManifest: (file: string) => `${file} not found: run featurestore codegen first (or pass --generated DIR)`,
  badManifest: (problem: string) => `${problem}; run featurestore codegen (or pass the --generated DIR it wrote)`,
} as const;

export interface MigrateFlags {
  readonly target: MigrationTarget;
  readonly generated: string;
  readonly dryRun: boolean;
  readonly json: boolean;
}

export async function migrateCommand(opts: MigrateFlags, io: Io): Promise<number> {
  const manifest = await readManifest(opts.generated);
  let files: MigrationFile[];
  try {
    files = await readMigrations(opts.generated, opts.target);
  } catch (e) {
    // A file that does not split into statements is refused before anything is applied.
    if (!(e instanceof MigrationError)) throw e;
    return refuse(opts, io, e.message);
  }
  if (files.length === 0) throw new UsageError(`no migrations in ${opts.generated}/migrations for ${opts.target}: run featurestore codegen first`);
  let migrator: Migrator;
  try {
    migrator = await connect(opts.target, manifest);
  } catch (e) {
    // The driver is an optional peer dependency: not installed is a set-up problem, like a wrong flag.
    if (!(e instanceof MissingDriverError)) throw e;
    refuse(opts, io, e.message);
    return EXIT_USAGE;
  }
  try {
    const report = await runMigrations(migrator, files, { dryRun: opts.dryRun, log: (l) => io.err(`${l}\n`) });
    if (opts.json) io.out(JSON.stringify({ ok: true, target: opts.target, ...report }) + '\n');
    else {
      const verb = opts.dryRun ? 'would apply' : 'applied';
      io.out(`${opts.target}: ${verb} ${report.applied.length}, already applied ${report.skipped.length}\n`);
    }
    return EXIT_OK;
  } catch (e) {
    const message = e instanceof MigrationError ? e.message : `cannot migrate ${opts.target} at ${endpoint(opts.target)}: ${firstLine(e)}. ${HINT[opts.target]}`;
    return refuse(opts, io, message);
  } finally {
    await migrator.close().catch(() => {});
  }
}

function refuse(opts: MigrateFlags, io: Io, message: string): number {
  io.err(`featurestore migrate: ${message}\n`);
  if (opts.json) io.out(JSON.stringify({ ok: false, target: opts.target, error: message }) + '\n');
  return EXIT_INVALID;
}

const HINT: Record<MigrationTarget, string> = {
  cassandra: 'Start it with `npm run services -- up cassandra`, or set CASSANDRA_CONTACT_POINTS (and CASSANDRA_USERNAME/CASSANDRA_PASSWORD when it requires authentication)',
  bigquery: 'Start the emulator with `npm run services -- up bigquery` and set BIGQUERY_API_ENDPOINT, or configure Application Default Credentials for real BigQuery',
};

function endpoint(target: MigrationTarget): string {
  return target === 'cassandra' ? cassandraSettingsFromEnv().contactPoints.join(',') : (process.env['BIGQUERY_API_ENDPOINT'] ?? 'bigquery.googleapis.com');
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return (text.split('\n')[0] ?? text).replace(/\.$/, '');
}

async function connect(target: MigrationTarget, manifest: Manifest): Promise<Migrator> {
  if (target === 'cassandra') {
    return new CassandraMigrator(await createCassandraClient(cassandraSettingsFromEnv()), manifest.project.cassandra.keyspace);
  }
  const { project, dataset, location } = manifest.project.bigquery;
  return new BigQueryMigrator(await createBigQueryClient(process.env['BIGQUERY_PROJECT'] ?? project), dataset, location);
}

async function readManifest(generated: string): Promise<Manifest> {
  const file = path.join(generated, 'manifest.json');
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(MIGRATE_ERRORS.noManifest(file));
  });
  try {
    // Any readable format: migrate needs only the project's keyspace and dataset, which every format has.
    return parseManifestText(text, file, { formats: 'readable' });
  } catch (e) {
    if (e instanceof ManifestError) throw new UsageError(MIGRATE_ERRORS.badManifest(e.message));
    throw e;
  }
}
