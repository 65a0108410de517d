/**
 * The downsync worker (issue 10): commands from the stream applied to the online store, sampled into the
 * offline store, dead-lettered when they can never apply. The command producer lives in ./producer/.
 */
export { DEAD_LETTER_MESSAGES, DEAD_LETTER_REASONS, deadLetterRecord, deadLetterTopicOf, type DeadLetter, type DeadLetterReason } from './dead-letter.ts';
export { downsyncFeaturesOf, type DownsyncFeature, type DownsyncSampling } from './downsync-features.ts';
export { createDownsyncMetrics, type DownsyncMetrics } from './downsync-metrics.ts';
export {
  DEFAULT_FLUSH_MS,
  DEFAULT_FLUSH_ROWS,
  DOWNSYNC_ERRORS,
  DOWNSYNC_LOG,
  DownsyncWorker,
  WorkerStoppingError,
  type DownsyncLog,
  type DownsyncStats,
  type DownsyncWorkerOptions,
} from './downsync-worker.ts';
export { PendingInvalidations, type PendingInvalidationsOptions } from './pending-invalidations.ts';
export { DEFAULT_SAMPLING_SEED, isSampled, needsSamplerState, samplingDraw, type SamplingPolicy } from './sampler.ts';
export { MemorySamplerStateStore, SAMPLER_STATE_TABLE, type SamplerStateEntry, type SamplerStateStore } from './sampler-state.ts';
