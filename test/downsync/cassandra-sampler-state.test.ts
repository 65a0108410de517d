/** The sampler state in a Cassandra keyspace (the online store's), on the real server. */
import { afterAll, beforeAll } from 'vitest';
import { CassandraSamplerStateStore } from '../../runtime/downsync/cassandra-sampler-state.ts';
import { testCassandraClient, uniqueKeyspace } from '../helpers/cassandra.ts';
import { samplerStateSuite } from './sampler-state.suite.ts';

const keyspace = uniqueKeyspace('downsync_state');
// A second keyspace for the same suite with batches of 2 rows: saves of several batches and of a lone row.
const small = uniqueKeyspace('downsync_state_b2');
const admin = testCassandraClient();

beforeAll(async () => {
  for (const ks of [keyspace, small]) await admin.execute(`CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
});
afterAll(async () => {
  for (const ks of [keyspace, small]) await admin.execute(`DROP KEYSPACE IF EXISTS ${ks}`).catch(() => {});
  await admin.shutdown();
});

samplerStateSuite('Cassandra', async () => new CassandraSamplerStateStore({ client: testCassandraClient(), keyspace, ownsClient: true }));
samplerStateSuite('Cassandra, UNLOGGED batches of 2 rows', async () => new CassandraSamplerStateStore({ client: testCassandraClient(), keyspace: small, ownsClient: true, batchRows: 2 }));
