/**
 * The feature definition language, as zod schemas: the single source of truth for which keys
 * exist, their shapes and their documentation. The JSON Schema for editors is derived from it.
 * Cross-field rules (types against defaults, key rules, consumers) live in generator/ir/.
 */
import { z } from 'zod';
import { FEATURE_TYPES } from '../../core/feature-types.ts';
import { SCALAR_TYPES } from '../../core/field-types.ts';
import { DURATION_PATTERN } from './duration.ts';
import { FEATURE_NAME_PATTERN } from './names.ts';

export const FIELD_TYPES = [...SCALAR_TYPES, ...SCALAR_TYPES.map((t) => `List<${t}>` as const)] as const;

const duration = (what: string) =>
  z.string().regex(DURATION_PATTERN).describe(`${what}: an integer and a unit (ms, s, m, h, d), e.g. 30d`);

export const fieldSpec = z
  .strictObject({
    type: z.enum(FIELD_TYPES).describe('Value type: a scalar or List<scalar>'),
    description: z.string().optional().describe('What the field means; copied into every artifact'),
    default_value: z
      .unknown()
      .optional()
      .describe('Value used when a row lacks the field; must match the type (Long: exact integer, Timestamp: ISO-8601, Bytes: base64)'),
    is_key_field: z.boolean().optional().describe('Part of the entity key (the partition key online, clustering key offline)'),
    is_event_time: z.boolean().optional().describe('History features: the Timestamp field that orders events'),
    nullable: z.boolean().optional().describe('The value may be null (Avro ["null", T]); key fields cannot be nullable'),
  })
  .describe('One field of a feature');

export const upsyncSpec = z.strictObject({
  enabled: z.boolean().describe('Synchronise offline (BigQuery) → online store from an Airflow DAG'),
  incremental_update: z.boolean().optional().describe('Copy only rows updated since the last successful run'),
  schedule: z.string().min(1).optional().describe('Airflow schedule: cron expression or preset such as @daily'),
  shards: z
    .int()
    .min(1)
    .max(1024)
    .optional()
    .describe('Parallel upsync tasks (Airflow dynamic task mapping, each `--shard i/n` of the key hash); default 1'),
});

export const downsyncSpec = z.strictObject({
  enabled: z.boolean().describe('Real-time updates through the stream are sampled into the offline store'),
  min_interval_by_key: duration('Minimum time between two sampled rows of one key').optional(),
  random_sampling_ratio: z.number().optional().describe('Probability in (0, 1] that an update is sampled'),
});

export const featureSpec = z
  .strictObject({
    feature_type: z.enum(FEATURE_TYPES).describe('Object: one value per key; History: the last N events per key'),
    owner: z.string().min(1).describe('Who answers for this feature (person or team)'),
    description: z.string().optional(),
    schema: z.record(z.string(), fieldSpec).describe('Fields by name, in order'),
    history: z
      .strictObject({ max_events: z.int().positive().max(100_000).describe('Events kept and served per key') })
      .optional(),
    upsync: upsyncSpec.optional(),
    downsync: downsyncSpec.optional(),
    retention: duration('How long values are kept online (TTL) and offline (partition expiry)').optional(),
    cache: z.strictObject({ ttl: duration('Redis cache time-to-live') }).optional(),
    access: z
      .strictObject({
        read: z.array(z.string()).optional().describe('Consumers allowed to read through the Read API'),
        write: z.array(z.string()).optional().describe('Consumers allowed to write (upsync/downsync producers)'),
      })
      .optional(),
  })
  .describe('A feature definition');

/** A feature file: feature name → definition; several features per file. */
export const featureFileSpec = z.record(z.string().regex(FEATURE_NAME_PATTERN), featureSpec);

export type FieldSpec = z.infer<typeof fieldSpec>;
export type FeatureSpec = z.infer<typeof featureSpec>;

/** Known keys per object kind, for "did you mean" hints on unknown keys. */
export const KNOWN_KEYS = {
  feature: Object.keys(featureSpec.shape),
  field: Object.keys(fieldSpec.shape),
  upsync: Object.keys(upsyncSpec.shape),
  downsync: Object.keys(downsyncSpec.shape),
} as const;
