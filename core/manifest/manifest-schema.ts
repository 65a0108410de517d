/**
 * generated/manifest.json: the one schema of the contract between codegen, which writes it (its emitter's
 * output `satisfies Manifest`), and everything that reads it — the runtime, `featurestore migrate`, and
 * codegen itself, whose schema-evolution baseline it is. Every reader parses it with this schema
 * (parse-manifest.ts), so a manifest from an incompatible codegen fails with a precise message naming
 * the file instead of a TypeError on the first read.
 *
 * The object shapes list properties in the order the emitter writes them: zod outputs keys in shape
 * order, and codegen writes the retired entries it parsed back out, so this order is the file's order.
 */
import { z } from 'zod';
import { FEATURE_TYPES } from '../feature-types.ts';
import { SCALAR_TYPES, type FieldType } from '../field-types.ts';

/** 2: `writerSchemas` per feature and `retiredFeatures` (format 1 had neither). */
export const MANIFEST_FORMAT_VERSION = 2;
/**
 * Formats a manifest may have and still parse: codegen reads a format-1 manifest as its baseline and
 * rebuilds the writer schemas it lacks; the runtime needs those and asks for MANIFEST_FORMAT_VERSION.
 */
export const READABLE_MANIFEST_FORMATS = [1, MANIFEST_FORMAT_VERSION] as const;
export type ManifestFormat = (typeof READABLE_MANIFEST_FORMATS)[number];

export const MANIFEST_FORMAT_ERRORS = {
  unreadable: `unsupported manifest formatVersion: this featurestore reads format ${MANIFEST_FORMAT_VERSION}; regenerate with the matching featurestore codegen`,
  notCurrent: `unsupported manifest formatVersion: this runtime reads format ${MANIFEST_FORMAT_VERSION}; regenerate with the matching featurestore codegen`,
} as const;

const scalar = z.enum(SCALAR_TYPES);

const fieldType = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('scalar'), scalar }),
  z.object({ kind: z.literal('list'), element: scalar }),
]) satisfies z.ZodType<FieldType>;

const defaultScalar = z.union([z.string(), z.number(), z.boolean()]);

const manifestField = z.object({
  name: z.string().min(1),
  tsName: z.string().min(1),
  type: fieldType,
  description: z.string(),
  isKey: z.boolean(),
  isEventTime: z.boolean(),
  nullable: z.boolean(),
  /** Absent when the YAML gives none; Long and Timestamp as decimal text, Bytes as base64 (see the IR). */
  defaultValue: z.union([defaultScalar, z.null(), z.array(defaultScalar).readonly()]).optional(),
});

const access = z.object({ read: z.array(z.string()).readonly(), write: z.array(z.string()).readonly() });

/** Decimal text of a signed 64-bit integer (fingerprints are kept as text: JSON numbers would round). */
const int64Text = z.string().regex(/^-?\d{1,20}$/, 'expected a signed 64-bit integer as decimal text');

const positiveInt = z.number().int().positive();

/** Every property of a feature entry, in file order; the feature type's own three are refined below. */
const featureShape = {
  version: positiveInt,
  /** The definition file, relative to the project root. */
  source: z.string(),
  /** Writer-schema id (signed 64-bit, decimal) of the current value schema. */
  avroFingerprint: int64Text,
  /** Hash of the entry's IR: equal hashes mean nothing but source positions changed. */
  inputHash: z.string(),
  fullName: z.string().min(1),
  namespace: z.string().min(1),
  name: z.string().min(1),
  tableName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a plain table identifier'),
  tsNamespace: z.string().min(1),
  tsName: z.string().min(1),
  tsTypeName: z.string().min(1),
  avroName: z.string().min(1),
  featureType: z.enum(FEATURE_TYPES),
  owner: z.string(),
  description: z.string(),
  keyFields: z.array(z.string()).min(1).readonly(),
  eventTimeField: z.string().min(1).nullable(),
  /** History only: events kept and served per key; null = unbounded (and always null for Object). */
  maxEvents: positiveInt.nullable(),
  /** `shards`: parallel upsync tasks per run; absent in manifests written before it existed (= 1). */
  upsync: z.object({ enabled: z.boolean(), incrementalUpdate: z.boolean(), schedule: z.string().nullable(), shards: positiveInt.default(1) }),
  downsync: z.object({ enabled: z.boolean(), minIntervalByKeyMs: z.number().int().nonnegative(), randomSamplingRatio: z.number().positive().max(1) }),
  retentionMs: z.number().int().nonnegative().nullable(),
  cacheTtlMs: positiveInt.nullable(),
  access,
  fields: z.array(manifestField).min(1).readonly(),
  /**
   * Every value schema this feature version has had: fingerprint → schema JSON *text* (JSON.parse of an
   * embedded object would round 64-bit defaults). Rows written under any of them must still decode, so
   * none is ever dropped. Absent only in manifests from a codegen that predates it (format 1).
   */
  writerSchemas: z.record(int64Text, z.string()).optional(),
};

// Overriding a property of the shape keeps its position, so both variants keep the file order.
const objectFeature = z.object({ ...featureShape, featureType: z.literal('Object'), eventTimeField: z.null(), maxEvents: z.null() });
const historyFeature = z.object({ ...featureShape, featureType: z.literal('History'), eventTimeField: z.string().min(1) });

/** A feature entry: discriminated on `featureType`; a History entry always names its event-time field. */
const manifestFeature = z.discriminatedUnion('featureType', [objectFeature, historyFeature]);

/**
 * A consumer as the manifest lists it (`project.consumers`). `apiKeysEnv` names the environment variable
 * with its Read API keys (never the keys). It was added without a format bump: readers that predate it
 * ignore it, and a manifest from a codegen that predates it (the property absent) still loads; only
 * `featurestore serve`, which needs it, then asks for a fresh codegen.
 */
const manifestConsumer = z.object({
  name: z.string().min(1),
  description: z.string(),
  cassandraRole: z.string().min(1),
  bigqueryMember: z.string().nullable(),
  apiKeysEnv: z.string().min(1).nullable().optional(),
});

const manifestProject = z.object({
  cassandra: z.object({ keyspace: z.string().min(1), replicationFactor: positiveInt }),
  bigquery: z.object({ project: z.string().min(1), dataset: z.string().min(1), location: z.string().min(1) }),
  kafka: z.object({ topic: z.string().min(1) }),
  consumers: z.array(manifestConsumer).readonly(),
});

export const manifestSchema = z.object({
  /** The do-not-edit notice. */
  $comment: z.string().optional(),
  formatVersion: z.literal(READABLE_MANIFEST_FORMATS, { error: MANIFEST_FORMAT_ERRORS.unreadable }),
  project: manifestProject,
  features: z.record(z.string(), manifestFeature),
  /** Features removed from the definitions: their names stay reserved and their writer schemas kept. Format 2. */
  retiredFeatures: z.record(z.string(), manifestFeature).optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestProject = z.infer<typeof manifestProject>;
export type ManifestConsumer = z.infer<typeof manifestConsumer>;
export type ManifestFeature = z.infer<typeof manifestFeature>;
export type ObjectManifestFeature = z.infer<typeof objectFeature>;
export type HistoryManifestFeature = z.infer<typeof historyFeature>;
export type ManifestField = z.infer<typeof manifestField>;
export type ManifestAccess = z.infer<typeof access>;
