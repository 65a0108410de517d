import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { splitStatements, StatementSplitError, type SqlDialect } from './split-statements.ts';
import { MigrationError } from './run-migrations.ts';

export type MigrationTarget = 'cassandra' | 'bigquery';

const FOLDER: Record<MigrationTarget, { dir: string; ext: string; dialect: SqlDialect }> = {
  cassandra: { dir: 'cql', ext: '.cql', dialect: 'cql' },
  bigquery: { dir: 'bigquery', ext: '.sql', dialect: 'bigquery' },
};

export interface MigrationFile {
  /** File name without extension, e.g. `0002_add_score_to_live__stat_v1`; the order key. */
  readonly id: string;
  readonly path: string;
  /** sha256 of the file: an applied migration must never change. */
  readonly checksum: string;
  readonly statements: readonly string[];
}

/** The migrations of one target in `<generatedDir>/migrations/`, in id order. */
export async function readMigrations(generatedDir: string, target: MigrationTarget): Promise<MigrationFile[]> {
  const { dir, ext, dialect } = FOLDER[target];
  const folder = path.join(generatedDir, 'migrations', dir);
  const names = (await readdir(folder).catch(() => [] as string[])).filter((n) => n.endsWith(ext)).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(path.join(folder, name), 'utf8');
      return {
        id: name.slice(0, -ext.length),
        path: path.join(folder, name),
        checksum: createHash('sha256').update(text).digest('hex'),
        statements: statementsOf(text, dialect, name),
      };
    }),
  );
}

/** A file that cannot be split is refused whole, naming the file and the line, before anything is applied. */
function statementsOf(text: string, dialect: SqlDialect, name: string): string[] {
  try {
    return splitStatements(text, dialect);
  } catch (e) {
    if (e instanceof StatementSplitError) throw new MigrationError(`${name}: ${e.message}`);
    throw e;
  }
}
