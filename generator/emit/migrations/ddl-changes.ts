/**
 * What changed between the previous manifest and the new IR that needs DDL: new features, removed
 * features, new fields (BigQuery columns; values are Avro online, so no CQL), retention. Whether a
 * change is *allowed* is the evolution gate's business (generator/plan/evolution); this only lists.
 */
import type { FeatureIR, FieldIR, IR } from '../../ir/types.ts';
import type { Manifest, ManifestFeature } from '../../../core/manifest/manifest-schema.ts';
import { bqType } from '../bigquery/index.ts';

export type DdlChange =
  | { readonly kind: 'feature-added'; readonly feature: FeatureIR }
  | { readonly kind: 'feature-removed'; readonly fullName: string; readonly tableName: string }
  | { readonly kind: 'field-added'; readonly feature: FeatureIR; readonly field: FieldIR }
  /** A widening the evolution gate allows (Int → Double…) that changes the BigQuery column type. */
  | { readonly kind: 'column-type-changed'; readonly feature: FeatureIR; readonly field: FieldIR; readonly before: string }
  | { readonly kind: 'retention-changed'; readonly feature: FeatureIR; readonly beforeMs: number | null };

/** Changes in a stable order: by feature name, then declaration order. Baseline absent = empty. */
export function ddlChanges(baseline: Manifest | undefined, ir: IR): DdlChange[] {
  const before = new Map<string, ManifestFeature>(Object.entries(baseline?.features ?? {}));
  const changes: DdlChange[] = [];
  for (const feature of ir.features) {
    const old = before.get(feature.fullName);
    before.delete(feature.fullName);
    if (!old) {
      changes.push({ kind: 'feature-added', feature });
      continue;
    }
    const oldFields = new Map(old.fields.map((f) => [f.name, f]));
    for (const field of feature.fields) {
      const before = oldFields.get(field.name);
      if (!before) changes.push({ kind: 'field-added', feature, field });
      else if (bqType(before.type) !== bqType(field.type)) changes.push({ kind: 'column-type-changed', feature, field, before: bqType(before.type) });
    }
    if (old.retentionMs !== feature.retentionMs) changes.push({ kind: 'retention-changed', feature, beforeMs: old.retentionMs });
  }
  for (const [fullName, old] of [...before].sort(([a], [b]) => (a < b ? -1 : 1))) {
    changes.push({ kind: 'feature-removed', fullName, tableName: old.tableName });
  }
  return changes;
}

export function describeChange(change: DdlChange): string {
  switch (change.kind) {
    case 'feature-added':
      return `add feature ${change.feature.fullName}`;
    case 'feature-removed':
      return `feature ${change.fullName} removed from features/ (its tables are kept)`;
    case 'field-added':
      return `add field ${change.field.name} to ${change.feature.fullName}`;
    case 'column-type-changed':
      return `widen ${change.field.name} of ${change.feature.fullName}: ${change.before} → ${bqType(change.field.type)}`;
    case 'retention-changed':
      return `retention of ${change.feature.fullName}: ${duration(change.beforeMs)} → ${duration(change.feature.retentionMs)}`;
  }
}

function duration(ms: number | null): string {
  if (ms === null) return 'forever';
  return ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
