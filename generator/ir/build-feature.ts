/** One feature: YAML spec (already shape-checked by zod) → FeatureIR, with every cross-field rule. */
import { CronExpressionParser } from 'cron-parser';
import { didYouMean } from '../diagnostics.ts';
import type { FeatureSpec } from '../spec/feature-spec.ts';
import { parseDuration } from '../spec/duration.ts';
import { avroNameOf, camelCase, MAX_TABLE_NAME_LENGTH, pascalCase, tableNameOf } from '../../core/naming.ts';
import { FEATURE_NAME_PATTERN } from '../spec/names.ts';
import { buildFields, suggestKey } from './build-fields.ts';
import type { FeatureReporter } from './reporter.ts';
import type { AccessIR, FeatureIR, FeatureKind } from './types.ts';

/** Cassandra's longest TTL: 20 years. */
const MAX_RETENTION_MS = 630_720_000_000;
const CRON_PRESETS = ['@once', '@continuous', '@hourly', '@daily', '@weekly', '@monthly', '@quarterly', '@yearly'];

export interface BuildOptions {
  /** Some fields failed the shape check and were set aside: do not report what seems missing. */
  readonly partial?: boolean;
}

export function buildFeature(
  fullName: string,
  spec: FeatureSpec,
  consumers: ReadonlySet<string>,
  r: FeatureReporter,
  options: BuildOptions = {},
): FeatureIR | undefined {
  const m = FEATURE_NAME_PATTERN.exec(fullName);
  if (!m) throw new Error(`internal: ${fullName} was not name-checked`);
  const [, namespace = '', name = '', versionText = '1'] = m;
  const version = Number(versionText);
  const tableName = tableNameOf(namespace, name, version);
  if (tableName.length > MAX_TABLE_NAME_LENGTH) {
    r.error([], `table name "${tableName}" is ${tableName.length} characters; Cassandra allows ${MAX_TABLE_NAME_LENGTH}`, 'shorten the namespace or the name', 'key');
  }

  const fields = buildFields(spec, r, options.partial);
  const keys = fields.filter((f) => f.isKey);
  if (keys.length === 0 && !options.partial) {
    const guess = suggestKey(spec);
    r.error(['schema'], 'no key field: every feature needs at least one field with is_key_field: true', guess ? `mark ${guess} with is_key_field: true` : 'add a key field such as user_id', 'key');
  }
  const eventTimes = fields.filter((f) => f.isEventTime);
  const isHistory = spec.feature_type === 'History';
  if (isHistory && eventTimes.length === 0 && !options.partial) {
    r.error(['schema'], 'a History feature needs one Timestamp field with is_event_time: true', 'add e.g. event_time: { type: Timestamp, is_event_time: true }', 'key');
  }
  for (const extra of eventTimes.slice(1)) {
    r.error(['schema', extra.name, 'is_event_time'], `only one field may be the event time; "${eventTimes[0]?.name}" already is`);
  }
  if (!isHistory && spec.history && !options.partial) r.error(['history'], 'history options are only for History features', 'remove history:, or set feature_type: History', 'key');

  const retentionMs = positiveDuration(spec.retention, ['retention'], r);
  if (retentionMs !== null && retentionMs > MAX_RETENTION_MS) r.error(['retention'], 'retention is longer than 20 years, the longest TTL Cassandra allows', 'use at most 7300d, or omit retention to keep forever');
  if (retentionMs !== null && retentionMs % 1000 !== 0) r.error(['retention'], 'retention must be whole seconds (it becomes a Cassandra TTL)', 'e.g. 30s or 30d');
  const cacheTtlMs = positiveDuration(spec.cache?.ttl, ['cache', 'ttl'], r);
  const minInterval = positiveDuration(spec.downsync?.min_interval_by_key, ['downsync', 'min_interval_by_key'], r);
  const ratio = spec.downsync?.random_sampling_ratio ?? 1;
  if (!(ratio > 0 && ratio <= 1)) {
    r.error(['downsync', 'random_sampling_ratio'], `random_sampling_ratio must be in (0, 1]; got ${ratio}`, '1 samples every update, 0.1 one in ten');
  }
  const schedule = spec.upsync?.schedule ?? null;
  const scheduleError = schedule === null ? undefined : scheduleProblem(schedule);
  if (scheduleError !== undefined) {
    r.error(['upsync', 'schedule'], `schedule "${schedule}" is neither a cron expression nor an Airflow preset (${scheduleError})`, `e.g. "0 3 * * *" or one of ${CRON_PRESETS.join(', ')}`);
  }

  const eventTimeField = eventTimes[0]?.name;
  // A History feature without its event time is reported above and cannot be represented: the caller
  // then has errors and no IR, so nothing is lost but the checks that need the whole feature.
  if (isHistory && eventTimeField === undefined) return undefined;
  const kind: FeatureKind =
    isHistory && eventTimeField !== undefined
      ? { featureType: 'History', eventTimeField, maxEvents: spec.history?.max_events ?? null }
      : { featureType: 'Object', eventTimeField: null, maxEvents: null };
  return {
    fullName,
    namespace,
    name,
    version,
    tableName,
    tsNamespace: camelCase(namespace),
    tsName: camelCase(`${name}-v${version}`),
    tsTypeName: pascalCase(`${name}-v${version}`),
    avroName: avroNameOf(namespace, name, version),
    ...kind,
    owner: spec.owner,
    description: spec.description ?? '',
    fields,
    keyFields: keys.map((f) => f.name),
    upsync: { enabled: spec.upsync?.enabled ?? false, incrementalUpdate: spec.upsync?.incremental_update ?? false, schedule, shards: spec.upsync?.shards ?? 1 },
    downsync: { enabled: spec.downsync?.enabled ?? false, minIntervalByKeyMs: minInterval ?? 0, randomSamplingRatio: ratio },
    retentionMs,
    cacheTtlMs,
    access: buildAccess(spec, consumers, r),
    location: { file: r.source.file, ...r.line([]) },
  };
}

