/**
 * The store flags of the sync commands (upsync, downsync, send) and the opening of the project's stores
 * from them, in one place so every sync command spells, defaults and reports them alike:
 *
 *   --generated DIR  --config FILE            where the project is (serve-project.ts: beside the config)
 *   --store sqlite:PATH|cassandra             online store (default sqlite:featurestore.sqlite beside the config)
 *   --keyspace NAME  --consistency LEVEL      Cassandra only (default: the manifest's keyspace)
 *   --redis URL                               the read cache to keep coherent (writes delete cached keys)
 *   --offline duckdb:PATH|bigquery            offline store (default duckdb:featurestore.duckdb beside the config;
 *                                             BigQuery: project, dataset and location from the manifest,
 *                                             the endpoint from BIGQUERY_API_ENDPOINT)
 *
 * Trade-offs: every flag is checked (`checkStoreFlags`) before anything opens, so a typo costs no
 * connection and is one UsageError line (exit 2); a store that cannot be reached is a StoreOpenError,
 * one line naming the flag's value (exit 1). Stores opened before a later one failed are closed again.
 * A Redis that is not ready within a second fails the open too: a sync job that cannot delete cached
 * keys would leave readers older values than the ones it wrote (the cache's staleness contract), so it
 * must not start, unlike `serve`, which may read from the store alone.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { Manifest } from '../core/manifest/manifest-schema.ts';
import { ManifestError, parseManifest } from '../core/manifest/parse-manifest.ts';
import { UsageError } from '../generator/diagnostics.ts';
import type { FeatureCache } from '../runtime/cache/feature-cache.ts';
import { withCache } from '../runtime/cache/with-cache.ts';
import { cassandraSettingsFromEnv, type CassandraSettings } from '../runtime/connect/cassandra-settings.ts';
import { DRIVER_USES, loadDriver } from '../runtime/connect/optional-drivers.ts';
import { loadFeatureCatalog, type FeatureCatalog } from '../runtime/manifest/feature-catalog.ts';
import { offlineTableOf } from '../runtime/offline/offline-table.ts';
import type { OfflineStore } from '../runtime/offline/offline-store.ts';
import { openOfflineStore } from '../runtime/offline/open-offline-store.ts';
import type { OnlineStore } from '../runtime/online/online-store.ts';
import { openOnlineStore } from '../runtime/online/open-online-store.ts';
import { describeSqliteOpenError, sqlitePathProblem } from '../runtime/online/sqlite/sqlite-path-check.ts';
import { catalogCachePolicy } from '../runtime/read/create-online-runtime.ts';
import { WritePath } from '../runtime/write/write-path.ts';
import { checkConsistency, checkRedisUrl, parseStoreSpec, redactUrl, SERVE_ERRORS } from './serve-flags.ts';
import { locateServeProject } from './serve-project.ts';

export const DEFAULT_DUCKDB_FILE = 'featurestore.duckdb';
/** How long a sync command waits for Redis before giving up (it must delete cached keys). */
export const SYNC_REDIS_WAIT_MS = 1_000;

export const STORE_FLAG_ERRORS = {
  badOffline: (spec: string) => `invalid --offline "${spec}": expected duckdb:PATH or bigquery`,
  cassandraOnly: (flag: string) => `${flag} applies to --store cassandra only`,
  badKeyspace: (value: string) => `invalid --keyspace "${value}": expected a Cassandra identifier (letters, digits, _; at most 48, not starting with a digit)`,
  badManifest: (problem: string) => problem,
  onlineFailed: (store: string, message: string) => SERVE_ERRORS.storeFailed(store, message),
  offlineFailed: (store: string, message: string) => `cannot open the offline store (--offline ${store}): ${message}`,
  redisFailed: (url: string) =>
    `cannot reach Redis at ${redactUrl(url)} (--redis) within ${SYNC_REDIS_WAIT_MS} ms: a sync job must delete the cached keys it writes, so it does not start without the cache`,
} as const;

/** A store that is configured right but cannot be opened or reached: one line, exit 1. */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
  readonly code = 'STORE_UNREACHABLE';
}

