/** Rules about the value fields of one feature version: what stored rows and deployed clients rely on. */
import { typeLabel, type FieldType } from '../../../core/field-types.ts';
import { addedValueFields, keptValueFields, removedValueFields } from './field-roles.ts';
import { isAllowedTypeChange } from './promotions.ts';
import type { EvolutionRule } from './rule.ts';

export const FIELD_REMOVED_WITHOUT_DEFAULT: EvolutionRule = {
  id: 'FIELD_REMOVED_WITHOUT_DEFAULT',
  purpose: 'A removed field had no default_value: clients generated before the change have no value to fill in and cannot decode new rows.',
  severity: 'error',
  check: (before, after) =>
    removedValueFields(before, after)
      .filter((f) => f.defaultValue === undefined)
      .map((f) => ({
        // The field is gone from the YAML: point at the feature.
        location: after.location,
        field: f.name,
        message: `field "${f.name}" was removed but had no default_value: clients generated before this change cannot decode values written without it`,
        alternative: `first give "${f.name}" a default_value and redeploy its readers, then remove it`,
      })),
};

export const FIELD_ADDED_WITHOUT_DEFAULT: EvolutionRule = {
  id: 'FIELD_ADDED_WITHOUT_DEFAULT',
  purpose: 'A new field has no default_value and is not nullable: values already stored lack it, so they can no longer be decoded.',
  severity: 'error',
  check: (before, after) =>
    addedValueFields(before, after)
      .filter((f) => f.defaultValue === undefined)
      .map((f) => ({
        location: f.location,
        field: f.name,
        message: `new field "${f.name}" has no default_value and is not nullable: values already stored lack it and could not be decoded`,
        alternative: `give "${f.name}" a default_value or nullable: true`,
      })),
};

export const FIELD_TYPE_CHANGED: EvolutionRule = {
  id: 'FIELD_TYPE_CHANGED',
  purpose: 'A field changed type beyond the widenings Avro resolves (Int → Long → Float → Double; in lists Int → Long, Float → Double): stored values cannot be read as the new type.',
  severity: 'error',
  check: (before, after) =>
    keptValueFields(before, after)
      .filter((p) => !isAllowedTypeChange(p.before.type, p.after.type))
      .map((p) => ({
        location: p.after.location,
        field: p.after.name,
        message: `field "${p.after.name}" changed type ${typeLabel(p.before.type)} → ${typeLabel(p.after.type)}: ${whyNot(p.before.type, p.after.type)}`,
        alternative: `keep "${p.after.name}" and add a new field of the new type with a default_value`,
      })),
};

function whyNot(from: FieldType, to: FieldType): string {
  if (from.kind === 'list' && to.kind === 'list' && isAllowedTypeChange({ kind: 'scalar', scalar: from.element }, { kind: 'scalar', scalar: to.element })) {
    return 'Avro would resolve it, but the offline (BigQuery) column cannot change from ARRAY<INT64> to ARRAY<FLOAT64> (inside lists only Int → Long and Float → Double)';
  }
  return `values stored as ${typeLabel(from)} cannot be read as ${typeLabel(to)} (only Int → Long → Float → Double widening is allowed)`;
}

export const FIELD_DEFAULT_REMOVED: EvolutionRule = {
  id: 'FIELD_DEFAULT_REMOVED',
  purpose: 'A field lost its default_value: writers that omit it now fail, and rows written before the field existed can no longer be decoded.',
  severity: 'error',
  check: (before, after) =>
    keptValueFields(before, after)
      // A nullable field always defaults to null; losing nullable is FIELD_NULLABILITY_TIGHTENED.
      .filter((p) => !p.before.nullable && p.before.defaultValue !== undefined && p.after.defaultValue === undefined)
      .map((p) => ({
        location: p.after.location,
        field: p.after.name,
        message: `field "${p.after.name}" lost its default_value ${JSON.stringify(p.before.defaultValue)}: writers that omit it would fail, and rows written before "${p.after.name}" existed could not be decoded`,
        alternative: `restore default_value on "${p.after.name}"`,
      })),
};

export const FIELD_NULLABILITY_TIGHTENED: EvolutionRule = {
  id: 'FIELD_NULLABILITY_TIGHTENED',
  purpose: 'A nullable field became required: null values already stored cannot be decoded, and writers that send null fail.',
  severity: 'error',
  check: (before, after) =>
    keptValueFields(before, after)
      .filter((p) => p.before.nullable && !p.after.nullable)
      .map((p) => ({
        location: p.after.location,
        field: p.after.name,
        message: `field "${p.after.name}" is no longer nullable: null values already stored could not be decoded`,
        alternative: `keep nullable: true on "${p.after.name}"`,
      })),
};

export const FIELD_RULES: readonly EvolutionRule[] = [
  FIELD_REMOVED_WITHOUT_DEFAULT,
  FIELD_ADDED_WITHOUT_DEFAULT,
  FIELD_TYPE_CHANGED,
  FIELD_DEFAULT_REMOVED,
  FIELD_NULLABILITY_TIGHTENED,
];
