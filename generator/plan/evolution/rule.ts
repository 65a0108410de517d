/**
 * The shape of a schema-evolution rule, organised like `buf breaking`: an id, a one-line purpose and a
 * check of one feature version before (the previous manifest) and after (the new IR).
 */
import type { FeatureIR, SourceLocation } from '../../ir/types.ts';
import type { ManifestFeature } from '../../../core/manifest/manifest-schema.ts';

export type RuleId =
  | 'FIELD_REMOVED_WITHOUT_DEFAULT'
  | 'FIELD_ADDED_WITHOUT_DEFAULT'
  | 'FIELD_TYPE_CHANGED'
  | 'FIELD_DEFAULT_REMOVED'
  | 'FIELD_NULLABILITY_TIGHTENED'
  | 'KEY_FIELDS_CHANGED'
  | 'FEATURE_TYPE_CHANGED'
  | 'EVENT_TIME_FIELD_CHANGED'
  | 'AVRO_SCHEMA_INCOMPATIBLE'
  | 'FEATURE_REMOVED';

export interface Violation {
  /** Where in the new YAML: the field's key, else the feature's name. */
  readonly location: SourceLocation;
  readonly field?: string;
  /** What changed and whom it breaks; the rule id is appended when it becomes a diagnostic. */
  readonly message: string;
  /** A fix that keeps the version (e.g. "give x a default_value"), offered after "create -v<N+1>". */
  readonly alternative?: string;
}

export interface EvolutionRule {
  readonly id: RuleId;
  readonly purpose: string;
  readonly severity: 'error' | 'warning';
  /**
   * Runs only when no other rule found an error in the feature, so one mistake gives one error
   * (AVRO_SCHEMA_INCOMPATIBLE: the safety net for what the specific rules do not model).
   */
  readonly catchAll?: boolean;
  readonly check: (before: ManifestFeature, after: FeatureIR) => readonly Violation[];
}

/** A rule about a feature version that no longer exists in the definitions. */
export interface RemovalRule {
  readonly id: RuleId;
  readonly purpose: string;
  readonly severity: 'error' | 'warning';
}
