/**
 * Every emitted BigQuery table DDL applies on the BigQuery emulator (goccy/bigquery-emulator) and
 * creates the typed columns, REPEATED for lists. The emulator accepts but ignores PARTITION BY,
 * CLUSTER BY, NOT NULL and OPTIONS, so those are checked on the text by the golden and emitter tests.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitStatements } from '../../runtime/migrate/index.ts';
import { emulatorProject, testBigQueryClient, uniqueDataset } from '../helpers/bigquery.ts';

const client = testBigQueryClient();
const created: string[] = [];
afterAll(async () => {
  for (const ds of created) await client.dataset(ds).delete({ force: true }).catch(() => {});
});

async function tableFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.sql') && !e.name.startsWith('000_')).map((e) => path.join(e.parentPath, e.name)).sort();
}

interface ManifestField {
  readonly name: string;
  readonly type: { readonly kind: 'scalar' | 'list' };
}

describe.each([
  { dir: 'generated', project: 'hpcnt-recsys', dataset: 'feature_store' },
  { dir: 'test/fixtures/golden/expected', project: 'golden-project', dataset: 'golden_ds' },
])('$dir/bigquery', ({ dir, project, dataset }) => {
  it('every table applies and has one column per field plus fs_updated_at, lists REPEATED', async () => {
    const target = uniqueDataset('ddl');
    created.push(target);
    await client.dataset(target).create();
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as {
      features: Record<string, { tableName: string; fields: ManifestField[] }>;
    };
    const files = await tableFiles(path.join(dir, 'bigquery'));
    expect(files).toHaveLength(Object.keys(manifest.features).length);
    for (const file of files) {
      const sql = (await readFile(file, 'utf8')).replaceAll(`\`${project}.${dataset}.`, `\`${emulatorProject()}.${target}.`);
      for (const statement of splitStatements(sql, 'bigquery')) await client.query({ query: statement });
    }
    for (const feature of Object.values(manifest.features)) {
      const [metadata] = await client.dataset(target).table(feature.tableName).getMetadata();
      const columns = (metadata as { schema: { fields: { name: string; mode?: string }[] } }).schema.fields;
      expect(columns.map((c) => c.name)).toEqual([...feature.fields.map((f) => f.name), 'fs_updated_at']);
      for (const f of feature.fields.filter((x) => x.type.kind === 'list')) {
        expect(columns.find((c) => c.name === f.name)?.mode, `${feature.tableName}.${f.name}`).toBe('REPEATED');
      }
    }
  });
});
