/**
 * The parts of generated/manifest.json and generated/acl/acl.json the runtime relies on, checked with
 * zod at startup: a manifest from an incompatible codegen fails the deployment with a precise message
 * instead of a TypeError on the first read.
 */
import { z } from 'zod';

export const SUPPORTED_MANIFEST_FORMAT = 2;

const scalar = z.enum(['Text', 'Long', 'Int', 'Double', 'Float', 'Boolean', 'Timestamp', 'Bytes']);

const fieldType = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('scalar'), scalar }),
  z.object({ kind: z.literal('list'), element: scalar }),
]);

const manifestField = z.object({
  name: z.string().min(1),
  tsName: z.string().min(1),
  type: fieldType,
  isKey: z.boolean(),
  isEventTime: z.boolean(),
  nullable: z.boolean(),
});

const access = z.object({ read: z.array(z.string()), write: z.array(z.string()) });

/** Decimal text of a signed 64-bit integer (fingerprints are kept as text: JSON numbers would round). */
const int64Text = z.string().regex(/^-?\d{1,20}$/, 'expected a signed 64-bit integer as decimal text');

const manifestFeature = z.object({
  fullName: z.string().min(1),
  tableName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a plain table identifier'),
  featureType: z.enum(['Object', 'History']),
  fields: z.array(manifestField).min(1),
  keyFields: z.array(z.string()).min(1),
  eventTimeField: z.string().nullable(),
  maxEvents: z.number().int().positive().nullable(),
  retentionMs: z.number().int().nonnegative().nullable(),
  cacheTtlMs: z.number().int().positive().nullable(),
  access,
  avroFingerprint: int64Text,
  writerSchemas: z.record(int64Text, z.string()),
});

/**
 * A consumer as the manifest lists it (`project.consumers`). `apiKeysEnv` names the environment variable
 * with its Read API keys (never the keys). It was added without a format bump: runtimes that predate it
 * ignore it, and a manifest from a codegen that predates it (the field absent) still loads here; only
 * `featurestore serve`, which needs it, then asks for a fresh codegen.
 */
const manifestConsumer = z.object({
  name: z.string().min(1),
  apiKeysEnv: z.string().min(1).nullable().optional(),
});

export const manifestSchema = z.object({
  formatVersion: z.literal(SUPPORTED_MANIFEST_FORMAT, {
    error: `unsupported manifest formatVersion: this runtime reads format ${SUPPORTED_MANIFEST_FORMAT}; regenerate with the matching featurestore codegen`,
  }),
  project: z.object({ cassandra: z.object({ keyspace: z.string().min(1) }), consumers: z.array(manifestConsumer) }),
  features: z.record(z.string(), manifestFeature),
});

export const aclSchema = z.object({
  consumers: z.record(z.string(), access),
  features: z.record(z.string(), access),
});

export type ManifestJson = z.infer<typeof manifestSchema>;
export type ManifestFeatureJson = z.infer<typeof manifestFeature>;
export type ManifestFieldJson = z.infer<typeof manifestField>;
export type ManifestConsumerJson = z.infer<typeof manifestConsumer>;
export type AclJson = z.infer<typeof aclSchema>;
