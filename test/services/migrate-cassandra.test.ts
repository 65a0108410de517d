/**
 * `featurestore migrate --target cassandra` against a real node: applies once, reruns are no-ops,
 * a YAML change yields a migration that applies once, and a tampered applied migration is refused.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { testCassandraClient, uniqueKeyspace } from '../helpers/cassandra.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const keyspace = uniqueKeyspace('migrate');
const client = testCassandraClient();
afterAll(async () => {
  await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client.shutdown();
});

const FEATURE = (extra = '', retention = '30d') => `live::stat-v1:
  feature_type: Object
  owner: team
  schema:
    user_id: { type: Long, is_key_field: true }
    level: { type: Int, default_value: 0 }
${extra}  retention: ${retention}
`;

describe('featurestore migrate --target cassandra', async () => {
  const root = await tempDir('migrate-cassandra');
  const features = path.join(root, 'features');
  const out = path.join(root, 'generated');
  const config = path.join(root, 'featurestore.yaml');
  await writeFile(config, `cassandra: { keyspace: ${keyspace} }\n`);
  const codegen = async (yaml: string) => {
    await mkdir(features, { recursive: true });
    await writeFile(path.join(features, 'live.yaml'), yaml);
    const r = await runCli(['codegen', '--features', features, '--out', out, '--config', config]);
    expect(r.code, r.stderr).toBe(0);
  };
  const migrate = (...extra: string[]) => runCli(['migrate', '--target', 'cassandra', '--generated', out, '--json', ...extra]);

  it('a dry run changes nothing', async () => {
    await codegen(FEATURE());
    const dry = await migrate('--dry-run');
    expect(JSON.parse(dry.stdout)).toMatchObject({ ok: true, applied: ['0001_initial'], dryRun: true });
    const ks = await client.execute('SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?', [keyspace], { prepare: true });
    expect(ks.rowLength).toBe(0);
  });

  it('applies the initial migration once; a rerun is a no-op', async () => {
    expect(JSON.parse((await migrate()).stdout)).toMatchObject({ ok: true, applied: ['0001_initial'], skipped: [] });
    expect(JSON.parse((await migrate()).stdout)).toMatchObject({ ok: true, applied: [], skipped: ['0001_initial'] });
    const recorded = await client.execute(`SELECT id, checksum FROM ${keyspace}.featurestore_migrations`);
    expect(recorded.rows.map((r) => r['id'])).toEqual(['0001_initial']);
  });

  it('a retention change becomes migration 0002, applied once, and the table TTL follows', async () => {
    await codegen(FEATURE('    score: { type: Double, default_value: 0 }\n', '7d'));
    expect(JSON.parse((await migrate()).stdout)).toMatchObject({ applied: ['0002_add_score_to_live__stat_v1_and_more'], skipped: ['0001_initial'] });
    expect(JSON.parse((await migrate()).stdout)).toMatchObject({ applied: [] });
    const table = await client.execute(
      'SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?',
      [keyspace, 'live__stat_v1'],
      { prepare: true },
    );
    expect(table.rows[0]?.['default_time_to_live']).toBe(7 * 86400);
  });

  it('refuses an applied migration that changed since, naming it', async () => {
    await appendFile(path.join(out, 'migrations/cql/0001_initial.cql'), '-- edited by hand\n');
    const result = await migrate();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('0001_initial changed after being applied (checksum differs)');
  });

  it('fails cleanly, without a stack trace, when Cassandra cannot be reached', async () => {
    const saved = process.env['CASSANDRA_CONTACT_POINTS'];
    process.env['CASSANDRA_CONTACT_POINTS'] = '127.0.0.1:1';
    try {
      const result = await migrate();
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^featurestore migrate: cannot migrate cassandra at 127\.0\.0\.1:1: .*npm run services -- up cassandra/m);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      process.env['CASSANDRA_CONTACT_POINTS'] = saved;
    }
  });
});
