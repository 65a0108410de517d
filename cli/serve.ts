/**
 * `featurestore serve`: the HTTP Read API over the online store (SQLite file or Cassandra), with an
 * optional Redis cache. Needs only the generated folder: the manifest names each consumer's API-key
 * variable, read once here; the generated ACL decides what each may read.
 *
 * Output: a server that started logs JSON lines (pino) on stdout and nothing else, from its first
 * warning to its last line (`stopped`), so one collector sees everything. A serve that cannot start
 * prints one `featurestore: …` line on stderr and exits 2 (a flag, the environment) or 1 (the store,
 * the port, the generated files), like every other command.
 *
 * Runs until SIGINT/SIGTERM, the npm wrapper going away (parent-watch.ts) or `signal`, then drains
 * requests and closes the store.
 */
import path from 'node:path';
import { loadConfig } from '../generator/load/config.ts';
import { UsageError } from '../generator/diagnostics.ts';
import { loadFeatureCatalog, type FeatureCatalog } from '../runtime/manifest/feature-catalog.ts';
import { createOnlineRuntime } from '../runtime/read/create-online-runtime.ts';
import type { OnlineRuntime } from '../runtime/read/online-runtime.ts';
import { describeSqliteOpenError, sqlitePathProblem } from '../runtime/online/sqlite/sqlite-path-check.ts';
import { BatchedLogStream } from '../runtime/server/batched-log-stream.ts';
import {
  apiKeysFromEnv,
  createApiKeyTable,
  createReadMetrics,
  createReadServer,
  DuplicateApiKeyError,
  type ApiKeyTable,
  type ConsumerKeyConfig,
} from '../runtime/server/index.ts';
import { printDiagnostics } from './codegen.ts';
import { EXIT_INVALID, EXIT_OK, type Io } from './io.ts';
import { startedByPackageManager, watchParent } from './parent-watch.ts';
import {
  checkConsistency,
  checkLogLevel,
  checkRedisUrl,
  parsePort,
  parseStoreSpec,
  positive,
  redactUrl,
  SERVE_ERRORS,
  storeOption,
  type ServeFlags,
} from './serve-flags.ts';
import { consumerKeyVariables, KeyVariablesError, SERVE_KEY_ERRORS } from './serve-keys.ts';
import { locateServeProject } from './serve-project.ts';

export { LOG_LEVELS, redactUrl, SERVE_DEFAULTS, SERVE_ERRORS, SERVE_FLAG_DEFAULTS, type ServeFlags } from './serve-flags.ts';
export { SERVE_KEY_ERRORS } from './serve-keys.ts';
export { SERVE_PROJECT_ERRORS } from './serve-project.ts';

