/**
 * One place that turns the environment into a cassandra-driver client, so the CLI, the runtime and
 * tests agree. CASSANDRA_CONTACT_POINTS=host[:port],…  CASSANDRA_LOCAL_DC  CASSANDRA_USERNAME/PASSWORD.
 */
import cassandra from 'cassandra-driver';

export interface CassandraSettings {
  readonly contactPoints: readonly string[];
  readonly localDataCenter: string;
  readonly username?: string;
  readonly password?: string;
}

export function cassandraSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): CassandraSettings {
  const points = (env['CASSANDRA_CONTACT_POINTS'] ?? `127.0.0.1:${env['CASSANDRA_PORT'] ?? '9042'}`)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return {
    contactPoints: points,
    localDataCenter: env['CASSANDRA_LOCAL_DC'] ?? 'datacenter1',
    ...(env['CASSANDRA_USERNAME'] ? { username: env['CASSANDRA_USERNAME'], password: env['CASSANDRA_PASSWORD'] ?? '' } : {}),
  };
}

export function createCassandraClient(settings: CassandraSettings, keyspace?: string): cassandra.Client {
  return new cassandra.Client({
    contactPoints: [...settings.contactPoints],
    localDataCenter: settings.localDataCenter,
    ...(keyspace ? { keyspace } : {}),
    ...(settings.username ? { authProvider: new cassandra.auth.PlainTextAuthProvider(settings.username, settings.password ?? '') } : {}),
    // CQL bigint ↔ JS bigint both ways: the driver's own Long type or a number would leak or round.
    encoding: { useBigIntAsLong: true, useBigIntAsVarint: true },
    // DDL waits for schema agreement; a single test node answers fast, a cluster may need longer.
    protocolOptions: { maxSchemaAgreementWaitSeconds: 30 },
    socketOptions: { connectTimeout: 10_000, readTimeout: 60_000 },
  });
}
