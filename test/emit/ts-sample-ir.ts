/**
 * Hand-built IR for the TypeScript emitter tests: every field type, nullable fields and defaults
 * (exact 64-bit ones), a composite key, a History feature, reserved-word field names and a `delete`
 * namespace; and a helper writing emitted files where they can import the real runtime/.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { emitTypeScript } from '../../generator/emit/typescript/index.ts';
import type { FieldType, ScalarType } from '../../core/field-types.ts';
import type { DefaultValue, FeatureIR, FieldIR, IR } from '../../generator/ir/types.ts';
import { featureKind, type LooseFeatureKind } from '../helpers/feature-kind.ts';
import type { FileMap } from '../../generator/write/file-map.ts';

const scalar = (s: ScalarType): FieldType => ({ kind: 'scalar', scalar: s });
const list = (s: ScalarType): FieldType => ({ kind: 'list', element: s });
const camel = (name: string): string => name.replace(/[-_]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (name: string): string => camel(name).replace(/^[a-z]/, (c) => c.toUpperCase());

interface FieldOptions {
  readonly key?: boolean;
  readonly eventTime?: boolean;
  readonly nullable?: boolean;
  readonly default?: DefaultValue;
  readonly description?: string;
}

export function field(name: string, type: FieldType, o: FieldOptions = {}): FieldIR {
  return {
    name,
    tsName: camel(name),
    type,
    description: o.description ?? '',
    isKey: o.key ?? false,
    isEventTime: o.eventTime ?? false,
    nullable: o.nullable ?? false,
    ...(o.default !== undefined ? { defaultValue: o.default } : {}),
    location: { file: 'features/sample.yaml', line: 1, column: 1 },
  };
}

export function feature(
  namespace: string,
  name: string,
  fields: readonly FieldIR[],
  o: Partial<Pick<FeatureIR, 'description' | 'cacheTtlMs'>> & LooseFeatureKind = {},
): FeatureIR {
  const version = 1;
  const { featureType: _t, eventTimeField: _e, maxEvents: _m, ...rest } = o;
  return {
    fullName: `${namespace}::${name}-v${version}`,
    namespace,
    name,
    version,
    tableName: `${namespace}__${name}_v${version}`.replace(/-/g, '_'),
    tsNamespace: camel(namespace),
    tsName: camel(`${name}-v${version}`),
    tsTypeName: pascal(`${name}-v${version}`),
    avroName: `featurestore.${namespace.replace(/-/g, '_')}.${pascal(`${name}-v${version}`)}`,
    owner: 'team-live',
    description: '',
    fields,
    keyFields: fields.filter((f) => f.isKey).map((f) => f.name),
    upsync: { enabled: false, incrementalUpdate: false, schedule: null, shards: 1 },
    downsync: { enabled: false, minIntervalByKeyMs: 0, randomSamplingRatio: 1 },
    retentionMs: null,
    cacheTtlMs: 60_000,
    access: { read: [], write: [] },
    location: { file: `features/${namespace}/${name}.yaml`, line: 1, column: 1 },
    ...rest,
    ...featureKind(o),
  };
}

/** Object feature: Text key, one field of every type, nullable fields, defaults. */
export const hostStat = feature(
  'live',
  'hakuna-host-stat',
  [
    field('user_id', scalar('Text'), { key: true, description: 'The host. */ not a comment end' }),
    field('viewer_count', scalar('Long'), { default: '9223372036854775807', description: 'Viewers so far.' }),
    field('gift_count', scalar('Int'), { default: -2147483648 }),
    field('score', scalar('Double'), { default: 0.5 }),
    field('ratio', scalar('Float'), { nullable: true }),
    field('is_live', scalar('Boolean'), { default: false }),
    field('last_seen', scalar('Timestamp'), { nullable: true, default: '1700000000000' }),
    field('avatar', scalar('Bytes'), { default: 'AP8=' }),
    field('tags', list('Text'), { default: ['a', "it's"] }),
    field('embedding', list('Float'), { nullable: true }),
    field('big_ids', list('Long'), { default: ['-9223372036854775808', '1'] }),
  ],
  { description: 'Live host statistics (라이브),\nrefreshed every minute.' },
);

/** Composite key (Long + Text) and reserved-word field names, in the `delete` namespace. */
export const purge = feature('delete', 'purge-request', [
  field('account_id', scalar('Long'), { key: true }),
  field('region', scalar('Text'), { key: true }),
  field('class', scalar('Text'), { nullable: true }),
  field('delete', scalar('Boolean')),
  field('default', scalar('Int'), { default: 7 }),
]);

/** History feature: event-time field, maxEvents. */
export const matchEvents = feature(
  'azar-match',
  'match-event',
  [
    field('user_id', scalar('Text'), { key: true }),
    field('event_time', scalar('Timestamp'), { eventTime: true }),
    field('peer_id', scalar('Long')),
    field('duration_ms', scalar('Int'), { nullable: true }),
  ],
  { featureType: 'History', eventTimeField: 'event_time', maxEvents: 50, cacheTtlMs: null },
);

const PROJECT: IR['project'] = {
  cassandra: { keyspace: 'featurestore', replicationFactor: 1 },
  bigquery: { project: 'p', dataset: 'd', location: 'US' },
  kafka: { topic: 'featurestore.downsync' },
  consumers: [],
};

const byName = (a: FeatureIR, b: FeatureIR) => (a.fullName < b.fullName ? -1 : a.fullName > b.fullName ? 1 : 0);

export const sampleIR: IR = { project: PROJECT, features: [hostStat, purge, matchEvents].sort(byName) };

/**
 * Emits `ir` into `<fresh temp dir>/generated` and returns both paths. The modules import
 * `featurestore/runtime`, which vitest (alias) and tsconfig.json (paths) map to the real runtime/.
 */
export async function writeEmitted(prefix: string, ir: IR): Promise<{ dir: string; out: string; files: FileMap }> {
  await mkdir(path.resolve('.vitest-tmp'), { recursive: true });
  const dir = await mkdtemp(path.join(path.resolve('.vitest-tmp'), `${prefix}-`));
  const out = path.join(dir, 'generated');
  const files = emitTypeScript(ir);
  for (const [rel, content] of files) {
    await mkdir(path.dirname(path.join(out, rel)), { recursive: true });
    await writeFile(path.join(out, rel), content);
  }
  return { dir, out, files };
}
