export { stringifyAvroSchema, type AvroJsonValue, type AvroSchemaJson } from './avro-json.ts';
export { parseAvroSchemaText } from './avro-schema-text.ts';
export { parseAvroType } from './avro-types.ts';
export { canonicalForm, rabinFingerprint64, schemaFingerprint } from './fingerprint.ts';
export { bigintLongType, isAvroLong, LONG_ERRORS, LONG_MAX, LONG_MIN, toAvroLong } from './long-type.ts';
export {
  decodeSingleObject,
  encodeSingleObject,
  isSingleObject,
  SINGLE_OBJECT_ERRORS,
  SINGLE_OBJECT_HEADER_SIZE,
  type TaggedAvro,
} from './single-object.ts';
export {
  dateToMillis,
  MAX_DATE_MILLIS,
  millisToDate,
  TIMESTAMP_ERRORS,
  TimestampMillisType,
} from './timestamp-type.ts';
export { SERDE_ERRORS, UnknownWriterSchemaError, WriterSchemaRegistry } from './writer-schema-registry.ts';
