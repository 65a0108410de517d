/**
 * The conformance suite on a real Cassandra node (the services harness), in a keyspace of its own, plus
 * what only Cassandra has: token-aware routing of prepared statements, composite partition keys included.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cassandraSettingsFromEnv } from '../../runtime/connect/cassandra.ts';
import { CassandraOnlineStore, createOnlineCassandraClient } from '../../runtime/online/cassandra/cassandra-online-store.ts';
import { conformanceTables } from './conformance-tables.ts';
import { onlineStoreConformance } from './online-store.conformance.ts';
import { createTestKeyspace, dropTestKeyspace } from './cassandra-keyspace.ts';

const keyspace = await createTestKeyspace('conformance');
afterAll(() => dropTestKeyspace(keyspace));

onlineStoreConformance('Cassandra', {
  open: async () => new CassandraOnlineStore({ client: createOnlineCassandraClient(cassandraSettingsFromEnv()), keyspace, ownsClient: true }),
  elapse: (seconds) => sleep(seconds * 1000),
  // Cassandra TTLs count whole seconds of the node's clock (the same host here): a row written late in
  // a second may expire within milliseconds, so writes that must be visible first start a fresh second.
  alignToTtlSecond: () => sleep(1050 - (Date.now() % 1000)),
});

/** Records what the driver hands the load-balancing policy: the routing key of each request. */
class RecordingPolicy extends cassandra.policies.loadBalancing.DefaultLoadBalancingPolicy {
  readonly routingKeys: (Buffer | undefined)[] = [];
  override newQueryPlan(ks: string, options: cassandra.ExecutionOptions, callback: (error: Error, hosts: Iterator<cassandra.Host>) => void): void {
    if (ks !== 'system') this.routingKeys.push(options?.getRoutingKey() as Buffer | undefined);
    super.newQueryPlan(ks, options, callback);
  }
}