function positiveDuration(text: string | undefined, path: string[], r: FeatureReporter): number | null {
  if (text === undefined) return null;
  const ms = parseDuration(text);
  if (ms === undefined) {
    r.error(path, `${path.join('.')} "${text}" is too large`);
    return null;
  }
  if (ms <= 0) {
    r.error(path, `${path.join('.')} must be positive; got "${text}"`, 'omit the option to turn it off');
    return null;
  }
  return ms;
}

/**
 * Airflow takes a preset or a five-field cron expression (croniter). The shape is checked here and
 * the values by cron-parser, so `61 * * * *`, `0 0 31 2 *` and `* * * * foo` are refused at
 * codegen instead of failing when Airflow loads the DAG. Six-field (seconds) cron is refused:
 * croniter and cron-parser disagree on where the seconds go.
 */
function scheduleProblem(text: string): string | undefined {
  if (text.startsWith('@')) return CRON_PRESETS.includes(text) ? undefined : 'unknown preset';
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5) return `a cron expression has 5 fields (minute hour day-of-month month day-of-week), not ${parts.length}`;
  try {
    CronExpressionParser.parse(parts.join(' '), { strict: false });
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function buildAccess(spec: FeatureSpec, consumers: ReadonlySet<string>, r: FeatureReporter): AccessIR {
  const known = [...consumers].sort();
  const list = (mode: 'read' | 'write'): string[] => {
    const names = spec.access?.[mode] ?? [];
    names.forEach((name, i) => {
      if (!consumers.has(name)) {
        const hint = didYouMean(name, known) ?? (known.length ? `known consumers: ${known.join(', ')}` : 'declare consumers in featurestore.yaml under consumers:');
        r.error(['access', mode, i], `unknown consumer "${name}"`, hint);
      } else if (names.indexOf(name) !== i) {
        r.warning(['access', mode, i], `consumer "${name}" is listed twice`, 'remove the repeat');
      }
    });
    return [...new Set(names)].sort();
  };
  return { read: list('read'), write: list('write') };
}
