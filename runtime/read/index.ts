export {
  DEFAULT_LATEST_EVENTS,
  historyAccessor,
  objectAccessor,
  READ_ERRORS,
  type HistoryAccessor,
  type ObjectAccessor,
} from './accessors.ts';
export {
  configuredFeatureReader,
  configureFeatureReader,
  defaultFeatureReader,
  NO_FEATURE_READER_CONFIGURED,
} from './default-reader.ts';
export type {
  AnyFeatureDescriptor,
  FeatureDescriptor,
  FeatureFieldType,
  FeatureReader,
  FeatureScalarType,
  FieldDescriptor,
  HistoryFeatureDescriptor,
  ObjectFeatureDescriptor,
} from './feature-reader.ts';
export { CODEC_ERRORS, decodeFeatureValue, encodeFeatureValue } from './value-codec.ts';