export interface StoreFlags {
  readonly generated?: string;
  readonly config?: string;
  readonly store?: string;
  readonly keyspace?: string;
  readonly consistency?: string;
  readonly redis?: string;
  readonly offline?: string;
}

/** Which stores a command uses; flags of the others are not offered. */
export interface StoreNeeds {
  readonly online: boolean;
  readonly offline: boolean;
  readonly cache: boolean;
}

export function addStoreOptions<C extends Command>(cmd: C, needs: StoreNeeds): C {
  cmd
    .option('--generated <dir>', 'the generated folder: manifest.json, acl/ (default: generated/ beside the config file, else in the working folder)')
    .option('--config <file>', 'project config; locates the defaults (default: ./featurestore.yaml when present)');
  if (needs.online) {
    cmd
      .option('--store <store>', 'online store: sqlite:PATH or cassandra (CASSANDRA_* variables) (default: sqlite:featurestore.sqlite beside the config file)')
      .option('--keyspace <name>', "Cassandra keyspace (default: the manifest's)")
      .option('--consistency <level>', 'Cassandra consistency level, e.g. localQuorum or one');
  }
  if (needs.cache) cmd.option('--redis <url>', 'Redis cache whose entries the writes delete, e.g. redis://127.0.0.1:6379 (default: no cache)');
  if (needs.offline) {
    cmd.addOption(
      new Option('--offline <store>', 'offline store: duckdb:PATH or bigquery (the manifest\'s project and dataset; BIGQUERY_API_ENDPOINT) (default: duckdb:featurestore.duckdb beside the config file)'),
    );
  }
  return cmd;
}

export type OfflineSpec = { readonly kind: 'duckdb'; readonly path: string } | { readonly kind: 'bigquery' } | null;

export function parseOfflineSpec(spec: string | undefined): OfflineSpec {
  if (spec === undefined) return null;
  if (spec === 'bigquery') return { kind: 'bigquery' };
  if (spec.startsWith('duckdb:') && spec.length > 'duckdb:'.length) return { kind: 'duckdb', path: spec.slice('duckdb:'.length) };
  throw new UsageError(STORE_FLAG_ERRORS.badOffline(spec));
}

export interface CheckedStoreFlags {
  readonly online: ReturnType<typeof parseStoreSpec>;
  readonly offline: OfflineSpec;
}

/** Every store flag checked, nothing opened: UsageError (exit 2) naming the flag. */
export async function checkStoreFlags(flags: StoreFlags): Promise<CheckedStoreFlags> {
  const online = parseStoreSpec(flags.store);
  const offline = parseOfflineSpec(flags.offline);
  if (flags.redis !== undefined) checkRedisUrl(flags.redis);
  if (online?.kind !== 'cassandra') {
    if (flags.keyspace !== undefined) throw new UsageError(STORE_FLAG_ERRORS.cassandraOnly('--keyspace'));
    if (flags.consistency !== undefined) throw new UsageError(STORE_FLAG_ERRORS.cassandraOnly('--consistency'));
  } else {
    if (flags.keyspace !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,47}$/.test(flags.keyspace)) throw new UsageError(STORE_FLAG_ERRORS.badKeyspace(flags.keyspace));
    if (flags.consistency !== undefined) await checkConsistency(flags.consistency);
  }
  return { online, offline };
}

/** Where the online store is, resolved: what a watermark table or a raw client beside it needs. */
export type OnlineTarget =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'cassandra'; readonly keyspace: string; readonly settings: CassandraSettings; readonly consistency: string | undefined };

export type OfflineTarget =
  | { readonly kind: 'duckdb'; readonly path: string }
  | { readonly kind: 'bigquery'; readonly projectId: string; readonly dataset: string; readonly location: string };

