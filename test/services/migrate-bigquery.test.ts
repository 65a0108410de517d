/**
 * `featurestore migrate --target bigquery` against the BigQuery emulator: the dataset and the
 * tracking table are created, each migration applies once, a rerun is a no-op, a YAML change
 * becomes a migration that applies once. (The emulator accepts ALTER TABLE but does not change the
 * table, so the effect of ADD COLUMN is not observable here; its text is tested in test/plan.)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emulatorProject, testBigQueryClient, uniqueDataset } from '../helpers/bigquery.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const dataset = uniqueDataset('migrate');
const client = testBigQueryClient();
afterAll(() => client.dataset(dataset).delete({ force: true }).catch(() => {}));

const FEATURE = (extra = '') => `live::stat-v1:
  feature_type: History
  owner: team
  schema:
    user_id: { type: Long, is_key_field: true }
    at: { type: Timestamp, is_event_time: true }
    tags: { type: List<Text>, default_value: [] }
${extra}  retention: 30d
`;

describe('featurestore migrate --target bigquery', async () => {
  const root = await tempDir('migrate-bq');
  const features = path.join(root, 'features');
  const out = path.join(root, 'generated');
  await mkdir(features, { recursive: true });
  await writeFile(path.join(root, 'featurestore.yaml'), `bigquery: { project: ${emulatorProject()}, dataset: ${dataset} }\n`);
  const codegen = async (yaml: string) => {
    await writeFile(path.join(features, 'live.yaml'), yaml);
    const r = await runCli(['codegen', '--features', features, '--out', out, '--config', path.join(root, 'featurestore.yaml')]);
    expect(r.code, r.stderr).toBe(0);
  };
  const migrate = async () => {
    const r = await runCli(['migrate', '--target', 'bigquery', '--generated', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { applied: string[]; skipped: string[] };
  };

  it('creates the dataset and the table once; a rerun is a no-op', async () => {
    await codegen(FEATURE());
    expect(await migrate()).toMatchObject({ applied: ['0001_initial'], skipped: [] });
    expect(await migrate()).toMatchObject({ applied: [], skipped: ['0001_initial'] });
    const [exists] = await client.dataset(dataset).table('live__stat_v1').exists();
    expect(exists).toBe(true);
    const [rows] = await client.query({ query: `SELECT id, checksum FROM \`${emulatorProject()}.${dataset}.featurestore_migrations\`` });
    expect((rows as { id: string }[]).map((r) => r.id)).toEqual(['0001_initial']);
  });

  it('applies the migration of a new field once', async () => {
    await codegen(FEATURE('    score: { type: Double, default_value: 0 }\n'));
    expect(await migrate()).toMatchObject({ applied: ['0002_add_score_to_live__stat_v1'] });
    expect(await migrate()).toMatchObject({ applied: [] });
  });
});
