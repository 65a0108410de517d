/**
 * Schema evolution through the runtime: a row written under v1 of a feature's value schema (a real row,
 * written by a runtime built from the v1 manifest) is read by a runtime built after a field was added,
 * the new fields taking their defaults, from the store and from a cache entry written under v1. A
 * runtime that predates a schema refuses rows written with it, saying to redeploy.
 * Cassandra (with codegen + migrate, as deployed) and SQLite.
 */
import { randomUUID } from 'node:crypto';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOnlineRuntime, SERDE_ERRORS, UnknownWriterSchemaError, type OnlineRuntimeOptions } from '../../runtime/index.ts';
import { testCassandraClient, uniqueKeyspace } from '../helpers/cassandra.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const FEATURE = 'live::stat-v1';
const yaml = (extraFields = '') => `live::stat-v1:
  feature_type: Object
  owner: team
  schema:
    user_id: { type: Long, is_key_field: true }
    level: { type: Int, default_value: 0 }
${extraFields}  cache: { ttl: 1m }
  access: { read: [reader], write: [writer] }
`;
const V1 = yaml();
const V2 = yaml('    country: { type: Text, default_value: "XX" }\n    score: { type: Long, default_value: 9223372036854775807 }\n');

const keyspaces: string[] = [];
afterAll(async () => {
  const client = testCassandraClient();
  for (const ks of keyspaces) await client.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
  await client.shutdown();
});

async function project(keyspace: string) {
  const root = await tempDir('evolve-runtime');
  const features = path.join(root, 'features');
  const out = path.join(root, 'generated');
  const config = path.join(root, 'featurestore.yaml');
  await mkdir(features, { recursive: true });
  await writeFile(config, `cassandra: { keyspace: ${keyspace} }\nconsumers:\n  reader: {}\n  writer: {}\n`);
  return {
    root,
    /** codegen into a folder of its own per step, so each runtime keeps its own manifest. */
    async codegen(step: string, yaml: string): Promise<string> {
      await writeFile(path.join(features, 'live.yaml'), yaml);
      const r = await runCli(['codegen', '--features', features, '--out', out, '--config', config]);
      expect(r.code, r.stderr).toBe(0);
      const copy = path.join(root, step);
      await cp(out, copy, { recursive: true });
      return copy;
    },
    async migrate(): Promise<void> {
      const r = await runCli(['migrate', '--target', 'cassandra', '--generated', out, '--json']);
      expect(r.code, r.stderr).toBe(0);
    },
  };
}

describe.each(['cassandra', 'sqlite'] as const)('adding a field, on %s', (kind) => {
  it('rows and cache entries written under v1 decode under v2 with defaults; v1 refuses v2 rows', async () => {
    const keyspace = uniqueKeyspace('evolve_rt');
    keyspaces.push(keyspace);
    const p = await project(keyspace);
    const sqlitePath = path.join(p.root, 'online.db');
    const cache = { redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', keyPrefix: `test-${randomUUID()}:` };
    const options = (generatedDir: string): OnlineRuntimeOptions => ({
      generatedDir,
      store: kind === 'cassandra' ? { kind: 'cassandra' } : { kind: 'sqlite', path: sqlitePath },
      cache,
    });

    const v1Dir = await p.codegen('v1', V1);
    if (kind === 'cassandra') await p.migrate();
    const v1 = await createOnlineRuntime(options(v1Dir));
    const [stored, cached] = [2n ** 62n + 1n, 2n ** 62n + 2n];
    await v1.put('writer', FEATURE, [{ key: { user_id: stored }, value: { level: 42 } }, { key: { user_id: cached }, value: { level: 7 } }]);
    expect(await v1.getMany('reader', FEATURE, [{ user_id: cached }])).toEqual([{ level: 7 }]); // now cached as v1 bytes

    const v2Dir = await p.codegen('v2', V2);
    if (kind === 'cassandra') await p.migrate();
    const v2 = await createOnlineRuntime(options(v2Dir));
    expect(v2.features.get(FEATURE)!.avroFingerprint).not.toBe(v1.features.get(FEATURE)!.avroFingerprint);
    const defaults = { country: 'XX', score: 2n ** 63n - 1n };
    expect(await v2.getMany('reader', FEATURE, [{ user_id: stored }, { user_id: cached }])).toEqual([
      { level: 42, ...defaults },
      { level: 7, ...defaults },
    ]);

    // A row written by v2 is unreadable by a v1 deployment: a clear error, not garbage.
    await v2.put('writer', FEATURE, [{ key: { user_id: stored }, value: { level: 43, country: 'KR' } }]);
    const error = await v1.getMany('reader', FEATURE, [{ user_id: stored }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownWriterSchemaError);
    expect((error as Error).message).toBe(SERDE_ERRORS.unknownWriterSchema(FEATURE, v2.features.get(FEATURE)!.avroFingerprint));
    expect((error as Error).message).toContain('written by a newer schema; redeploy with the regenerated client');
    await Promise.all([v1.close(), v2.close()]);
  });
});
