/** A Cassandra client for tests, from the endpoints the global setup provided. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import cassandra from 'cassandra-driver';
import { cassandraClientOptions, cassandraSettingsFromEnv } from '../../runtime/connect/cassandra.ts';
import { splitStatements } from '../../runtime/migrate/index.ts';

export function testCassandraClient(keyspace?: string): cassandra.Client {
  // The driver is a dev dependency here, so tests build the client synchronously.
  return new cassandra.Client(cassandraClientOptions(cassandraSettingsFromEnv(), keyspace));
}

/** A keyspace name no other test run uses. */
export function uniqueKeyspace(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Every `.cql` file under a folder, recursively, in path order (000_keyspace first). */
export async function cqlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.cql'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

export async function applyCqlFile(client: cassandra.Client, file: string, rewrite: (cql: string) => string = (s) => s): Promise<number> {
  const statements = splitStatements(rewrite(await readFile(file, 'utf8')), 'cql');
  for (const statement of statements) await client.execute(statement);
  return statements.length;
}
