/**
 * The intermediate representation: the one normalised, readonly model of every feature.
 * YAML is read and validated once into this; every emitter and the runtime manifest read only this.
 * Field types come from the contract (core/field-types.ts), which the manifest and the runtime share.
 */
import type { FieldType } from '../../core/field-types.ts';

/**
 * A default value, normalised to an exact JSON-safe form:
 * Long as a decimal string (never a lossy number), Timestamp as epoch millis (decimal string),
 * Bytes as base64, lists as arrays of the element form.
 */
export type DefaultScalar = string | number | boolean;
export type DefaultValue = DefaultScalar | null | readonly DefaultScalar[];

export interface SourceLocation {
  /** Path relative to the working directory, with forward slashes. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface FieldIR {
  /** The name as written in YAML (snake_case by convention); column and Avro field name. */
  readonly name: string;
  /** The TypeScript property name (camelCase of `name`). */
  readonly tsName: string;
  readonly type: FieldType;
  readonly description: string;
  readonly isKey: boolean;
  readonly isEventTime: boolean;
  readonly nullable: boolean;
  /** Absent when the YAML gives no default (the field is then required on write). */
  readonly defaultValue?: DefaultValue;
  readonly location: SourceLocation;
}

export interface UpsyncIR {
  readonly enabled: boolean;
  readonly incrementalUpdate: boolean;
  /** Airflow schedule: a cron expression or a preset such as `@daily`; null means triggered externally. */
  readonly schedule: string | null;
  /** Upsync tasks run in parallel per run (dynamic task mapping), task i running `--shard i/n`; 1 = one task. */
  readonly shards: number;
}

export interface DownsyncIR {
  readonly enabled: boolean;
  /** Minimum interval between two sampled rows of one key, in milliseconds; 0 = no limit. */
  readonly minIntervalByKeyMs: number;
  /** Probability in (0, 1] that an update is sampled into the offline store. */
  readonly randomSamplingRatio: number;
}

export interface AccessIR {
  /** Consumer names, sorted. */
  readonly read: readonly string[];
  readonly write: readonly string[];
}

/** What every feature has, whatever its type. */
interface FeatureBaseIR {
  /** Full name, `<namespace>::<name>-v<N>`. */
  readonly fullName: string;
  readonly namespace: string;
  /** The name without the version suffix. */
  readonly name: string;
  readonly version: number;
  /** Table name in CQL and BigQuery: `<namespace>__<name>_v<N>`, dashes as underscores. */
  readonly tableName: string;
  /** camelCase property of the namespace in the generated `features` object. */
  readonly tsNamespace: string;
  /** camelCase property of the feature (`hakunaHostStatV1`). */
  readonly tsName: string;
  /** PascalCase type prefix (`HakunaHostStatV1`). */
  readonly tsTypeName: string;
  /** Avro full name, e.g. `featurestore.live.HakunaHostStatV1`. */
  readonly avroName: string;
  readonly owner: string;
  readonly description: string;
  /** Fields in declaration order. */
  readonly fields: readonly FieldIR[];
  /** Names of the key fields, in declaration order (the partition key). */
  readonly keyFields: readonly string[];
  readonly upsync: UpsyncIR;
  readonly downsync: DownsyncIR;
  /** Retention in milliseconds; null = keep forever. */
  readonly retentionMs: number | null;
  /** Redis cache TTL in milliseconds; null = not cached. */
  readonly cacheTtlMs: number | null;
  readonly access: AccessIR;
  readonly location: SourceLocation;
}

/** One value per key. The History-only properties are present, and null, so every feature has the same keys. */
export interface ObjectFeatureIR extends FeatureBaseIR {
  readonly featureType: 'Object';
  readonly eventTimeField: null;
  readonly maxEvents: null;
}

/** The last events per key, newest first, ordered by the event-time field. */
export interface HistoryFeatureIR extends FeatureBaseIR {
  readonly featureType: 'History';
  /** The value field (a Timestamp) that orders events: the clustering column. */
  readonly eventTimeField: string;
  /** How many events per key are kept and served at most; null = unbounded (no `history.max_events`). */
  readonly maxEvents: number | null;
}

/** A feature: discriminated on `featureType`, so a History feature without an event time cannot be built. */
export type FeatureIR = ObjectFeatureIR | HistoryFeatureIR;

/** The properties that depend on the feature type, as one value to spread into a feature. */
export type FeatureKind = Pick<ObjectFeatureIR, FeatureKindKey> | Pick<HistoryFeatureIR, FeatureKindKey>;
type FeatureKindKey = 'featureType' | 'eventTimeField' | 'maxEvents';

export interface ConsumerIR {
  readonly name: string;
  readonly description: string;
  /** Cassandra role the consumer's service logs in as. */
  readonly cassandraRole: string;
  /** BigQuery IAM member (`serviceAccount:...`, `group:...`), or null when not granted offline access. */
  readonly bigqueryMember: string | null;
  /**
   * Environment variable holding the consumer's Read API keys (`api_keys_env`), or null. Only the
   * variable's name: the manifest carries it so `featurestore serve` needs no featurestore.yaml.
   */
  readonly apiKeysEnv: string | null;
}

export interface ProjectIR {
  readonly cassandra: { readonly keyspace: string; readonly replicationFactor: number };
  readonly bigquery: { readonly project: string; readonly dataset: string; readonly location: string };
  readonly kafka: { readonly topic: string };
  /** Consumers sorted by name. */
  readonly consumers: readonly ConsumerIR[];
}

export interface IR {
  readonly project: ProjectIR;
  /** Features sorted by full name. */
  readonly features: readonly FeatureIR[];
}

export function valueFields(feature: FeatureIR): readonly FieldIR[] {
  return feature.fields.filter((f) => !f.isKey);
}

export function keyFieldsOf(feature: FeatureIR): readonly FieldIR[] {
  return feature.fields.filter((f) => f.isKey);
}
