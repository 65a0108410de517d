/**
 * The contract of the online runtime: what services, the HTTP Read API and the sync jobs use.
 * Built by `createOnlineRuntime` (runtime/read/create-online-runtime.ts) from the generated manifest,
 * an online store (Cassandra or SQLite) and an optional Redis cache. Every read and write names the
 * consumer doing it, and the generated ACL manifest (generated/acl/acl.json) decides.
 */
import type { FeatureCache } from '../cache/feature-cache.ts';
import type { CassandraSettings } from '../connect/cassandra-settings.ts';
import type { KeyValues, OnlineStore } from '../online/online-store.ts';
import type { FeatureClient } from '../write/feature-writer.ts';
import type { OnlineWriter } from '../write/online-writer.ts';

export interface OnlineRuntimeOptions {
  /**
   * Folder holding manifest.json and acl/acl.json: a path (relative to the working folder) or a file URL,
   * e.g. `new URL('../generated/', import.meta.url)` to find it beside the service's code wherever the
   * service is started from. Default `generated` under the working folder.
   */
  readonly generatedDir?: string | URL;
  readonly store:
    | { readonly kind: 'sqlite'; readonly path: string }
    /** An OnlineStore built by the caller (another adapter, or a wrapper that instruments one); closed by close(). */
    | { readonly kind: 'custom'; readonly store: OnlineStore }
    | {
        readonly kind: 'cassandra';
        readonly settings?: CassandraSettings;
        /** Default: the manifest's keyspace. */
        readonly keyspace?: string;
        /** cassandra-driver consistency level name, e.g. `localQuorum` (default) or `one`. */
        readonly consistency?: string;
        /** Parallel partition reads per multi-key request (default 32). */
        readonly maxConcurrency?: number;
      };
  /**
   * Read-through cache (runtime/cache/with-cache.ts); absent or null = no cache. Only features with
   * `cache.ttl` in YAML are cached. Redis by URL, or any FeatureCache (MemoryFeatureCache for one
   * process), which close() then closes.
   */
  readonly cache?: ((RedisCacheOptions | { readonly featureCache: FeatureCache }) & CachePolicyOptions) | null;
  /** Hooks for metrics; each is called synchronously and must not throw. */
  readonly observer?: RuntimeObserver;
}

export interface RedisCacheOptions {
  readonly redisUrl: string;
  /** Bound on every Redis call; on timeout the read goes to the store. Default 50 ms. */
  readonly timeoutMs?: number;
  /** Prepended to every Redis key (tests, several deployments on one Redis). Default none. */
  readonly keyPrefix?: string;
}

export interface CachePolicyOptions {
  /** TTL of cached absences, capped by the feature's TTL. Default 5000 ms. */
  readonly negativeTtlMs?: number;
  /** At most this many absences cached per request. Default 100. */
  readonly maxNegativeWrites?: number;
}

export interface RuntimeObserver {
  /** Per cached lookup: keys answered by the cache (values or known absences) and keys read from the store. */
  cacheLookup?(feature: string, hits: number, misses: number): void;
  /** A store call failed (the error is rethrown to the caller after this). */
  storeError?(feature: string, operation: 'read' | 'write', error: unknown): void;
}

/** A key or value as the name-based API takes and returns it: YAML field names; Long as bigint, Timestamp as Date, Bytes as Uint8Array. */
export type FieldRecord = Readonly<Record<string, unknown>>;

export interface RuntimeFieldInfo {
  readonly name: string;
  /** `Text Long Int Double Float Boolean Timestamp Bytes` or `List<T>`. */
  readonly type: string;
  readonly nullable: boolean;
}

export interface RuntimeFeatureInfo {
  readonly fullName: string;
  readonly featureType: 'Object' | 'History';
  readonly keyFields: readonly RuntimeFieldInfo[];
  readonly valueFields: readonly RuntimeFieldInfo[];
  readonly maxEvents: number | null;
  readonly cacheTtlMs: number | null;
  /** The current value schema (reader schema) as JSON text, for clients that ask for Avro. */
  readonly avroSchemaText: string;
  readonly avroFingerprint: bigint;
}

export interface ReadinessReport {
  readonly store: boolean;
  /** null when no cache is configured. */
  readonly cache: boolean | null;
}

/**
 * Reads for keys already checked at another boundary: KeyValues (key column values in key-field order),
 * as the HTTP Read API parses them from JSON per feature. Nothing is validated again (event counts and
 * time ranges included); the ACL applies. The `…Avro` forms answer Avro binary of the current reader
 * schema: the stored bytes themselves when they were written with it, re-encoded (exactly) only when not.
 */
