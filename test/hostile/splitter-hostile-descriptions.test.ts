/**
 * Descriptions written to defeat a naive statement splitter end up in migrations as CQL and GoogleSQL
 * string literals. Each migration must split into exactly one statement per CREATE, with the literal
 * intact, and apply on a real Cassandra node (which stores the comment back verbatim) and on the
 * BigQuery emulator.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bqString, cqlString } from '../../generator/emit/identifiers.ts';
import { readMigrations } from '../../runtime/migrate/index.ts';
import { emulatorProject, testBigQueryClient, uniqueDataset } from '../helpers/bigquery.ts';
import { testCassandraClient, uniqueKeyspace } from '../helpers/cassandra.ts';
import { runCli } from '../helpers/run-cli.ts';
import { writeTree } from '../helpers/temp-dir.ts';

const HOSTILE = [
  'C:\\temp\\', // ends in a backslash: CQL has no backslash escapes, so the quote after it closes the string
  "it's; done",
  "'; DROP TABLE x; --",
  "\\'; \\\\'; \\",
  '-- not a comment; /* nor this',
  '*/; # ; // ;',
  '$$; $$ ;',
  "'''; \"\"\"; `; ``",
  'line one;\nline two\\',
  'tab\t; unicode ✓; done',
];

/** One feature per hostile text, used as the feature description (CQL comment, BigQuery table) and a field description (BigQuery column). */
function features(): string {
  return HOSTILE.map(
    (text, i) => `hostile::c${String(i).padStart(2, '0')}-v1:
  feature_type: Object
  owner: team
  description: ${JSON.stringify(text)}
  schema:
    user_id: { type: Text, is_key_field: true }
    v: { type: Int, default_value: 0, description: ${JSON.stringify(text)} }
`,
  ).join('');
}

const keyspace = uniqueKeyspace('hostile');
const dataset = uniqueDataset('hostile');
const cassandra = testCassandraClient();
const bigquery = testBigQueryClient();
afterAll(async () => {
  await cassandra.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await cassandra.shutdown();
  await bigquery.dataset(dataset).delete({ force: true }).catch(() => {});
});

describe('migrations with hostile descriptions', async () => {
  const root = await writeTree('hostile-split', { 'features/hostile.yaml': features() });
  const out = path.join(root, 'generated');
  const config = path.join(root, 'featurestore.yaml');
  await writeFile(config, `cassandra: { keyspace: ${keyspace} }\nbigquery: { project: ${emulatorProject()}, dataset: ${dataset} }\n`);
  const codegen = await runCli(['codegen', '--features', path.join(root, 'features'), '--out', out, '--config', config]);

  it('generate', () => {
    expect(codegen.code, codegen.stderr).toBe(0);
  });

  it('CQL: one statement per CREATE, each comment literal intact', async () => {
    const [migration] = await readMigrations(out, 'cassandra');
    const statements = migration?.statements ?? [];
    expect(statements).toHaveLength(1 + HOSTILE.length);
    expect(statements[0]).toMatch(/^CREATE KEYSPACE IF NOT EXISTS/);
    HOSTILE.forEach((text, i) => {
      expect(statements[i + 1]).toMatch(/^CREATE TABLE IF NOT EXISTS/);
      expect(statements[i + 1]).toContain(`comment = ${cqlString(text)}\n`);
    });
  });

  it('BigQuery: one statement per CREATE, each description literal intact', async () => {
    const [migration] = await readMigrations(out, 'bigquery');
    const statements = migration?.statements ?? [];
    expect(statements).toHaveLength(1 + HOSTILE.length);
    expect(statements[0]).toMatch(/^CREATE SCHEMA IF NOT EXISTS/);
    HOSTILE.forEach((text, i) => {
      expect(statements[i + 1]).toMatch(/^CREATE TABLE IF NOT EXISTS/);
      expect(statements[i + 1]).toContain(`OPTIONS(description=${bqString(text)})`);
      expect(statements[i + 1]).toContain(`  description=${bqString(text)},\n`);
    });
  });

  it('apply on Cassandra, which stores every comment back verbatim', async () => {
    const migrate = await runCli(['migrate', '--target', 'cassandra', '--generated', out, '--json']);
    expect(migrate.code, migrate.stderr).toBe(0);
    const rows = await cassandra.execute('SELECT table_name, comment FROM system_schema.tables WHERE keyspace_name = ?', [keyspace], { prepare: true });
    const comments = Object.fromEntries(rows.rows.map((r) => [String(r['table_name']), String(r['comment'])]));
    HOSTILE.forEach((text, i) => expect(comments[`hostile__c${String(i).padStart(2, '0')}_v1`]).toBe(text));
  });

  it('apply on the BigQuery emulator', async () => {
    const migrate = await runCli(['migrate', '--target', 'bigquery', '--generated', out, '--json']);
    expect(migrate.code, migrate.stderr).toBe(0);
    const [tables] = await bigquery.dataset(dataset).getTables();
    expect(tables.map((t) => t.id).filter((id) => id?.startsWith('hostile__')).sort()).toHaveLength(HOSTILE.length);
  });
});
