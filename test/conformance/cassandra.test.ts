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

  it('refuses an unknown consistency level by name', () => {
    expect(() => new CassandraOnlineStore({ client, keyspace, consistency: 'localQuorom' })).toThrow(/unknown Cassandra consistency level "localQuorom"/);
  });
});
