/** Schema evolution: the rules, the gate codegen runs, and the writer-schema history the manifest keeps. */
export { checkEvolution } from './gate.ts';
export { ALL_RULE_IDS, FEATURE_REMOVED, RULES } from './rules.ts';
export type { EvolutionRule, RemovalRule, RuleId, Violation } from './rule.ts';
export { featureChanges, type Change } from './changes.ts';
export { isAllowedTypeChange, LIST_PROMOTIONS, SCALAR_PROMOTIONS } from './promotions.ts';
export {
  currentWriterSchema,
  previousEntry,
  previousWriterSchemas,
  RETIRED_FEATURES_KEY,
  retiredFeatures,
  writerSchemaHistory,
  type WriterSchema,
  type WriterSchemaTexts,
} from './writer-schemas.ts';
