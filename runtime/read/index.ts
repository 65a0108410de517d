export {
  DEFAULT_LATEST_EVENTS,
  historyAccessor,
  objectAccessor,
  READ_ERRORS,
  type HistoryAccessor,
  type ObjectAccessor,
} from './accessors.ts';
export { createOnlineRuntime, DEFAULT_GENERATED_DIR, MAX_RANGE_EVENTS, RUNTIME_ERRORS } from './create-online-runtime.ts';
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
export { INPUT_ERRORS } from './field-coercion.ts';
export { compileKeyCodec, KEY_ERRORS, keyCodecOf, KeyShapeError, type KeyCodec, type KeyFieldSpec } from './key-codec.ts';
export { fieldDefaults, type FieldDefaults } from './value-defaults.ts';
export {
  AccessDeniedError,
  FeatureStoreError,
  InvalidInputError,
  ManifestNotFoundError,
  UnknownFeatureError,
  WrongFeatureTypeError,
  type CachePolicyOptions,
  type CheckedReads,
  type FieldRecord,
  type OnlineRuntime,
  type OnlineRuntimeOptions,
  type ReadinessReport,
  type RedisCacheOptions,
  type RuntimeFeatureInfo,
  type RuntimeFieldInfo,
  type RuntimeObserver,
} from './online-runtime.ts';
export { CODEC_ERRORS, decodeFeatureValue, encodeCheckedValue, encodeFeatureValue } from './value-codec.ts';
export { createHttpFeatureReader, HTTP_READER_ERRORS, ReadApiError, TRANSPORT_ERROR_CODES, type HttpFeatureReaderOptions } from './http-reader.ts';
