export { CassandraWatermarkStore, type CassandraWatermarkOptions } from './cassandra-watermarks.ts';
export { PagePrefix, WatermarkSaver } from './page-progress.ts';
export { JsonlQuarantine, jsonSafe, jsonSafeValues, type QuarantineEntry, type QuarantineSink } from './quarantine.ts';
export { RowEncoder, type RowProblem } from './row-encoder.ts';
export {
  runUpsync,
  UPSYNC_DEFAULTS,
  type FeatureUpsyncSummary,
  type UpsyncMode,
  type UpsyncOptions,
  type UpsyncProgress,
  type UpsyncSummary,
} from './run-upsync.ts';
export { SqliteWatermarkStore } from './sqlite-watermarks.ts';
export { isTransientStoreError } from './transient-errors.ts';
export * from './upsync-errors.ts';
export { closest, planUpsync, type PlannedFeature, type UpsyncPlan } from './upsync-plan.ts';
export { shardLabel, WATERMARK_TABLE, type Watermark, type WatermarkStore } from './watermark-store.ts';
