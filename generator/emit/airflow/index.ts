/**
 * Airflow emitter: one upsync DAG stub per (namespace, schedule) of the features with upsync enabled.
 * Users only write the transform SQL; the DAG wiring is generated (talk §4.3.2).
 */
import { createHash } from 'node:crypto';
import type { FeatureIR, IR } from '../../ir/types.ts';
import type { FileMap } from '../../write/file-map.ts';
import { preamble } from '../../write/preamble.ts';
import { pyIdent } from '../identifiers.ts';
import { render } from '../render.ts';

export interface UpsyncGroup {
  readonly namespace: string;
  readonly schedule: string | null;
  /** `''` when the namespace has one schedule; otherwise a slug of the schedule, stable across runs. */
  readonly suffix: string;
  readonly features: readonly FeatureIR[];
}

/** `@daily` → `daily`, `0 0,12 * * *` → `cron_0_0_12_x_x_x`, null → `manual`. */
function scheduleSlug(schedule: string | null): string {
  if (schedule === null) return 'manual';
  if (schedule.startsWith('@')) return schedule.slice(1).toLowerCase().replace(/[^a-z0-9]+/g, '_');
  const slug = schedule.replace(/\*/g, 'x').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
  return `cron_${slug}`;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/**
 * Groups by namespace, then schedule. A suffix appears only when one namespace has several
 * schedules, so the common case keeps the plain `featurestore_upsync__<namespace>` id (note: giving a
 * namespace a second schedule therefore renames its DAG). The suffix comes from the schedule, not a
 * position, so adding a schedule never renames the others; slugs that clash get a hash.
 */
export function upsyncGroups(ir: IR): UpsyncGroup[] {
  const byNamespace = new Map<string, Map<string | null, FeatureIR[]>>();
  for (const feature of ir.features) {
    if (!feature.upsync.enabled) continue;
    const bySchedule = byNamespace.get(feature.namespace) ?? new Map<string | null, FeatureIR[]>();
    byNamespace.set(feature.namespace, bySchedule);
    const list = bySchedule.get(feature.upsync.schedule) ?? [];
    bySchedule.set(feature.upsync.schedule, list);
    list.push(feature);
  }
  const groups: UpsyncGroup[] = [];
  for (const namespace of [...byNamespace.keys()].sort()) {
    const bySchedule = byNamespace.get(namespace) ?? new Map<string | null, FeatureIR[]>();
    const schedules = [...bySchedule.keys()];
    const slugs = schedules.map(scheduleSlug);
    const suffixes = schedules.map((schedule, i) => {
      if (schedules.length === 1) return '';
      const slug = slugs[i] ?? '';
      return slugs.filter((s) => s === slug).length > 1 ? `${slug}_${shortHash(schedule ?? '')}` : slug;
    });
    schedules
      .map((schedule, i) => ({ namespace, schedule, suffix: suffixes[i] ?? '', features: bySchedule.get(schedule) ?? [] }))
      .sort((a, b) => (a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0))
      .forEach((g) => groups.push(g));
  }
  return groups;
}

/** Namespaces may contain `-`, which a Python module name cannot. */
function fileStem(group: UpsyncGroup): string {
  const ns = group.namespace.replace(/[^A-Za-z0-9_]/g, '_');
  return group.suffix === '' ? `${ns}_upsync` : `${ns}_upsync_${group.suffix}`;
}

export function dagId(group: UpsyncGroup): string {
  return group.suffix === '' ? `featurestore_upsync__${group.namespace}` : `featurestore_upsync__${group.namespace}__${group.suffix}`;
}

interface UpsyncTask {
  readonly varName: string;
  readonly taskId: string;
  readonly features: readonly string[];
  readonly incremental: 'True' | 'False';
  /** > 1: one mapped task instance per shard (`.partial(...).expand(shard=...)`). */
  readonly shards: number;
  readonly sharded: boolean;
}

/**
 * The operator takes one `incremental` flag and one `--shard i/n`, so features are grouped by (mode,
 * shard count), incremental first, then by shard count. Ids stay `featurestore_upsync` for the common
 * single group; a part is added only where it tells two tasks apart (`_incremental`/`_full` when both
 * modes exist, `_<n>_shards` when one mode has several shard counts), so adding a group renames
 * only the tasks it could be confused with.
 */
function upsyncTasks(features: readonly FeatureIR[]): UpsyncTask[] {
  const groups = new Map<string, { incremental: boolean; shards: number; features: string[] }>();
  for (const f of features) {
    const key = `${f.upsync.incrementalUpdate ? 0 : 1}/${String(f.upsync.shards).padStart(5, '0')}`;
    const group = groups.get(key) ?? { incremental: f.upsync.incrementalUpdate, shards: f.upsync.shards, features: [] };
    groups.set(key, group);
    group.features.push(f.fullName);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  const bothModes = new Set(ordered.map((g) => g.incremental)).size > 1;
  return ordered.map((g) => {
    const mode = bothModes ? (g.incremental ? '_incremental' : '_full') : '';
    const sameMode = ordered.filter((o) => o.incremental === g.incremental).length > 1;
    const part = `${mode}${sameMode ? `_${g.shards}_shards` : ''}`;
    return { varName: `upsync${part}`, taskId: `featurestore_upsync${part}`, features: g.features, incremental: g.incremental ? 'True' : 'False', shards: g.shards, sharded: g.shards > 1 };
  });
}

function dagView(ir: IR, group: UpsyncGroup) {
  const { project, dataset, location } = ir.project.bigquery;
  const features = group.features;
  return {
    preamble: preamble('hash', features.map((f) => f.location.file)),
    namespace: group.namespace,
    dagId: dagId(group),
    schedule: group.schedule,
    owners: [...new Set(features.map((f) => f.owner))].sort().join(', '),
    tags: ['featurestore', 'upsync', group.namespace],
    project,
    location,
    jinjaTargetTable: '{{ params.target_table }}',
    transforms: features.map((f) => ({
      // `transform_` keeps the name a valid, non-keyword Python identifier whatever the table is called.
      varName: pyIdent(`transform_${f.tableName}`),
      taskId: `transform_${f.tableName}`,
      fullName: f.fullName,
      sqlFile: `${f.tableName}.sql`,
      include: `{% include '${f.tableName}.sql' %}`,
      targetTable: `${project}.${dataset}.${f.tableName}`,
    })),
    upsyncs: upsyncTasks(features),
  };
}

/** `airflow/<namespace_with_underscores>_upsync[_<schedule>].py`. */
export function emitAirflow(ir: IR): FileMap {
  const files = new Map<string, string>();
  for (const group of upsyncGroups(ir)) {
    const path = `airflow/${fileStem(group)}.py`;
    if (files.has(path)) {
      throw new Error(`internal: namespaces that differ only in '-' vs '_' both map to ${path}`);
    }
    files.set(path, render('airflow', 'upsync-dag', dagView(ir, group)));
  }
  return files;
}
