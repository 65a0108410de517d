/**
 * Schema evolution end to end on a real Cassandra node: a row written under v1 of a feature's value
 * schema still decodes after a field is added (codegen → migrate), the new field taking its default,
 * because the writer schema is found by the row's fs_schema_id in the manifest's history.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../core/manifest/manifest-schema.ts';
import { parseManifestText } from '../../core/manifest/parse-manifest.ts';
import { parseAvroSchemaText, parseAvroType, type AvroSchemaJson } from '../../core/serde/index.ts';
import { testCassandraClient, uniqueKeyspace } from '../helpers/cassandra.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const keyspace = uniqueKeyspace('evolve');
const client = testCassandraClient();
afterAll(async () => {
  await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client.shutdown();
});

const V1 = `live::stat-v1:
  feature_type: Object
  owner: team
  schema:
    user_id: { type: Long, is_key_field: true }
    level: { type: Int, default_value: 0 }
`;
const V1_PLUS_FIELD = `${V1}    country: { type: Text, default_value: "XX" }\n    score: { type: Long, default_value: 9223372036854775807 }\n`;

async function manifestOf(out: string): Promise<Manifest> {
  const file = path.join(out, 'manifest.json');
  return parseManifestText(await readFile(file, 'utf8'), file);
}

describe('adding a field to an existing feature version', () => {
  it('migrates, and rows written before decode with the new reader schema', async () => {
    const root = await tempDir('evolve');
    const features = path.join(root, 'features');
    const out = path.join(root, 'generated');
    await mkdir(features, { recursive: true });
    await writeFile(path.join(root, 'featurestore.yaml'), `cassandra: { keyspace: ${keyspace} }\n`);
    const step = async (yaml: string) => {
      await writeFile(path.join(features, 'live.yaml'), yaml);
      const gen = await runCli(['codegen', '--features', features, '--out', out, '--config', path.join(root, 'featurestore.yaml')]);
      expect(gen.code, gen.stderr).toBe(0);
      const mig = await runCli(['migrate', '--target', 'cassandra', '--generated', out, '--json']);
      expect(mig.code, mig.stderr).toBe(0);
    };

    await step(V1);
    const v1 = (await manifestOf(out)).features['live::stat-v1']!;
    const v1Type = parseAvroType(parseAvroSchemaText(v1.writerSchemas![v1.avroFingerprint]!) as AvroSchemaJson);
    const userId = 9_007_199_254_740_993n;
    await client.execute(
      `INSERT INTO ${keyspace}.live__stat_v1 (user_id, fs_value, fs_schema_id, fs_updated_at) VALUES (?, ?, ?, ?)`,
      [userId, v1Type.toBuffer({ level: 42 }), BigInt(v1.avroFingerprint), new Date()],
      { prepare: true },
    );

    await step(V1_PLUS_FIELD);
    const v2 = (await manifestOf(out)).features['live::stat-v1']!;
    expect(Object.keys(v2.writerSchemas!).sort()).toEqual([v1.avroFingerprint, v2.avroFingerprint].sort());
    expect(v2.avroFingerprint).not.toBe(v1.avroFingerprint);

    const row = (await client.execute(`SELECT fs_value, fs_schema_id FROM ${keyspace}.live__stat_v1 WHERE user_id = ?`, [userId], { prepare: true })).first();
    const writerId = String(row['fs_schema_id']);
    expect(writerId).toBe(v1.avroFingerprint);
    const writer = parseAvroType(parseAvroSchemaText(v2.writerSchemas![writerId]!) as AvroSchemaJson);
    const reader = parseAvroType(parseAvroSchemaText(v2.writerSchemas![v2.avroFingerprint]!) as AvroSchemaJson);
    const decoded = reader.fromBuffer(row['fs_value'] as Buffer, reader.createResolver(writer));
    expect(decoded).toEqual({ level: 42, country: 'XX', score: 9_223_372_036_854_775_807n });
  });
});
