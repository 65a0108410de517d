/**
 * `featurestore serve`: the HTTP Read API over the online store (SQLite file or Cassandra), with an
 * optional Redis cache. API keys come from the variables the config names per consumer
 * (`consumers.<name>.api_keys_env`), read once here; the generated ACL decides what each may read.
 * Runs until SIGINT/SIGTERM (or `signal`), then drains requests and closes the store.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { cassandraSettingsFromEnv } from '../../runtime/connect/cassandra.ts';
import { createOnlineRuntime } from '../../runtime/index.ts';
import type { OnlineRuntimeOptions } from '../../runtime/read/online-runtime.ts';
import { apiKeysFromEnv, createApiKeyTable, createReadMetrics, createReadServer, DEFAULT_LIMITS } from '../../runtime/server/index.ts';
import { UsageError } from '../diagnostics.ts';
import { loadConfig } from '../load/config.ts';
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

export const SERVE_ERRORS = {
  badStore: (spec: string) => `invalid --store "${spec}": expected sqlite:PATH or cassandra`,
  badNumber: (flag: string, value: string) => `invalid ${flag} "${value}": expected a positive integer`,
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
  const port = positive('--port', opts.port, true);
  const limits = {
    maxKeys: positive('--max-keys', opts.maxKeys),
    maxFeatures: positive('--max-features', opts.maxFeatures),
    bodyLimit: positive('--body-limit', opts.bodyLimit),
  };
  const store = parseStore(opts);
  await access(path.join(opts.generated, 'manifest.json')).catch(() => {
    throw new UsageError(SERVE_ERRORS.noManifest(opts.generated));
  });
  const { config, diagnostics } = await loadConfig(opts.config);
  printDiagnostics(diagnostics, io);
  if (diagnostics.some((d) => d.severity === 'error')) return EXIT_INVALID;
  const keys = apiKeysFromEnv(config.consumers, process.env, (m) => io.err(`featurestore serve: warning: ${m}\n`));
  const apiKeys = createApiKeyTable(keys);
  if (apiKeys.consumers.length === 0) io.err(`featurestore serve: warning: ${SERVE_ERRORS.noKeys}\n`);

  const metrics = createReadMetrics();
  const runtime = await createOnlineRuntime({
    generatedDir: opts.generated,
    store,
    cache: opts.redis ? { redisUrl: opts.redis } : null,
    observer: metrics.observer,
  });
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
  io.err(`featurestore serve: listening on ${url} (store ${storeText}, cache ${opts.redis ?? 'off'}, consumers with keys: ${apiKeys.consumers.join(', ') || 'none'})\n`);
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

function positive(flag: string, value: string, zeroAllowed = false): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || (n === 0 && !zeroAllowed)) throw new UsageError(SERVE_ERRORS.badNumber(flag, value));
  return n;
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
