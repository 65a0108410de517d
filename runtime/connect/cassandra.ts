/**
 * A cassandra-driver client for schema work (migrations, tests) from CassandraSettings. The driver is
 * loaded on first use (runtime/connect/optional-drivers.ts): importing this module loads nothing heavy.
 */
import type cassandra from 'cassandra-driver';
import type { CassandraSettings } from './cassandra-settings.ts';
import { DRIVER_USES, loadDriver } from './optional-drivers.ts';

export { cassandraSettingsFromEnv, type CassandraSettings } from './cassandra-settings.ts';

/** The client options, without the driver: callers that already hold it (tests) build the client themselves. */
export function cassandraClientOptions(settings: CassandraSettings, keyspace?: string): cassandra.ClientOptions {
  return {
    contactPoints: [...settings.contactPoints],
    localDataCenter: settings.localDataCenter,
    ...(keyspace ? { keyspace } : {}),
    // The driver's shorthand for its PlainTextAuthProvider.
    ...(settings.username ? { credentials: { username: settings.username, password: settings.password ?? '' } } : {}),
    // CQL bigint ↔ JS bigint both ways: the driver's own Long type or a number would leak or round.
    encoding: { useBigIntAsLong: true, useBigIntAsVarint: true },
    // DDL waits for schema agreement; a single test node answers fast, a cluster may need longer.
    protocolOptions: { maxSchemaAgreementWaitSeconds: 30 },
    socketOptions: { connectTimeout: 10_000, readTimeout: 60_000 },
  };
}

/** `usedBy` names what needs the driver in the error when it is not installed. */
export async function createCassandraClient(settings: CassandraSettings, keyspace?: string, usedBy: string = DRIVER_USES.cassandraMigrate): Promise<cassandra.Client> {
  const { default: driver } = await loadDriver('cassandra-driver', usedBy, () => import('cassandra-driver'));
  return new driver.Client(cassandraClientOptions(settings, keyspace));
}
