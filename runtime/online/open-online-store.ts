/**
 * Builds the configured online store. Adapters are imported on demand, so a service using only the
 * generated types (or SQLite) never loads cassandra-driver, and the reverse; a driver that is not
 * installed is a MissingDriverError naming it and the option (runtime/connect/optional-drivers.ts).
 */
import { cassandraSettingsFromEnv } from '../connect/cassandra-settings.ts';
import { DRIVER_USES, loadDriver } from '../connect/optional-drivers.ts';
import type { OnlineRuntimeOptions } from '../read/online-runtime.ts';
import type { OnlineStore, OnlineTable } from './online-store.ts';

export async function openOnlineStore(
  options: OnlineRuntimeOptions['store'],
  context: { readonly keyspace: string; readonly tables: readonly OnlineTable[] },
): Promise<OnlineStore> {
  switch (options.kind) {
    case 'custom':
      return options.store;
    case 'sqlite': {
      const { SqliteOnlineStore } = await loadDriver('better-sqlite3', DRIVER_USES.sqliteStore, () => import('./sqlite/sqlite-online-store.ts'));
      return new SqliteOnlineStore({ path: options.path, tables: context.tables });
    }
    case 'cassandra': {
      const { CassandraOnlineStore, createOnlineCassandraClient } = await loadDriver('cassandra-driver', DRIVER_USES.cassandraStore, () => import('./cassandra/cassandra-online-store.ts'));
      const client = createOnlineCassandraClient(options.settings ?? cassandraSettingsFromEnv());
      try {
        const store = new CassandraOnlineStore({
          client,
          keyspace: options.keyspace ?? context.keyspace,
          ownsClient: true,
          ...(options.consistency !== undefined ? { consistency: options.consistency } : {}),
          ...(options.maxConcurrency !== undefined ? { maxConcurrency: options.maxConcurrency } : {}),
        });
        // Connect now: a wrong address or password fails the startup, not the first request.
        await client.connect();
        return store;
      } catch (e) {
        await client.shutdown().catch(() => {});
        throw e;
      }
    }
  }
}
