/**
 * The flags of `featurestore serve`, checked before anything is opened, so a typo costs no connection
 * and no stack trace: each problem is a UsageError (exit 2) naming the flag and what to pass.
 */
import { UsageError } from '../generator/diagnostics.ts';
import type { OnlineRuntimeOptions } from '../runtime/read/online-runtime.ts';
import { cassandraSettingsFromEnv } from '../runtime/connect/cassandra.ts';
import { DEFAULT_LIMITS } from '../runtime/server/index.ts';

export interface ServeFlags {
  readonly port: string;
  readonly host: string;
  /** Default: `generated/` beside the config file (see serve-project.ts). */
  readonly generated?: string;
  /** Default: `sqlite:featurestore.sqlite` beside the config file. */
  readonly store?: string;
  readonly redis?: string;
  readonly config?: string;
  readonly consistency?: string;
  readonly keyspace?: string;
  /** Requests without credentials act as this consumer (development only). */
  readonly anonymousConsumer?: string;
  readonly logLevel: string;
  readonly maxKeys: string;
  readonly maxFeatures: string;
  readonly bodyLimit: string;
}

export const SERVE_DEFAULTS = { port: '8080', host: '127.0.0.1' } as const;

export const SERVE_FLAG_DEFAULTS = {
  logLevel: 'info',
  maxKeys: String(DEFAULT_LIMITS.maxKeys),
  maxFeatures: String(DEFAULT_LIMITS.maxFeatures),
  bodyLimit: String(DEFAULT_LIMITS.bodyLimit),
} as const;

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
  cannotListen: (host: string, port: number, message: string) => `cannot listen on ${host}:${port}: ${message}`,
} as const;

/** `--store` as typed: null when left out (the default SQLite file depends on where the config is). */
export type StoreSpec = { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'cassandra' } | null;

export function parseStoreSpec(spec: string | undefined): StoreSpec {
  if (spec === undefined) return null;
  if (spec === 'cassandra') return { kind: 'cassandra' };
  if (spec.startsWith('sqlite:') && spec.length > 'sqlite:'.length) return { kind: 'sqlite', path: spec.slice('sqlite:'.length) };
  throw new UsageError(SERVE_ERRORS.badStore(spec));
}

/** The runtime's store option for a checked spec; `defaultSqlitePath` when `--store` was left out. */
export function storeOption(spec: StoreSpec, opts: ServeFlags, defaultSqlitePath: string): OnlineRuntimeOptions['store'] {
  if (spec?.kind === 'cassandra') {
    const { consistency, keyspace } = opts;
    return { kind: 'cassandra', settings: cassandraSettingsFromEnv(), ...(consistency ? { consistency } : {}), ...(keyspace ? { keyspace } : {}) };
  }
  return { kind: 'sqlite', path: spec?.path ?? defaultSqlitePath };
}

export function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n === 0) throw new UsageError(SERVE_ERRORS.badNumber(flag, value));
  return n;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535) throw new UsageError(SERVE_ERRORS.badPort(value));
  return n;
}

export function checkLogLevel(value: string): void {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new UsageError(SERVE_ERRORS.badLogLevel(value));
}

/** `redis://` or `rediss://`, a host, an optional port 1..65535 and an optional database number. */
export function checkRedisUrl(value: string): void {
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
export async function checkConsistency(value: string): Promise<void> {
  const { types } = await import('cassandra-driver');
  const names = Object.keys(types.consistencies).filter((k) => Number.isNaN(Number(k)));
  if (!names.includes(value)) throw new UsageError(SERVE_ERRORS.badConsistency(value, names));
}
