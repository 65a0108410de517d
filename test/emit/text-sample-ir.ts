/**
 * Hand-built IR for the emitter tests (no YAML, no validator): every field type, nullable fields,
 * exact 64-bit defaults, a composite key, a History feature, reserved-word field names, features with
 * and without each option, and consumers with and without a BigQuery member.
 */
import type { FieldType, ScalarType } from '../../core/field-types.ts';
import type { ConsumerIR, DefaultValue, FeatureIR, FieldIR, IR, ObjectFeatureIR } from '../../generator/ir/types.ts';
import { featureKind, type LooseFeatureKind } from '../helpers/feature-kind.ts';

const scalar = (s: ScalarType): FieldType => ({ kind: 'scalar', scalar: s });
const list = (s: ScalarType): FieldType => ({ kind: 'list', element: s });

const camel = (name: string): string => name.replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (name: string): string => camel(name.replace(/-/g, '_')).replace(/^[a-z]/, (c) => c.toUpperCase());

interface FieldOptions {
  key?: boolean;
  eventTime?: boolean;
  nullable?: boolean;
  default?: DefaultValue;
  description?: string;
}

let line = 1;
function field(file: string, name: string, type: FieldType, o: FieldOptions = {}): FieldIR {
  return {
    name,
    tsName: camel(name),
    type,
    description: o.description ?? '',
    isKey: o.key ?? false,
    isEventTime: o.eventTime ?? false,
    nullable: o.nullable ?? false,
    ...(o.default !== undefined ? { defaultValue: o.default } : {}),
    location: { file, line: line++, column: 5 },
  };
}

type FeatureOptions = Partial<Omit<ObjectFeatureIR, 'fullName' | 'namespace' | 'name' | 'version' | 'fields' | keyof LooseFeatureKind>> & LooseFeatureKind;

export function feature(
  namespace: string,
  name: string,
  version: number,
  fields: readonly FieldIR[],
  o: FeatureOptions = {},
): FeatureIR {
  const { featureType: _t, eventTimeField: _e, maxEvents: _m, ...rest } = o;
  const tableName = `${namespace}__${name}_v${version}`.replace(/-/g, '_');
  return {
    fullName: `${namespace}::${name}-v${version}`,
    namespace,
    name,
    version,
    tableName,
    tsNamespace: camel(namespace.replace(/-/g, '_')),
    tsName: camel(`${name}_v${version}`.replace(/-/g, '_')),
    tsTypeName: pascal(`${name}_v${version}`),
    avroName: `featurestore.${namespace.replace(/-/g, '_')}.${pascal(`${name}_v${version}`)}`,
    owner: 'shawn.s',
    description: '',
    fields,
    keyFields: fields.filter((f) => f.isKey).map((f) => f.name),
    upsync: { enabled: false, incrementalUpdate: false, schedule: null, shards: 1 },
    downsync: { enabled: false, minIntervalByKeyMs: 0, randomSamplingRatio: 1 },
    retentionMs: null,
    cacheTtlMs: null,
    access: { read: [], write: [] },
    location: { file: `features/${namespace}.yaml`, line: 1, column: 1 },
    ...rest,
    ...featureKind(o),
  };
}

const LIVE = 'features/live.yaml';
const AZAR = 'features/azar-match.yaml';
const DAY_MS = 86_400_000;

/** Object feature with a Text key and one field of every type. */
export const hostStat = feature(
  'live',
  'host-stat',
  1,
  [
    field(LIVE, 'user_id', scalar('Text'), { key: true, description: 'The host.' }),
    field(LIVE, 'gender', scalar('Text'), { default: 'MALE', description: "Host's gender, \"MALE\" or \"FEMALE\"." }),
    field(LIVE, 'level', scalar('Long'), { default: '9223372036854775807' }),
    field(LIVE, 'age', scalar('Int'), { default: 30 }),
    field(LIVE, 'score', scalar('Double'), { default: 0.5 }),
    field(LIVE, 'ratio', scalar('Float'), { nullable: true }),
    field(LIVE, 'is_vip', scalar('Boolean'), { default: false }),
    field(LIVE, 'last_seen', scalar('Timestamp'), { default: '1700000000000' }),
    field(LIVE, 'avatar', scalar('Bytes'), { default: 'AP8Ad2hvIlw=' }),
    field(LIVE, 'tags', list('Text'), { default: ['a', 'b'] }),
    field(LIVE, 'embedding', list('Float'), { nullable: true }),
    field(LIVE, 'visits', list('Long'), { default: ['-9223372036854775808', '1'] }),
  ],
  {
    description: "Host statistics, updated daily. It's Bob's.",
    upsync: { enabled: true, incrementalUpdate: true, schedule: '@daily', shards: 1 },
    cacheTtlMs: 60_000,
    access: { read: ['notebook', 'ranker'], write: ['ranker'] },
    location: { file: LIVE, line: 1, column: 1 },
  },
);

