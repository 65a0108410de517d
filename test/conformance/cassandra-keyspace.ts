/** A keyspace of its own per test file, holding the example features' tables and the golden edge cases. */
import { testCassandraClient, applyCqlFile, cqlFiles, uniqueKeyspace } from '../helpers/cassandra.ts';
import { GENERATED_DIR, GOLDEN_DIR } from './conformance-tables.ts';

function inKeyspace(from: string, to: string): (cql: string) => string {
  return (cql) => cql.replace(new RegExp(`(KEYSPACE IF NOT EXISTS |\\b)${from}(?=\\.|\\s)`, 'g'), `$1${to}`);
}

/** Creates the keyspace (replication factor 1: one test node) with every table of both manifests. */
export async function createTestKeyspace(prefix: string): Promise<string> {
  const keyspace = uniqueKeyspace(prefix);
  const client = testCassandraClient();
  try {
    for (const file of await cqlFiles(`${GENERATED_DIR}/cql`)) await applyCqlFile(client, file, inKeyspace('feature_store', keyspace));
    // The golden keyspace file asks for replication factor 3, which one node cannot serve at LOCAL_QUORUM.
    const golden = (await cqlFiles(`${GOLDEN_DIR}/cql`)).filter((f) => !f.endsWith('000_keyspace.cql'));
    for (const file of golden) await applyCqlFile(client, file, inKeyspace('golden_ks', keyspace));
  } finally {
    await client.shutdown();
  }
  return keyspace;
}

export async function dropTestKeyspace(keyspace: string): Promise<void> {
  const client = testCassandraClient();
  try {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  } finally {
    await client.shutdown();
  }
}
