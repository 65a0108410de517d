/**
 * What changed in a feature version, in words, for the consumer warnings. Descriptions and the owner are
 * left out: they change no client, table or job.
 */
import { typeLabel, type FieldType } from '../../../core/field-types.ts';
import type { DefaultScalar, DefaultValue, FeatureIR, SourceLocation } from '../../ir/types.ts';
import type { ManifestFeature } from '../../../core/manifest/manifest-schema.ts';
import { sameType } from './promotions.ts';

export interface Change {
  readonly location: SourceLocation;
  readonly field?: string;
  /** e.g. `field "level" type Int → Long`. */
  readonly summary: string;
  /**
   * Whom it affects: `client` = the generated client changes (readers must redeploy to see it),
   * `data` = what readers get changes but their client does not, `access` = the ACL changes.
   */
  readonly kind: 'client' | 'data' | 'access';
}

export function featureChanges(before: ManifestFeature, after: FeatureIR): Change[] {
  const out: Change[] = [];
  const add = (summary: string, kind: Change['kind'], location = after.location, field?: string): void => {
    out.push({ location, summary, kind, ...(field ? { field } : {}) });
  };
  if (before.featureType !== after.featureType) add(`feature_type ${before.featureType} → ${after.featureType}`, 'client');
  if (before.keyFields.join() !== after.keyFields.join()) add(`key fields (${before.keyFields.join(', ')}) → (${after.keyFields.join(', ')})`, 'client');
  if (before.eventTimeField !== after.eventTimeField) add(`event-time field ${before.eventTimeField ?? 'none'} → ${after.eventTimeField ?? 'none'}`, 'client');
  if (before.maxEvents !== after.maxEvents) add(`history.max_events ${before.maxEvents ?? 'unbounded'} → ${after.maxEvents ?? 'unbounded'}`, 'client');
  if (before.cacheTtlMs !== after.cacheTtlMs) add(`cache.ttl ${duration(before.cacheTtlMs, 'none')} → ${duration(after.cacheTtlMs, 'none')}`, 'client');
  if (before.retentionMs !== after.retentionMs) add(`retention ${duration(before.retentionMs, 'forever')} → ${duration(after.retentionMs, 'forever')}`, 'data');
  for (const summary of optionChanges('upsync', before.upsync, after.upsync)) add(summary, 'data');
  for (const summary of optionChanges('downsync', before.downsync, after.downsync)) add(summary, 'data');
  for (const mode of ['read', 'write'] as const) {
    const summary = listChange(`access.${mode}`, before.access[mode], after.access[mode]);
    if (summary) add(summary, 'access');
  }

  const old = new Map(before.fields.map((f) => [f.name, f]));
  for (const field of after.fields) {
    const prev = old.get(field.name);
    const at = (summary: string): void => add(`field "${field.name}" ${summary}`, 'client', field.location, field.name);
    if (!prev) {
      // A new key field is already in the key-fields change.
      if (!field.isKey) at(`added (${typeLabel(field.type)}, ${field.nullable ? 'nullable' : field.defaultValue === undefined ? 'no default' : `default ${formatDefault(field.defaultValue, field.type)}`})`);
      continue;
    }
    if (!sameType(prev.type, field.type)) at(`type ${typeLabel(prev.type)} → ${typeLabel(field.type)}`);
    if (prev.nullable !== field.nullable) at(field.nullable ? 'became nullable' : 'is no longer nullable');
    else if (comparableDefault(prev.defaultValue) !== comparableDefault(field.defaultValue)) {
      at(`default ${formatDefault(prev.defaultValue, prev.type)} → ${formatDefault(field.defaultValue, field.type)}`);
    }
  }
  const now = new Set(after.fields.map((f) => f.name));
  for (const prev of before.fields.filter((f) => !now.has(f.name) && !f.isKey)) add(`field "${prev.name}" removed`, 'client', after.location, prev.name);
  return out;
}

/** Long and Timestamp defaults are decimal strings in the IR (exactness), but numbers to the reader. */
function formatDefault(value: DefaultValue | undefined, type?: FieldType): string {
  if (value === undefined) return 'none';
  const scalar = type?.kind === 'list' ? type.element : type?.scalar;
  const integer = scalar === 'Long' || scalar === 'Timestamp';
  const one = (v: DefaultScalar | null): string => (integer && typeof v === 'string' ? v : JSON.stringify(v));
  return Array.isArray(value) ? `[${value.map(one).join(', ')}]` : one(value as DefaultScalar | null);
}

/**
 * Int defaults are numbers and Long defaults decimal strings in the IR, so 0 and "0" are the same default
 * after Int → Long. (Text "0" vs Int 0 compares equal too, but that change is reported as a type change.)
 */
function comparableDefault(value: DefaultValue | undefined): string {
  if (value === undefined) return 'undefined';
  return Array.isArray(value) ? JSON.stringify(value.map(String)) : String(value);
}

function optionChanges(prefix: string, before: object, after: object): string[] {
  const b = before as Readonly<Record<string, unknown>>;
  const a = after as Readonly<Record<string, unknown>>;
  return Object.keys(a)
    .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .map((k) => `${prefix}.${k} ${JSON.stringify(b[k]) ?? 'unset'} → ${JSON.stringify(a[k])}`);
}

function listChange(label: string, before: readonly string[], after: readonly string[]): string | undefined {
  const added = after.filter((c) => !before.includes(c));
  const removed = before.filter((c) => !after.includes(c));
  if (added.length === 0 && removed.length === 0) return undefined;
  const parts = [...(added.length ? [`adds ${added.join(', ')}`] : []), ...(removed.length ? [`removes ${removed.join(', ')}`] : [])];
  return `${label} ${parts.join(' and ')}`;
}

const UNITS: readonly [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'm'],
  [1000, 's'],
];

/** Milliseconds in the largest whole unit, the way the YAML writes durations. */
export function duration(ms: number | null, none: string): string {
  if (ms === null) return none;
  const unit = UNITS.find(([size]) => ms % size === 0);
  return unit ? `${ms / unit[0]}${unit[1]}` : `${ms}ms`;
}
