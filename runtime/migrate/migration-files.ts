import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { splitStatements } from './split-statements.ts';

export type MigrationTarget = 'cassandra' | 'bigquery';

const FOLDER: Record<MigrationTarget, { dir: string; ext: string }> = {
  cassandra: { dir: 'cql', ext: '.cql' },
  bigquery: { dir: 'bigquery', ext: '.sql' },
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
  const { dir, ext } = FOLDER[target];
  const folder = path.join(generatedDir, 'migrations', dir);
  const names = (await readdir(folder).catch(() => [] as string[])).filter((n) => n.endsWith(ext)).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(path.join(folder, name), 'utf8');
      return {
        id: name.slice(0, -ext.length),
        path: path.join(folder, name),
        checksum: createHash('sha256').update(text).digest('hex'),
        statements: splitStatements(text),
      };
    }),
  );
}
