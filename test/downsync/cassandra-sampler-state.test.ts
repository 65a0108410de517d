/** The sampler state in a Cassandra keyspace (the online store's), on the real server. */
import { afterAll, beforeAll } from 'vitest';
import { CassandraSamplerStateStore } from '../../runtime/downsync/cassandra-sampler-state.ts';
import { testCassandraClient, uniqueKeyspace } from '../helpers/cassandra.ts';
import { samplerStateSuite } from './sampler-state.suite.ts';

const keyspace = uniqueKeyspace('downsync_state');
const admin = testCassandraClient();

beforeAll(async () => {
  await admin.execute(`CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
});
afterAll(async () => {
  await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
  await admin.shutdown();
});

samplerStateSuite('Cassandra', async () => new CassandraSamplerStateStore({ client: testCassandraClient(), keyspace, ownsClient: true }));