describe('Cassandra store: token-aware routing', () => {
  const settings = cassandraSettingsFromEnv();
  const policy = new RecordingPolicy();
  const client = new cassandra.Client({
    contactPoints: [...settings.contactPoints],
    localDataCenter: settings.localDataCenter,
    authProvider: new cassandra.auth.PlainTextAuthProvider(settings.username ?? '', settings.password ?? ''),
    encoding: { useBigIntAsLong: true },
    policies: { loadBalancing: policy },
  });
  const store = new CassandraOnlineStore({ client, keyspace, consistency: 'localOne', maxConcurrency: 4 });
  beforeAll(() => client.connect());
  afterAll(() => client.shutdown());

  it('computes the routing key of composite partition keys from prepared metadata, matching the server token', async () => {
    const t = await conformanceTables();
    const key = [2n ** 60n + 3n, -42n] as const;
    await store.putMany(t.interaction, [{ key, value: { value: Buffer.from('r'), schemaId: 1n, updatedAt: new Date() } }]);
    policy.routingKeys.length = 0;
    await store.getMany(t.interaction, [key]);
    const routingKey = policy.routingKeys.at(-1);
    expect(routingKey).toBeInstanceOf(Buffer);
    const driverToken = client.metadata.newToken(routingKey!).getValue().toString();
    const server = await client.execute(
      `SELECT token(user_id, target_user_id) AS t FROM ${keyspace}.${t.interaction.tableName} WHERE user_id = ? AND target_user_id = ?`,
      [...key],
      { prepare: true },
    );
    expect(driverToken).toBe(String(server.first()['t']));
    const replicas = client.getReplicas(keyspace, routingKey!);
    expect(replicas.length).toBeGreaterThan(0);
  });

  it('routes single-key and five-key History reads too', async () => {
    const t = await conformanceTables();
    const reads = async () => {
      await store.latest(t.watchHistory, [5n], 3);
      await store.latest(t.fiveKeys, ['a', 1n, 2, true, new Date(0)], 3);
      await store.getMany(t.hostStat, [['x'], ['y'], ['z']]);
    };
    await reads(); // prepares the statements (PREPARE requests have no routing key)
    policy.routingKeys.length = 0;
    await reads();
    expect(policy.routingKeys).toHaveLength(5);
    for (const k of policy.routingKeys) expect(k).toBeInstanceOf(Buffer);
  });

  it('writes in UNLOGGED batches routed by their first row, whose routing key hashes to the server token, for every key type', async () => {
    const t = await conformanceTables();
    const at = new Date();
    const event = (i: number) => ({ value: Buffer.from(`v${i}`), schemaId: 1n, updatedAt: at, eventTime: at });
    const fiveKeys = Array.from({ length: 40 }, (_, i) => ['k' + i, BigInt(i) - 2n ** 62n, i - 20, i % 2 === 0, new Date(86_400_000 * i)] as const);
    await store.appendMany(t.fiveKeys, fiveKeys.map((key, i) => ({ key, event: event(i) }))); // prepares the statement
    policy.routingKeys.length = 0;
    await store.appendMany(t.fiveKeys, fiveKeys.map((key, i) => ({ key, event: event(i) })));
    // One node: every row has the same first replica, so 40 rows are batches of 16, 16 and 8.
    expect(policy.routingKeys).toHaveLength(3);
    // Each batch's routing key is its first row's (rows 0, 16 and 32), as the server hashes it.
    const columns = t.fiveKeys.keyColumns.map((c) => `"${c.name}"`);
    const tokenOf = async (key: readonly unknown[]) =>
      String(
        (
          await client.execute(`SELECT token(${columns.join(', ')}) AS t FROM ${keyspace}.${t.fiveKeys.tableName} WHERE ${columns.map((c) => `${c} = ?`).join(' AND ')}`, [...key], {
            prepare: true,
          })
        ).first()['t'],
      );
    const expected = await Promise.all([0, 16, 32].map((i) => tokenOf(fiveKeys[i]!)));
    const sent = policy.routingKeys.slice(0, 3).map((k) => client.metadata.newToken(k!).getValue().toString());
    expect(sent.sort()).toEqual(expected.sort());
    const read = await Promise.all(fiveKeys.map((key) => store.latest(t.fiveKeys, key, 5)));
    expect(read.map((events) => events.map((e) => e.value.toString()))).toEqual(fiveKeys.map((_, i) => [`v${i}`]));
  });

  it('keeps a batch under ~4 KiB of values: large rows go in smaller batches, a huge one alone, all written', async () => {
    const t = await conformanceTables();
    const at = new Date();
    const sizes = [3_000, 3_000, 10, 10, 100_000, 10, 2_000, 2_000, 2_000];
    const rows = sizes.map((n, i) => ({ key: [`big-${i}`] as const, value: { value: Buffer.alloc(n, i), schemaId: 1n, updatedAt: at } }));
    await store.putMany(t.hostStat, rows.slice(0, 2));
    policy.routingKeys.length = 0;
    await store.putMany(t.hostStat, rows);
    // With ~40 bytes of key and overhead per row: [3000], [3000, 10, 10], [100000], [10, 2000], [2000, 2000].
    expect(policy.routingKeys).toHaveLength(5);
    const read = await store.getMany(t.hostStat, rows.map((r) => r.key));
    expect(read.map((v) => v?.value.length)).toEqual(sizes);
  });

  it('with maxBatchRows 1, one INSERT per row', async () => {
    const t = await conformanceTables();
    const single = new CassandraOnlineStore({ client, keyspace, consistency: 'localOne', maxBatchRows: 1 });
    const rows = Array.from({ length: 5 }, (_, i) => ({ key: [`one-${i}`] as const, value: { value: Buffer.from('x'), schemaId: 1n, updatedAt: new Date() } }));
    await single.putMany(t.hostStat, rows);
    policy.routingKeys.length = 0;
    await single.putMany(t.hostStat, rows);
    expect(policy.routingKeys).toHaveLength(5);
    expect(() => new CassandraOnlineStore({ client, keyspace, maxBatchRows: 0 })).toThrow('maxBatchRows must be a positive integer, got 0');
  });

  it('refuses an unknown consistency level by name', () => {
    expect(() => new CassandraOnlineStore({ client, keyspace, consistency: 'localQuorom' })).toThrow(/unknown Cassandra consistency level "localQuorom"/);
  });
});