export interface SyncStores {
  readonly catalog: FeatureCatalog;
  /** The parsed generated manifest (upsync/downsync settings, offline tables). */
  readonly manifest: Manifest;
  readonly generatedDir: string;
  /** The folder defaults live in: beside the config file, else the working folder. */
  readonly projectDir: string;
  /** The online store as writes should use it: behind the cache decorator when --redis is given. */
  readonly online: OnlineStore | null;
  readonly onlineTarget: OnlineTarget | null;
  readonly offlineTarget: OfflineTarget | null;
  readonly cache: FeatureCache | null;
  readonly writePath: WritePath | null;
  readonly offline: OfflineStore | null;
  /** How each store is named in messages and summaries, e.g. `sqlite:featurestore.sqlite`. */
  readonly describe: { readonly online: string | null; readonly offline: string | null; readonly cache: string | null };
  close(): Promise<void>;
}

/**
 * Checks the flags, locates the project, loads the manifest and ACL, and opens what `needs` asks for.
 * Throws UsageError (a flag, the project) or StoreOpenError (a store), after closing what it opened.
 */
export async function openSyncStores(flags: StoreFlags, needs: StoreNeeds, hooks: OpenHooks = {}): Promise<SyncStores> {
  const checked = await checkStoreFlags(flags);
  return openCheckedStores(flags, checked, needs, hooks);
}

export interface OpenHooks {
  /** Working folder the flags are relative to (default process.cwd()). */
  readonly cwd?: string;
  /** Called with the loaded manifest before any store opens: the command's own checks (throw UsageError). */
  readonly validate?: (catalog: FeatureCatalog, manifest: Manifest) => void;
}

