/**
 * Fields by role. The field rules only compare plain value fields; a field that becomes or stops being a
 * key or the event time is the business of KEY_FIELDS_CHANGED / EVENT_TIME_FIELD_CHANGED, so one change
 * is reported once.
 */
import type { FeatureIR, FieldIR } from '../../ir/types.ts';
import type { ManifestFeature, ManifestField } from '../../../core/manifest/manifest-schema.ts';

function isPlainValue(field: ManifestField): boolean {
  return !field.isKey && !field.isEventTime;
}

export interface FieldPair {
  readonly before: ManifestField;
  readonly after: FieldIR;
}

/** Plain value fields present on both sides, in the new declaration order. */
export function keptValueFields(before: ManifestFeature, after: FeatureIR): FieldPair[] {
  const old = new Map(before.fields.map((f) => [f.name, f]));
  const pairs: FieldPair[] = [];
  for (const field of after.fields) {
    const previous = old.get(field.name);
    if (previous && isPlainValue(previous) && isPlainValue(field)) pairs.push({ before: previous, after: field });
  }
  return pairs;
}

/** Plain value fields of the previous version that are gone altogether. */
export function removedValueFields(before: ManifestFeature, after: FeatureIR): ManifestField[] {
  const now = new Set(after.fields.map((f) => f.name));
  return before.fields.filter((f) => isPlainValue(f) && !now.has(f.name));
}

/** Plain value fields that did not exist in the previous version. */
export function addedValueFields(before: ManifestFeature, after: FeatureIR): FieldIR[] {
  const old = new Set(before.fields.map((f) => f.name));
  return after.fields.filter((f) => isPlainValue(f) && !old.has(f.name));
}
