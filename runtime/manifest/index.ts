export {
  buildFeatureCatalog,
  CATALOG_ERRORS,
  loadFeatureCatalog,
  type CatalogFeature,
  type CatalogField,
  type FeatureCatalog,
} from './feature-catalog.ts';
