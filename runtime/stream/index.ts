export {
  checkPositions,
  checkRecords,
  STREAM_CLOSED,
  STREAM_ERRORS,
  STREAM_INVALID_INPUT,
  STREAM_UNREACHABLE,
  StreamError,
  type BatchContext,
  type FeatureStream,
  type StreamBatch,
  type StreamErrorCode,
  type StreamMessage,
  type StreamPosition,
  type StreamRecord,
  type StreamSubscription,
  type SubscribeOptions,
} from './feature-stream.ts';
export { murmur2, partitionOf } from './key-partitioner.ts';
export { openFeatureStream, type FeatureStreamOptions } from './open-feature-stream.ts';
