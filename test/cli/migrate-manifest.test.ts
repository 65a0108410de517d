/**
 * `featurestore migrate` reads the manifest with the contract's schema before it connects anywhere: a
 * corrupt or foreign manifest is a usage error naming the file (exit 2), with no server involved.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATE_ERRORS } from '../../cli/migrate.ts';
import { MANIFEST_ERRORS } from '../../core/manifest/parse-manifest.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

async function generatedWith(manifest: string): Promise<{ dir: string; file: string }> {
  const dir = path.join(await tempDir('migrate-manifest'), 'generated');
  await mkdir(path.join(dir, 'migrations', 'cql'), { recursive: true });
  await writeFile(path.join(dir, 'migrations', 'cql', '0001_initial.cql'), 'CREATE KEYSPACE IF NOT EXISTS x WITH replication = {};\n');
  await writeFile(path.join(dir, 'manifest.json'), manifest);
  return { dir, file: path.join(dir, 'manifest.json') };
}

describe('featurestore migrate: the manifest', () => {
  it('not JSON: exit 2 naming the file', async () => {
    const { dir, file } = await generatedWith('{ "formatVersion": 2,');
    const result = await runCli(['migrate', '--target', 'cassandra', '--generated', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^featurestore: ${escape(file)} is not valid JSON \\(.*\\); run featurestore codegen`));
  });

  it('another JSON document: exit 2 naming the file and what is missing', async () => {
    const { dir, file } = await generatedWith(await readFile('package.json', 'utf8'));
    const result = await runCli(['migrate', '--target', 'bigquery', '--generated', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`featurestore: ${MANIFEST_ERRORS.invalid(file, [])}`.replace(/: $/, ': formatVersion: '));
    expect(result.stderr).toContain(MIGRATE_ERRORS.badManifest('').slice(2));
  });

  it('missing: exit 2 asking for codegen', async () => {
    const { dir } = await generatedWith('{}');
    const result = await runCli(['migrate', '--target', 'cassandra', '--generated', path.join(dir, 'nowhere')]);
    expect([result.code, result.stderr]).toEqual([2, `featurestore: ${MIGRATE_ERRORS.noManifest(path.join(dir, 'nowhere', 'manifest.json'))}\n`]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
