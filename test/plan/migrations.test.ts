import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const CONFIG = 'test/fixtures/config/featurestore.yaml';

const feature = (extra: string, retention = '30d') => `live::stat-v1:
  feature_type: Object
  owner: team
  schema:
    user_id: { type: Long, is_key_field: true }
    level: { type: Int, default_value: 0 }
${extra}  retention: ${retention}
`;

/** Runs codegen over successive versions of the YAML into one output folder, like commits over time. */
async function evolve(...versions: string[]): Promise<{ migrations: Record<string, string>; steps: Record<string, string>[] }> {
  const out = path.join(await tempDir('migrations'), 'generated');
  const features = await tempDir('migrations-features');
  const steps: Record<string, string>[] = [];
  for (const yaml of versions) {
    await writeFile(path.join(features, 'live.yaml'), yaml);
    const result = await runCli(['codegen', '--features', features, '--out', out, '--config', CONFIG]);
    // Warnings (a removed feature) may be printed; errors may not.
    expect(result.code, result.stderr).toBe(0);
    steps.push(await readMigrations(out));
  }
  return { migrations: steps[steps.length - 1]!, steps };
}

async function readMigrations(out: string): Promise<Record<string, string>> {
  const dir = path.join(out, 'migrations');
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const migrations: Record<string, string> = {};
  for (const e of entries.filter((x) => x.isFile())) {
    migrations[path.relative(dir, path.join(e.parentPath, e.name))] = await readFile(path.join(e.parentPath, e.name), 'utf8');
  }
  return migrations;
}

describe('migration files', () => {
  it('start with the initial schema: keyspace/dataset and every table', async () => {
    const { migrations } = await evolve(feature(''));
    expect(Object.keys(migrations).sort()).toEqual(['bigquery/0001_initial.sql', 'cql/0001_initial.cql']);
    expect(migrations['cql/0001_initial.cql']).toMatch(/CREATE KEYSPACE IF NOT EXISTS feature_store[\s\S]*CREATE TABLE IF NOT EXISTS feature_store\.live__stat_v1/);
    expect(migrations['bigquery/0001_initial.sql']).toMatch(/CREATE SCHEMA IF NOT EXISTS `local-project\.feature_store`[\s\S]*CREATE TABLE IF NOT EXISTS `local-project\.feature_store\.live__stat_v1`/);
  });

  it('add nothing when nothing changed', async () => {
    const { migrations } = await evolve(feature(''), feature(''));
    expect(Object.keys(migrations)).toHaveLength(2);
  });

  it('add a BigQuery column, and no online DDL, for a new field', async () => {
    const { migrations } = await evolve(feature(''), feature('    score: { type: List<Double>, default_value: [], description: "it\'s new" }\n'));
    expect(Object.keys(migrations).sort()).toEqual(['bigquery/0001_initial.sql', 'bigquery/0002_add_score_to_live__stat_v1.sql', 'cql/0001_initial.cql']);
    expect(migrations['bigquery/0002_add_score_to_live__stat_v1.sql']).toContain(
      "ALTER TABLE `local-project.feature_store.live__stat_v1`\n  ADD COLUMN IF NOT EXISTS `score` ARRAY<FLOAT64> OPTIONS(description=\"it's new\");",
    );
  });

  it('change the TTL online and the partition expiry offline for a new retention', async () => {
    const { migrations } = await evolve(feature(''), feature('', '7d'));
    expect(migrations['cql/0002_retention_live__stat_v1.cql']).toContain('ALTER TABLE feature_store.live__stat_v1 WITH default_time_to_live = 604800;');
    expect(migrations['bigquery/0002_retention_live__stat_v1.sql']).toContain('SET OPTIONS(partition_expiration_days=7);');
    expect(migrations['cql/0002_retention_live__stat_v1.cql']).toContain('--   retention of live::stat-v1: 30d → 7d');
  });

  it('widen a BigQuery column when the gate allows a type promotion (Int → Double)', async () => {
    const { migrations } = await evolve(feature(''), feature('').replace('level: { type: Int, default_value: 0 }', 'level: { type: Double, default_value: 0 }'));
    expect(migrations['bigquery/0002_widen_level_in_live__stat_v1.sql']).toContain(
      'ALTER TABLE `local-project.feature_store.live__stat_v1`\n  ALTER COLUMN `level` SET DATA TYPE FLOAT64;',
    );
    expect(Object.keys(migrations).filter((p) => p.startsWith('cql/'))).toEqual(['cql/0001_initial.cql']);
  });

  it('never drop the tables of a removed feature, but say how', async () => {
    const other = 'live::other-v1:\n  feature_type: Object\n  owner: team\n  schema:\n    id: { type: Text, is_key_field: true }\n';
    const { migrations } = await evolve(feature('') + other, feature(''));
    const cql = migrations['cql/0002_remove_live__other_v1.cql'] ?? '';
    expect(cql).toContain('-- Once no reader needs it: DROP TABLE feature_store.live__other_v1;');
    expect(cql).not.toMatch(/^DROP/m);
  });

  it('keep earlier migrations byte for byte and number new ones after them', async () => {
    const { migrations, steps } = await evolve(feature(''), feature('', '7d'), feature('', '1d'));
    expect(migrations['cql/0001_initial.cql']).toBe(steps[0]!['cql/0001_initial.cql']);
    expect(migrations['cql/0002_retention_live__stat_v1.cql']).toBe(steps[1]!['cql/0002_retention_live__stat_v1.cql']);
    expect(Object.keys(migrations)).toContain('cql/0003_retention_live__stat_v1.cql');
  });
});