/** The `msg` of the lifecycle log lines, for operators' alerts and for tests. */
export const SERVE_LOG = {
  listening: 'listening',
  stopping: 'shutting down',
  stopped: 'stopped',
  anonymous: 'requests without an API key act as the --anonymous-consumer; do not expose this server',
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
  checkLogLevel(opts.logLevel);
  if (opts.redis !== undefined) checkRedisUrl(opts.redis);
  const spec = parseStoreSpec(opts.store);
  if (spec?.kind === 'cassandra' && opts.consistency !== undefined) await checkConsistency(opts.consistency);

  const project = await locateServeProject(opts);
  const manifestFile = path.join(project.generatedDir, 'manifest.json');
  let catalog: FeatureCatalog;
  try {
    // Loaded here as well as by the runtime (milliseconds): a bad manifest fails before the store opens.
    catalog = await loadFeatureCatalog(project.generatedDir);
  } catch (e) {
    return fail(io, e instanceof Error ? e.message : String(e));
  }
  let config = null;
  if (project.configFile !== null) {
    const loaded = await loadConfig(project.configFile);
    printDiagnostics(loaded.diagnostics, io);
    if (loaded.diagnostics.some((d) => d.severity === 'error')) return EXIT_INVALID;
    config = { file: project.configFile, spec: loaded.config };
  }
  let variables: ConsumerKeyConfig;
  try {
    variables = consumerKeyVariables(catalog.apiKeyVariables, config, manifestFile);
  } catch (e) {
    if (e instanceof KeyVariablesError) return fail(io, e.message);
    throw e;
  }
  const anonymous = opts.anonymousConsumer;
  if (anonymous !== undefined && !catalog.consumers.includes(anonymous)) {
    throw new UsageError(SERVE_KEY_ERRORS.unknownAnonymous(anonymous, catalog.consumers));
  }
  const warnings: string[] = [];
  const apiKeys = keyTable(variables, warnings);
  const store = storeOption(spec, opts, project.defaultSqlitePath);
  const storeText = store.kind === 'sqlite' ? `sqlite:${store.path}` : `cassandra${opts.keyspace ? ` keyspace ${opts.keyspace}` : ''}`;
  if (store.kind === 'sqlite') {
    const problem = await sqlitePathProblem(store.path);
    if (problem) throw new UsageError(SERVE_ERRORS.badSqlite(storeText, problem));
  }
  // A server nobody can call is a misconfiguration, not a warning: refuse to start.
  if (apiKeys.consumers.length === 0 && anonymous === undefined) {
    const named = Object.values(variables).flatMap((v) => (v?.api_keys_env ? [v.api_keys_env] : []));
    throw new UsageError(named.length > 0 ? SERVE_KEY_ERRORS.noKeys(named) : SERVE_KEY_ERRORS.noKeyVariables(manifestFile));
  }

  const metrics = createReadMetrics();
  let runtime: OnlineRuntime;
  try {
    runtime = await createOnlineRuntime({
      generatedDir: project.generatedDir,
      store,
      cache: opts.redis ? { redisUrl: opts.redis } : null,
      observer: metrics.observer,
    });
  } catch (e) {
    // What the checks above could not foresee (a corrupt file, a full disk, Cassandra unreachable): one line.
    const sqlite = store.kind === 'sqlite' ? describeSqliteOpenError(store.path, e) : null;
    if (sqlite) throw new UsageError(SERVE_ERRORS.badSqlite(storeText, sqlite));
    return fail(io, SERVE_ERRORS.storeFailed(storeText, e instanceof Error ? e.message : String(e)));
  }
  // The server's log stream is the command's stdout (tests read it through `io`).
  const logStream = new BatchedLogStream({ write: (text: string) => io.out(text) });
  const app = await createReadServer({
    runtime,
    apiKeys,
    limits,
    metrics,
    logger: { level: opts.logLevel, stream: logStream },
    ...(anonymous !== undefined ? { anonymousConsumer: anonymous } : {}),
  });
  let url: string;
  try {
    await app.listen({ port, host: opts.host });
    const address = app.server.address();
    const bound = typeof address === 'object' && address !== null ? address.port : port;
    url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${bound}`;
  } catch (e) {
    await app.close().catch(() => {});
    await runtime.close().catch(() => {});
    logStream.flush();
    return fail(io, SERVE_ERRORS.cannotListen(opts.host, port, e instanceof Error ? e.message : String(e)));
  }
  for (const warning of warnings) app.log.warn(warning);
  if (anonymous !== undefined) app.log.warn({ anonymousConsumer: anonymous }, SERVE_LOG.anonymous);
  // Start and stop are written at every level but `silent`: `--log-level warn` drops the request lines,
  // and the start line is where a supervisor learns the URL (`--port 0`) and that the server is up.
  const lifecycle = opts.logLevel === 'silent' || opts.logLevel === 'debug' || opts.logLevel === 'trace' ? app.log : app.log.child({}, { level: 'info' });
  lifecycle.info(
    { url, store: storeText, generated: project.generatedDir, cache: opts.redis ? redactUrl(opts.redis) : null, consumersWithKeys: apiKeys.consumers },
    SERVE_LOG.listening,
  );
  hooks.onListening?.(url);

  const reason = await stopped(hooks.signal);
  lifecycle.info({ reason }, SERVE_LOG.stopping);
  // Fastify stops accepting, lets in-flight requests finish, then the store and cache close.
  await app.close();
  await runtime.close();
  lifecycle.info(SERVE_LOG.stopped);
  logStream.flush();
  return EXIT_OK;
}

function fail(io: Io, message: string): number {
  io.err(`featurestore: ${message}\n`);
  return EXIT_INVALID;
}

/** The API keys of every consumer; one key for two consumers is a usage error naming both variables. */
function keyTable(consumers: ConsumerKeyConfig, warnings: string[]): ApiKeyTable {
  const keys = apiKeysFromEnv(consumers, process.env, (m) => warnings.push(m));
  try {
    return createApiKeyTable(keys);
  } catch (e) {
    if (!(e instanceof DuplicateApiKeyError)) throw e;
    const variables = [e.first, e.second].map((c) => consumers[c]?.api_keys_env ?? '?').join(' and ');
    throw new UsageError(SERVE_ERRORS.duplicateKey(e.first, e.second, variables));
  }
}

type StopReason = 'SIGINT' | 'SIGTERM' | 'parent exited' | 'aborted';

function stopped(signal: AbortSignal | undefined): Promise<StopReason> {
  return new Promise((resolve) => {
    let stopWatch = () => {};
    const done = (reason: StopReason) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      signal?.removeEventListener('abort', onAbort);
      stopWatch();
      resolve(reason);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    const onAbort = () => done('aborted');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    if (startedByPackageManager()) stopWatch = watchParent(() => done('parent exited'));
    if (signal?.aborted) done('aborted');
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
