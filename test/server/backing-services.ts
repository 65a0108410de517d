/**
 * Real backing services for the server tests: a Cassandra keyspace of its own holding the generated
 * tables, and a private redis-server this test starts and can kill (the shared one must stay up for
 * the other test files running in parallel).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../helpers/free-port.ts';
import { Redis } from 'ioredis';
import { cassandraSettingsFromEnv } from '../../runtime/connect/cassandra.ts';
import { applyCqlFile, cqlFiles, testCassandraClient, uniqueKeyspace } from '../helpers/cassandra.ts';
import type { FixtureStore } from './read-api-fixture.ts';

/** A fresh keyspace with every generated table (`feature_store` renamed), as the Cassandra store to use. */
export async function cassandraStore(prefix: string): Promise<{ store: FixtureStore; drop(): Promise<void> }> {
  const keyspace = uniqueKeyspace(prefix);
  const client = testCassandraClient();
  const rename = (cql: string) => cql.replace(/(KEYSPACE IF NOT EXISTS |\b)feature_store(?=\.|\s)/g, `$1${keyspace}`);
  try {
    for (const file of await cqlFiles('generated/cql')) await applyCqlFile(client, file, rename);
  } finally {
    await client.shutdown();
  }
  return {
    store: { kind: 'cassandra', settings: cassandraSettingsFromEnv(), keyspace, consistency: 'one' },
    async drop() {
      const c = testCassandraClient();
      try {
        await c.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
      } finally {
        await c.shutdown();
      }
    },
  };
}

export interface PrivateRedis {
  readonly url: string;
  /** SIGKILL: the server is gone at once, as in a crash. */
  kill(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  await waitForPing(url);
  return {
    url,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function waitForPing(url: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {}); // refused while the server starts: retried below
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`private redis-server at ${url} did not answer: ${String(e)}`);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      client.disconnect();
    }
  }
}

export { freePort };
