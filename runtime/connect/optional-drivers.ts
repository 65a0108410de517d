/**
 * The heavy drivers are optional peer dependencies of featurestore (package.json `peerDependencies`
 * with `peerDependenciesMeta.optional`), the way Prisma's driver adapters and Kysely's dialects leave
 * `pg` or `mysql2` to the application: a service that reads over HTTP installs none of them, one on
 * SQLite installs better-sqlite3 only. Each is loaded with a dynamic import where the option that
 * needs it is acted on, through `loadDriver`, so a missing one is one error naming the package, the
 * version range to install and the flag or option that asked for it, not Node's "Cannot find package".
 */
import { FeatureStoreError } from '../read/online-runtime.ts';

/** Every optional driver and the range featurestore is tested with (equal to package.json's peerDependencies). */
export const OPTIONAL_DRIVERS = {
  'cassandra-driver': '^4.10.0',
  '@google-cloud/bigquery': '^8.3.1',
  kafkajs: '^2.2.4',
  'better-sqlite3': '^12.11.1',
  ioredis: '^5.11.1',
  // Exact: the binding's `-r.N` releases are not semver-ordered against each other.
  '@duckdb/node-api': '1.5.6-r.1',
} as const;

export type OptionalDriver = keyof typeof OPTIONAL_DRIVERS;

/** What needs each driver, as the error names it: the CLI flag and the runtime option. */
export const DRIVER_USES = {
  sqliteStore: 'the SQLite online store (`featurestore serve --store sqlite:PATH`, createOnlineRuntime `store: { kind: \'sqlite\' }`)',
  cassandraStore: 'the Cassandra online store (`featurestore serve --store cassandra`, createOnlineRuntime `store: { kind: \'cassandra\' }`)',
  redisCache: 'the Redis cache (`featurestore serve --redis URL`, createOnlineRuntime `cache: { redisUrl }`)',
  cassandraMigrate: '`featurestore migrate --target cassandra`',
  bigqueryMigrate: '`featurestore migrate --target bigquery`',
} as const;

export const DRIVER_ERRORS = {
  missing: (driver: OptionalDriver, usedBy: string) =>
    `${usedBy} needs the package ${driver}, which is not installed: run \`npm install ${driver}@${OPTIONAL_DRIVERS[driver]}\` (an optional peer dependency of featurestore, installed only where it is used)`,
} as const;

export class MissingDriverError extends FeatureStoreError {
  override readonly name = 'MissingDriverError';
  constructor(
    readonly driver: OptionalDriver,
    readonly usedBy: string,
  ) {
    super(DRIVER_ERRORS.missing(driver, usedBy));
  }
}

/**
 * Runs `load` (a dynamic import of the driver, or of the adapter module that imports it) and turns
 * "the driver package is not installed" into a MissingDriverError. Any other failure, including a
 * package the driver itself depends on being absent, is rethrown as it is: that is a broken install,
 * and its own message says which file is missing.
 */
export async function loadDriver<T>(driver: OptionalDriver, usedBy: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (isMissingPackage(e, driver)) throw new MissingDriverError(driver, usedBy);
    throw e;
  }
}

/** Node's ESM error is ERR_MODULE_NOT_FOUND "Cannot find package 'x' imported from …" (CJS: MODULE_NOT_FOUND "Cannot find module 'x'"). */
function isMissingPackage(e: unknown, driver: OptionalDriver): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return new RegExp(`Cannot find (package|module) '${driver.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}'`).test(e.message);
}
