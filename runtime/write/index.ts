export { isFeatureWriter, type FeatureClient, type FeatureWriter, type TypedRow } from './feature-writer.ts';
export { OnlineWriter, type EncodedEventRow, type EncodedValueRow } from './online-writer.ts';
export { UndeployedSchemaError, WRITE_ERRORS, WritesUnsupportedError } from './write-errors.ts';
export { WritePath, type EventRow, type ValueRow, type WriteGrant } from './write-path.ts';
export {
  writableHistoryAccessor,
  writableObjectAccessor,
  type WritableHistoryAccessor,
  type WritableObjectAccessor,
} from './writable-accessors.ts';