export async function openCheckedStores(flags: StoreFlags, checked: CheckedStoreFlags, needs: StoreNeeds, hooks: OpenHooks = {}): Promise<SyncStores> {
  const cwd = hooks.cwd ?? process.cwd();
  const project = await locateServeProject(flags, cwd);
  const projectDir = path.dirname(project.defaultSqlitePath);
  let catalog: FeatureCatalog;
  let manifest: Manifest;
  try {
    catalog = await loadFeatureCatalog(project.generatedDir);
    const file = path.join(project.generatedDir, 'manifest.json');
    manifest = parseManifest(JSON.parse(await readFile(file, 'utf8')) as unknown, file, { formats: 'current' });
  } catch (e) {
    const message = e instanceof ManifestError ? e.problems.join('; ') : e instanceof Error ? e.message : String(e);
    throw new StoreOpenError(STORE_FLAG_ERRORS.badManifest(message));
  }
  hooks.validate?.(catalog, manifest);

  let onlineTarget: OnlineTarget | null = null;
  let onlineText: string | null = null;
  if (needs.online) {
    if (checked.online?.kind === 'cassandra') {
      onlineTarget = { kind: 'cassandra', keyspace: flags.keyspace ?? catalog.keyspace, settings: cassandraSettingsFromEnv(), consistency: flags.consistency };
      onlineText = `cassandra keyspace ${onlineTarget.keyspace}`;
    } else {
      onlineTarget = { kind: 'sqlite', path: checked.online?.path ?? project.defaultSqlitePath };
      onlineText = `sqlite:${onlineTarget.path}`;
      const problem = await sqlitePathProblem(onlineTarget.path);
      if (problem) throw new UsageError(SERVE_ERRORS.badSqlite(onlineText, problem));
    }
  }
  let offlineTarget: OfflineTarget | null = null;
  let offlineText: string | null = null;
  if (needs.offline) {
    if (checked.offline?.kind === 'bigquery') {
      const { project: projectId, dataset, location } = manifest.project.bigquery;
      offlineTarget = { kind: 'bigquery', projectId, dataset, location };
      offlineText = `bigquery (project ${projectId}, dataset ${dataset})`;
    } else {
      offlineTarget = { kind: 'duckdb', path: checked.offline?.path ?? path.join(projectDir, DEFAULT_DUCKDB_FILE) };
      offlineText = `duckdb:${offlineTarget.path}`;
    }
  }
  const cacheText = needs.cache && flags.redis !== undefined ? redactUrl(flags.redis) : null;

  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    const all = closers.splice(0).reverse();
    for (const close of all) await close().catch(() => {});
  };
  try {
    let online: OnlineStore | null = null;
    let cache: FeatureCache | null = null;
    if (onlineTarget !== null) {
      const raw = await openOnline(onlineTarget, catalog, onlineText as string);
      closers.push(() => raw.close());
      online = raw;
      if (needs.cache && flags.redis !== undefined) {
        cache = await openRedis(flags.redis);
        const opened = cache;
        closers.push(() => opened.close());
        online = cachedStore(raw, cache, catalog);
      }
    }
    let offline: OfflineStore | null = null;
    if (offlineTarget !== null) {
      offline = await openOffline(offlineTarget, manifest, offlineText as string);
      const opened = offline;
      closers.push(() => opened.close());
    }
    return {
      catalog,
      manifest,
      generatedDir: project.generatedDir,
      projectDir,
      online,
      onlineTarget,
      offlineTarget,
      cache,
      writePath: online ? new WritePath(catalog, online) : null,
      offline,
      describe: { online: onlineText, offline: offlineText, cache: cacheText },
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

async function openOnline(target: OnlineTarget, catalog: FeatureCatalog, text: string): Promise<OnlineStore> {
  const tables = [...catalog.features.values()].map((f) => f.table);
  try {
    if (target.kind === 'sqlite') return await openOnlineStore({ kind: 'sqlite', path: target.path }, { keyspace: catalog.keyspace, tables });
    return await openOnlineStore(
      { kind: 'cassandra', settings: target.settings, keyspace: target.keyspace, ...(target.consistency !== undefined ? { consistency: target.consistency } : {}) },
      { keyspace: catalog.keyspace, tables },
    );
  } catch (e) {
    if (e instanceof UsageError || (e instanceof Error && e.name === 'MissingDriverError')) throw e;
    const sqlite = target.kind === 'sqlite' ? describeSqliteOpenError(target.path, e) : null;
    if (sqlite) throw new UsageError(SERVE_ERRORS.badSqlite(text, sqlite));
    throw new StoreOpenError(STORE_FLAG_ERRORS.onlineFailed(text, firstLine(e)), { cause: e });
  }
}

async function openRedis(url: string): Promise<FeatureCache> {
  const { RedisFeatureCache } = await loadDriver('ioredis', DRIVER_USES.redisCache, () => import('../runtime/cache/redis/redis-feature-cache.ts'));
  const redis = new RedisFeatureCache({ url });
  if (!(await redis.waitUntilReady(SYNC_REDIS_WAIT_MS))) {
    await redis.close().catch(() => {});
    throw new StoreOpenError(STORE_FLAG_ERRORS.redisFailed(url));
  }
  return redis;
}

/** The decorator as createOnlineRuntime builds it: the same policy, so writes delete the keys reads cache. */
function cachedStore(store: OnlineStore, cache: FeatureCache, catalog: FeatureCatalog): OnlineStore {
  return withCache(store, cache, catalogCachePolicy(catalog));
}

async function openOffline(target: OfflineTarget, manifest: Manifest, text: string): Promise<OfflineStore> {
  let store: OfflineStore | null = null;
  try {
    if (target.kind === 'duckdb') {
      // The embedded default creates the tables it is given when missing (a user's own table is kept).
      const tables = Object.values(manifest.features).map(offlineTableOf);
      return await openOfflineStore({ kind: 'duckdb', path: target.path, tables });
    }
    const endpoint = process.env['BIGQUERY_API_ENDPOINT'];
    store = await openOfflineStore({ kind: 'bigquery', projectId: target.projectId, dataset: target.dataset, location: target.location, ...(endpoint ? { endpoint } : {}) });
    // The client connects lazily: ask once now, so an unreachable endpoint fails the start.
    await store.ping();
    return store;
  } catch (e) {
    await store?.close().catch(() => {});
    if (e instanceof Error && e.name === 'MissingDriverError') throw e;
    throw new StoreOpenError(STORE_FLAG_ERRORS.offlineFailed(text, firstLine(e)), { cause: e });
  }
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0] ?? message;
}
