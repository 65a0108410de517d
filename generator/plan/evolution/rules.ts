/**
 * Every schema-evolution rule, in the order they are documented (docs/evolution-rules.md). A change to
 * an existing feature version that breaks one of the error rules needs a new version `-v<N+1>`.
 */
import { AVRO_SCHEMA_INCOMPATIBLE } from './avro-compatibility.ts';
import { EVENT_TIME_FIELD_CHANGED, FEATURE_TYPE_CHANGED, KEY_FIELDS_CHANGED } from './feature-rules.ts';
import { FIELD_RULES } from './field-rules.ts';
import type { EvolutionRule, RemovalRule } from './rule.ts';

export const RULES: readonly EvolutionRule[] = [
  ...FIELD_RULES,
  KEY_FIELDS_CHANGED,
  FEATURE_TYPE_CHANGED,
  EVENT_TIME_FIELD_CHANGED,
  AVRO_SCHEMA_INCOMPATIBLE,
];

/** A warning, not an error: removing a version is allowed, but nothing is dropped for you. */
export const FEATURE_REMOVED: RemovalRule = {
  id: 'FEATURE_REMOVED',
  purpose: 'A feature version was removed: allowed, but its tables and data are kept (never dropped automatically) and its name stays reserved.',
  severity: 'warning',
};

export const ALL_RULE_IDS: readonly string[] = [...RULES.map((r) => r.id), FEATURE_REMOVED.id];
