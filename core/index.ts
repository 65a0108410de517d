/**
 * The contract every part of the toolchain reads, like Prisma's DMMF: the field and key types, the names
 * derived from a feature's name, the manifest's schema, type and format version, and the Avro serde.
 * It imports nothing from generator/, runtime/ or cli/ and no driver (test/build/contract-imports.test.ts).
 */
export { FEATURE_TYPES, type FeatureType } from './feature-types.ts';
export {
  isKeyColumnType,
  isScalarType,
  KEY_COLUMN_TYPES,
  parseTypeLabel,
  SCALAR_TYPES,
  scalarOf,
  typeLabel,
  type FieldType,
  type FieldTypeLabel,
  type KeyColumnType,
  type ScalarType,
} from './field-types.ts';
export { avroNameOf, camelCase, MAX_TABLE_NAME_LENGTH, pascalCase, tableNameOf } from './naming.ts';
export {
  MANIFEST_FORMAT_ERRORS,
  MANIFEST_FORMAT_VERSION,
  manifestSchema,
  READABLE_MANIFEST_FORMATS,
  type HistoryManifestFeature,
  type Manifest,
  type ManifestAccess,
  type ManifestConsumer,
  type ManifestFeature,
  type ManifestField,
  type ManifestFormat,
  type ManifestProject,
  type ObjectManifestFeature,
} from './manifest/manifest-schema.ts';
export { MANIFEST_ERRORS, ManifestError, parseManifest, parseManifestText, type ParseManifestOptions } from './manifest/parse-manifest.ts';
export * from './serde/index.ts';
