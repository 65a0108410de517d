/**
 * Where Cassandra is and how to log in, from the environment, so the CLI, the runtime and tests agree.
 * CASSANDRA_CONTACT_POINTS=host[:port],…  CASSANDRA_LOCAL_DC  CASSANDRA_USERNAME/CASSANDRA_PASSWORD.
 * No driver here: the runtime's option types name these settings, and a service that never uses
 * Cassandra must not need cassandra-driver installed to import or type-check them.
 */
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