/** Object feature with a composite key (Long + Text) whose names are reserved words. */
export const pairStat = feature(
  'azar-match',
  'pair-stat',
  2,
  [
    field(AZAR, 'select', scalar('Long'), { key: true }),
    field(AZAR, 'key', scalar('Text'), { key: true }),
    field(AZAR, 'from', scalar('Long'), { nullable: true }),
    field(AZAR, 'def', scalar('Boolean'), { default: true }),
    field(AZAR, 'class', scalar('Text'), { nullable: true, default: 'x' }),
    field(AZAR, 'userName', scalar('Text'), { nullable: true, default: null }),
  ],
  {
    owner: 'Ray.L@Example.com',
    upsync: { enabled: true, incrementalUpdate: false, schedule: '@daily', shards: 1 },
    retentionMs: 7 * DAY_MS,
    location: { file: AZAR, line: 1, column: 1 },
  },
);

/** History feature: event-time field `order`, 100 events, 30 days. */
export const richHistory = feature(
  'azar-match',
  'rich-history',
  1,
  [
    field(AZAR, 'user_id', scalar('Long'), { key: true }),
    field(AZAR, 'order', scalar('Timestamp'), { eventTime: true, description: 'When it happened.' }),
    field(AZAR, 'user_gender', scalar('Text'), { default: '' }),
    field(AZAR, 'score', scalar('Double'), { nullable: true }),
  ],
  {
    featureType: 'History',
    owner: 'ray.l',
    description: 'Match history.\nNewest first.',
    eventTimeField: 'order',
    maxEvents: 100,
    retentionMs: 30 * DAY_MS,
    upsync: { enabled: true, incrementalUpdate: true, schedule: '0 */6 * * *', shards: 1 },
    downsync: { enabled: true, minIntervalByKeyMs: 60_000, randomSamplingRatio: 0.9 },
    access: { read: ['notebook'], write: [] },
    location: { file: AZAR, line: 40, column: 1 },
  },
);

/** No upsync, downsync, retention, cache or access; five keys (CLUSTER BY keeps four). */
export const noSync = feature('live', 'no-sync', 1, [
  field(LIVE, 'a', scalar('Text'), { key: true }),
  field(LIVE, 'b', scalar('Long'), { key: true }),
  field(LIVE, 'c', scalar('Int'), { key: true }),
  field(LIVE, 'd', scalar('Boolean'), { key: true }),
  field(LIVE, 'e', scalar('Timestamp'), { key: true }),
  field(LIVE, 'v', scalar('Text')),
]);

export const consumers: readonly ConsumerIR[] = [
  { name: 'auditor', description: 'Reads nothing yet.', cassandraRole: 'auditor', bigqueryMember: 'group:audit@example.com', apiKeysEnv: null },
  { name: 'notebook', description: 'Data science notebooks.', cassandraRole: 'NoteBook', bigqueryMember: null, apiKeysEnv: null },
  {
    name: 'ranker',
    description: 'Ranking service.',
    cassandraRole: 'ranker',
    bigqueryMember: 'serviceAccount:ranker@acme-ml.iam.gserviceaccount.com',
    apiKeysEnv: 'FS_KEYS_RANKER',
  },
];

export function sampleIr(features: readonly FeatureIR[] = [pairStat, richHistory, hostStat, noSync]): IR {
  return {
    project: {
      cassandra: { keyspace: 'featurestore', replicationFactor: 3 },
      bigquery: { project: 'acme-ml', dataset: 'featurestore', location: 'US' },
      kafka: { topic: 'featurestore.commands' },
      consumers,
    },
    features: [...features].sort((a, b) => (a.fullName < b.fullName ? -1 : 1)),
  };
}

/** `n` synthetic features over ten namespaces, a quarter History, half with upsync, for timing. */
export function syntheticIr(n: number): IR {
  const features: FeatureIR[] = [];
  const types: ScalarType[] = ['Text', 'Long', 'Int', 'Double', 'Float', 'Boolean', 'Timestamp', 'Bytes'];
  for (let i = 0; i < n; i++) {
    const ns = `ns${i % 10}`;
    const file = `features/${ns}.yaml`;
    const history = i % 4 === 0;
    const fields = [
      field(file, 'user_id', scalar('Long'), { key: true }),
      ...(history ? [field(file, 'event_time', scalar('Timestamp'), { eventTime: true })] : []),
      ...types.map((t, j) => field(file, `f_${j}`, scalar(t), { nullable: j % 2 === 0 })),
      field(file, 'select', list('Text'), { default: [] }),
    ];
    features.push(
      feature(ns, `feature-${i}`, 1 + (i % 3), fields, {
        featureType: history ? 'History' : 'Object',
        eventTimeField: history ? 'event_time' : null,
        maxEvents: history ? 50 : null,
        retentionMs: i % 3 === 0 ? 14 * DAY_MS : null,
        upsync: { enabled: i % 2 === 0, incrementalUpdate: i % 4 === 0, schedule: i % 6 === 0 ? '@hourly' : '@daily', shards: i % 10 === 0 ? 4 : 1 },
        access: { read: ['notebook', 'ranker'], write: i % 5 === 0 ? ['ranker'] : [] },
        location: { file, line: i + 1, column: 1 },
      }),
    );
  }
  return sampleIr(features);
}
