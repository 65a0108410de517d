/** Applies migrations in order, once each, against any store that can record what it applied. */
import type { MigrationFile } from './migration-files.ts';

export interface AppliedMigration {
  readonly id: string;
  readonly checksum: string;
}

/** One store's side of migrating: few methods, so Cassandra and BigQuery share the logic below. */
export interface Migrator {
  /** Migrations recorded as applied (empty before the first one). */
  applied(): Promise<AppliedMigration[]>;
  /** Runs every statement of the migration, then records it. Statements are idempotent (IF NOT EXISTS). */
  apply(migration: MigrationFile): Promise<void>;
  close(): Promise<void>;
}

export interface MigrationReport {
  readonly applied: string[];
  readonly skipped: string[];
  readonly dryRun: boolean;
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export async function runMigrations(
  migrator: Migrator,
  files: readonly MigrationFile[],
  options: { dryRun: boolean; log?: (line: string) => void },
): Promise<MigrationReport> {
  const log = options.log ?? (() => {});
  const done = new Map((await migrator.applied()).map((m) => [m.id, m.checksum]));
  const changed = files.filter((f) => done.has(f.id) && done.get(f.id) !== f.checksum);
  if (changed.length > 0) {
    throw new MigrationError(
      `${changed.map((f) => f.id).join(', ')} changed after being applied (checksum differs). ` +
        'Applied migrations are history: restore the file from Git, and express the new change as a new migration (run npm run codegen).',
    );
  }
  const unknown = [...done.keys()].filter((id) => !files.some((f) => f.id === id));
  if (unknown.length > 0) log(`warning: applied migrations missing from the folder: ${unknown.join(', ')}`);

  const report: MigrationReport = { applied: [], skipped: [], dryRun: options.dryRun };
  for (const file of files) {
    if (done.has(file.id)) {
      report.skipped.push(file.id);
      continue;
    }
    log(`${options.dryRun ? 'would apply' : 'applying'} ${file.id} (${file.statements.length} statements)`);
    if (!options.dryRun) {
      try {
        await migrator.apply(file);
      } catch (e) {
        throw new MigrationError(`${file.id} failed: ${(e as Error).message}. Earlier migrations stay applied; fix the cause and run migrate again (statements are idempotent).`);
      }
    }
    report.applied.push(file.id);
  }
  return report;
}
