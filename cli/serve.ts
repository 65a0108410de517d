/**
 * `featurestore serve`: the HTTP Read API over the online store (SQLite file or Cassandra), with an
 * optional Redis cache. API keys come from the variables the config names per consumer
 * (`consumers.<name>.api_keys_env`), read once here; the generated ACL decides what each may read.
 * Runs until SIGINT/SIGTERM (or `signal`), then drains requests and closes the store.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { cassandraSettingsFromEnv } from '../runtime/connect/cassandra.ts';
import { createOnlineRuntime } from '../runtime/index.ts';
import type { OnlineRuntimeOptions } from '../runtime/read/online-runtime.ts';
import { describeSqliteOpenError, sqlitePathProblem } from '../runtime/online/sqlite/sqlite-path-check.ts';
import {
  apiKeysFromEnv,
  createApiKeyTable,
  createReadMetrics,
  createReadServer,
  DEFAULT_LIMITS,
  DuplicateApiKeyError,
  type ApiKeyTable,
  type ConsumerKeyConfig,
} from '../runtime/server/index.ts';
import { UsageError } from '../generator/diagnostics.ts';
import { loadConfig } from '../generator/load/config.ts';
import { printDiagnostics } from './codegen.ts';
import { EXIT_INVALID, EXIT_OK, type Io } from './io.ts';

export interface ServeFlags {
  readonly port: string;
  readonly host: string;
  readonly generated: string;
  readonly store: string;
  readonly redis?: string;
  readonly config?: string;
  readonly consistency?: string;
  readonly keyspace?: string;
  readonly logLevel: string;
  readonly maxKeys: string;
  readonly maxFeatures: string;
  readonly bodyLimit: string;
}

export const SERVE_DEFAULTS = { port: '8080', host: '127.0.0.1', store: 'sqlite:featurestore.sqlite' } as const;

/** pino's levels, and `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const SERVE_ERRORS = {
  badStore: (spec: string) => `invalid --store "${spec}": expected sqlite:PATH or cassandra`,
  badNumber: (flag: string, value: string) => `invalid ${flag} "${value}": expected a positive integer`,
  badPort: (value: string) => `invalid --port "${value}": expected an integer from 0 to 65535 (hint: 0 picks a free port)`,
  badLogLevel: (value: string) => `invalid --log-level "${value}": expected one of ${LOG_LEVELS.join(', ')}`,
  badRedis: (value: string) =>
    `invalid --redis "${redactUrl(value)}": expected a URL such as redis://127.0.0.1:6379 or rediss://:password@host:6380/0`,
  badConsistency: (value: string, names: readonly string[]) =>
    `invalid --consistency "${value}": expected one of ${names.join(', ')}`,
  badSqlite: (spec: string, problem: string) => `invalid --store "${spec}": ${problem}`,
  storeFailed: (spec: string, message: string) => `cannot open the online store (--store ${spec}): ${message}`,
  duplicateKey: (a: string, b: string, variables: string) =>
    `the same API key is configured for consumers "${a}" and "${b}" (${variables}): give each consumer keys of its own`,
  noManifest: (dir: string) => `${dir}/manifest.json not found: run featurestore codegen first (or pass --generated DIR)`,
  noKeys: 'no consumer has an API key (set the variables named by api_keys_env in the config): every /v1 request will get 401',
} as const;

export interface ServeHooks {
  /** Stops the server when aborted (tests); the process signals do the same. */
  readonly signal?: AbortSignal;
  /** Called once listening, with the bound URL (port 0 picks a free port). */
  readonly onListening?: (url: string) => void;
}

