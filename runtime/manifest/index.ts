export {
  buildFeatureCatalog,
  CATALOG_ERRORS,
  loadFeatureCatalog,
  type CatalogFeature,
  type CatalogField,
  type FeatureCatalog,
} from './feature-catalog.ts';
export { SUPPORTED_MANIFEST_FORMAT } from './manifest-schema.ts';
