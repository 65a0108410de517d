/** Every emitted CQL file applies on a real Cassandra 5 node, and the tables have the promised shape. */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyCqlFile, cqlFiles, testCassandraClient, uniqueKeyspace } from '../helpers/cassandra.ts';

const client = testCassandraClient();
afterAll(() => client.shutdown());

/** Each run gets its own keyspace, so runs never see each other's tables. */
function inKeyspace(from: string, to: string): (cql: string) => string {
  return (cql) => cql.replace(new RegExp(`(KEYSPACE IF NOT EXISTS |\\b)${from}(?=\\.|\\s)`, 'g'), `$1${to}`);
}

describe.each([
  { name: 'generated/cql', dir: 'generated/cql', keyspace: 'feature_store' },
  { name: 'golden fixture cql (reserved words, five keys)', dir: 'test/fixtures/golden/expected/cql', keyspace: 'golden_ks' },
])('$name', ({ dir, keyspace }) => {
  const target = uniqueKeyspace('ddl');

  it('applies every file, twice (IF NOT EXISTS makes reruns no-ops)', async () => {
    const files = await cqlFiles(dir);
    expect(files.length).toBeGreaterThan(1);
    for (let run = 0; run < 2; run++) {
      for (const file of files) await applyCqlFile(client, file, inKeyspace(keyspace, target));
    }
    const tables = await client.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [target], { prepare: true });
    expect(tables.rowLength).toBe(files.length - 1);
  });

  it('keys are typed partition columns, History features cluster newest first, values are Avro blobs', async () => {
    const columns = await client.execute(
      'SELECT table_name, column_name, kind, type, clustering_order FROM system_schema.columns WHERE keyspace_name = ?',
      [target],
      { prepare: true },
    );
    const byTable = new Map<string, { column_name: string; kind: string; type: string; clustering_order: string }[]>();
    for (const row of columns.rows) {
      const list = byTable.get(row['table_name'] as string) ?? [];
      list.push(row as never);
      byTable.set(row['table_name'] as string, list);
    }
    expect(byTable.size).toBeGreaterThan(1);
    for (const [table, cols] of byTable) {
      const value = cols.find((c) => c.column_name === 'fs_value');
      expect(value?.type, table).toBe('blob');
      expect(cols.find((c) => c.column_name === 'fs_schema_id')?.type, table).toBe('bigint');
      expect(cols.some((c) => c.kind === 'partition_key'), table).toBe(true);
      for (const c of cols.filter((x) => x.kind === 'clustering')) expect(c.clustering_order, table).toBe('desc');
    }
  });

  afterAll(async () => {
    await client.execute(`DROP KEYSPACE IF EXISTS ${target}`);
  });
});

describe('generated/acl/cassandra-grants.cql', () => {
  it('creates the consumer roles and grants apply (PasswordAuthenticator + CassandraAuthorizer)', async () => {
    const target = uniqueKeyspace('grants');
    for (const file of await cqlFiles('generated/cql')) await applyCqlFile(client, file, inKeyspace('feature_store', target));
    const applied = await applyCqlFile(client, path.resolve('generated/acl/cassandra-grants.cql'), inKeyspace('feature_store', target));
    expect(applied).toBeGreaterThan(5);
    const perms = await client.execute('LIST ALL PERMISSIONS OF live_recommender');
    const granted = perms.rows.map((r) => `${r['permission']} ${r['resource']}`);
    expect(granted).toContain(`SELECT <table ${target}.live__hakuna_host_stat_v1>`);
    expect(granted).not.toContain(`MODIFY <table ${target}.live__hakuna_host_stat_v1>`);
    await client.execute(`DROP KEYSPACE IF EXISTS ${target}`);
  });
});