export async function serveCommand(opts: ServeFlags, io: Io, hooks: ServeHooks = {}): Promise<number> {
  // Every flag is checked before anything is opened, so a typo costs no connection and no stack trace.
  const port = parsePort(opts.port);
  const limits = {
    maxKeys: positive('--max-keys', opts.maxKeys),
    maxFeatures: positive('--max-features', opts.maxFeatures),
    bodyLimit: positive('--body-limit', opts.bodyLimit),
  };
  if (!(LOG_LEVELS as readonly string[]).includes(opts.logLevel)) throw new UsageError(SERVE_ERRORS.badLogLevel(opts.logLevel));
  if (opts.redis !== undefined) checkRedisUrl(opts.redis);
  const store = parseStore(opts);
  if (store.kind === 'cassandra' && opts.consistency !== undefined) await checkConsistency(opts.consistency);
  await access(path.join(opts.generated, 'manifest.json')).catch(() => {
    throw new UsageError(SERVE_ERRORS.noManifest(opts.generated));
  });
  const { config, diagnostics } = await loadConfig(opts.config);
  printDiagnostics(diagnostics, io);
  if (diagnostics.some((d) => d.severity === 'error')) return EXIT_INVALID;
  const apiKeys = keyTable(config.consumers, io);
  if (apiKeys.consumers.length === 0) io.err(`featurestore serve: warning: ${SERVE_ERRORS.noKeys}\n`);
  if (store.kind === 'sqlite') {
    const problem = await sqlitePathProblem(store.path);
    if (problem) throw new UsageError(SERVE_ERRORS.badSqlite(opts.store, problem));
  }

  const metrics = createReadMetrics();
  let runtime: Awaited<ReturnType<typeof createOnlineRuntime>>;
  try {
    runtime = await createOnlineRuntime({
      generatedDir: opts.generated,
      store,
      cache: opts.redis ? { redisUrl: opts.redis } : null,
      observer: metrics.observer,
    });
  } catch (e) {
    // What the checks above could not foresee (a corrupt file, a full disk, Cassandra unreachable): one line.
    const sqlite = store.kind === 'sqlite' ? describeSqliteOpenError(store.path, e) : null;
    if (sqlite) throw new UsageError(SERVE_ERRORS.badSqlite(opts.store, sqlite));
    io.err(`featurestore: ${SERVE_ERRORS.storeFailed(opts.store, e instanceof Error ? e.message : String(e))}\n`);
    return EXIT_INVALID;
  }
  const app = await createReadServer({ runtime, apiKeys, limits, metrics, logger: { level: opts.logLevel } });
  let url: string;
  try {
    await app.listen({ port, host: opts.host });
    const address = app.server.address();
    const bound = typeof address === 'object' && address !== null ? address.port : port;
    url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${bound}`;
  } catch (e) {
    await app.close().catch(() => {});
    await runtime.close().catch(() => {});
    io.err(`featurestore serve: cannot listen on ${opts.host}:${port}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_INVALID;
  }
  const storeText = store.kind === 'sqlite' ? `sqlite:${store.path}` : `cassandra${opts.keyspace ? ` keyspace ${opts.keyspace}` : ''}`;
  io.err(`featurestore serve: listening on ${url} (store ${storeText}, cache ${opts.redis ? redactUrl(opts.redis) : 'off'}, consumers with keys: ${apiKeys.consumers.join(', ') || 'none'})\n`);
  hooks.onListening?.(url);

  await stopped(hooks.signal);
  io.err('featurestore serve: shutting down\n');
  // Fastify stops accepting, lets in-flight requests finish, then the store and cache close.
  await app.close();
  await runtime.close();
  return EXIT_OK;
}

function parseStore({ store: spec, consistency, keyspace }: ServeFlags): OnlineRuntimeOptions['store'] {
  if (spec === 'cassandra') {
    return { kind: 'cassandra', settings: cassandraSettingsFromEnv(), ...(consistency ? { consistency } : {}), ...(keyspace ? { keyspace } : {}) };
  }
  if (spec.startsWith('sqlite:') && spec.length > 'sqlite:'.length) return { kind: 'sqlite', path: spec.slice('sqlite:'.length) };
  throw new UsageError(SERVE_ERRORS.badStore(spec));
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n === 0) throw new UsageError(SERVE_ERRORS.badNumber(flag, value));
  return n;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535) throw new UsageError(SERVE_ERRORS.badPort(value));
  return n;
}

/** `redis://` or `rediss://`, a host, an optional port 1..65535 and an optional database number. */
function checkRedisUrl(value: string): void {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    // not a URL at all
  }
  const portOk = !url?.port || (Number(url.port) >= 1 && Number(url.port) <= 65535);
  const dbOk = !url || url.pathname === '' || url.pathname === '/' || /^\/\d+$/.test(url.pathname);
  if (!url || !['redis:', 'rediss:'].includes(url.protocol) || url.hostname === '' || !portOk || !dbOk) {
    throw new UsageError(SERVE_ERRORS.badRedis(value));
  }
}

/** `value` with any password replaced by `***`, for messages: a Redis URL may carry one. */
export function redactUrl(value: string): string {
  // Greedy to the last `@` before the path: an unescaped `@` inside the password is hidden too.
  return value.replace(/^([a-z][\w+.-]*:\/\/[^/@:]*:)[^/]*@/i, '$1***@');
}

/** The driver's names; imported here only when Cassandra is the store. */
async function checkConsistency(value: string): Promise<void> {
  const { types } = await import('cassandra-driver');
  const names = Object.keys(types.consistencies).filter((k) => Number.isNaN(Number(k)));
  if (!names.includes(value)) throw new UsageError(SERVE_ERRORS.badConsistency(value, names));
}

/** The API keys of every consumer; one key for two consumers is a usage error naming both variables. */
function keyTable(consumers: ConsumerKeyConfig, io: Io): ApiKeyTable {
  const keys = apiKeysFromEnv(consumers, process.env, (m) => io.err(`featurestore serve: warning: ${m}\n`));
  try {
    return createApiKeyTable(keys);
  } catch (e) {
    if (!(e instanceof DuplicateApiKeyError)) throw e;
    const variables = [e.first, e.second].map((c) => consumers[c]?.api_keys_env ?? '?').join(' and ');
    throw new UsageError(SERVE_ERRORS.duplicateKey(e.first, e.second, variables));
  }
}

function stopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (signal?.aborted) done();
    else signal?.addEventListener('abort', done, { once: true });
  });
}

export const SERVE_FLAG_DEFAULTS = {
  logLevel: 'info',
  maxKeys: String(DEFAULT_LIMITS.maxKeys),
  maxFeatures: String(DEFAULT_LIMITS.maxFeatures),
  bodyLimit: String(DEFAULT_LIMITS.bodyLimit),
} as const;
