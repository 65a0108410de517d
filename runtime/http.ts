/**
 * `featurestore/http`: the HTTP Read API client alone, for services that read over HTTP and bind the
 * generated typed clients to it (`createFeatures(createHttpFeatureReader({ baseUrl, apiKey }))`). It
 * loads no store, cache or driver module; the error classes are the runtime's own, so `instanceof`
 * holds whichever entry point a service imported them from.
 */
export { createHttpFeatureReader, HTTP_READER_ERRORS, ReadApiError, TRANSPORT_ERROR_CODES, type HttpFeatureReaderOptions } from './read/http-reader.ts';
export { AccessDeniedError, FeatureStoreError, InvalidInputError, UnknownFeatureError, WrongFeatureTypeError } from './read/online-runtime.ts';
export type { FeatureReader } from './read/feature-reader.ts';