export interface CheckedReads {
  getMany(consumer: string, feature: string, keys: readonly KeyValues[]): Promise<(FieldRecord | null)[]>;
  getManyAvro(consumer: string, feature: string, keys: readonly KeyValues[]): Promise<(Uint8Array | null)[]>;
  latest(consumer: string, feature: string, key: KeyValues, n: number): Promise<FieldRecord[]>;
  latestAvro(consumer: string, feature: string, key: KeyValues, n: number): Promise<Uint8Array[]>;
  range(consumer: string, feature: string, key: KeyValues, from: Date, to: Date): Promise<FieldRecord[]>;
  rangeAvro(consumer: string, feature: string, key: KeyValues, from: Date, to: Date): Promise<Uint8Array[]>;
}

export interface OnlineRuntime {
  readonly features: ReadonlyMap<string, RuntimeFeatureInfo>;
  /**
   * The typed reader (and writer) the generated accessors bind to, acting as `consumer`: ACL enforced
   * on every call (`access.read` for reads, `access.write` for put/append).
   */
  reader(consumer: string): FeatureClient;
  /** Object features by name: one result per key, in order; null where absent. Throws the errors below. */
  getMany(consumer: string, feature: string, keys: readonly FieldRecord[]): Promise<(FieldRecord | null)[]>;
  /** The same, as Avro binary of the current reader schema (for Avro responses), null where absent. */
  getManyAvro(consumer: string, feature: string, keys: readonly FieldRecord[]): Promise<(Uint8Array | null)[]>;
  /** History features by name: newest first. */
  latest(consumer: string, feature: string, key: FieldRecord, n?: number): Promise<FieldRecord[]>;
  range(consumer: string, feature: string, key: FieldRecord, from: Date, to: Date): Promise<FieldRecord[]>;
  /** Writes by name (Object: put; History: append), ACL `write` enforced; invalidates the cache. */
  put(consumer: string, feature: string, rows: readonly { readonly key: FieldRecord; readonly value: FieldRecord }[]): Promise<void>;
  append(consumer: string, feature: string, rows: readonly { readonly key: FieldRecord; readonly value: FieldRecord }[]): Promise<void>;
  /** The by-name reads for keys checked elsewhere (the HTTP Read API). */
  readonly checked: CheckedReads;
  /** Writes of already-encoded tagged bytes (the sync jobs): runtime/write/online-writer.ts. */
  readonly writer: OnlineWriter;
  ready(): Promise<ReadinessReport>;
  close(): Promise<void>;
}

/** Base of the errors a caller can act on; the HTTP layer maps each to a status code. */
export class FeatureStoreError extends Error {}

/** 403: the consumer may not read (or write) the feature. */
export class AccessDeniedError extends FeatureStoreError {
  override readonly name = 'AccessDeniedError';
  constructor(
    readonly consumer: string,
    readonly feature: string,
    readonly mode: 'read' | 'write',
  ) {
    super(`consumer "${consumer}" may not ${mode} ${feature} (see access.${mode} in its YAML definition)`);
  }
}

/** No `manifest.json` where the runtime was told (or defaulted) to look; names the option to pass. */
export class ManifestNotFoundError extends FeatureStoreError {
  override readonly name = 'ManifestNotFoundError';
  constructor(
    /** The absolute path looked at. */
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

/** 404 / 400: no such feature in the manifest. */
export class UnknownFeatureError extends FeatureStoreError {
  override readonly name = 'UnknownFeatureError';
  constructor(readonly feature: string) {
    super(`unknown feature "${feature}"`);
  }
}

/** 400: a key or value does not match the feature's schema; names the field. */
export class InvalidInputError extends FeatureStoreError {
  override readonly name = 'InvalidInputError';
  constructor(
    readonly feature: string,
    readonly field: string | undefined,
    message: string,
  ) {
    super(`${feature}${field ? `.${field}` : ''}: ${message}`);
  }
}

/** 400: an Object-only operation on a History feature or the reverse. */
export class WrongFeatureTypeError extends FeatureStoreError {
  override readonly name = 'WrongFeatureTypeError';
  constructor(
    readonly feature: string,
    readonly featureType: 'Object' | 'History',
    operation: string,
  ) {
    super(
      `${feature} is ${featureType === 'Object' ? 'an Object' : 'a History'} feature: ${operation} is for ${featureType === 'Object' ? 'History' : 'Object'} features (use ${featureType === 'Object' ? 'getMany/put' : 'latest/range/append'})`,
    );
  }
}
