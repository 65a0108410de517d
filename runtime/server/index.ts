/** The HTTP Read API: `createReadServer` (used by `featurestore serve`) and what it is built from. */
export { apiKeysFromEnv, createApiKeyTable, API_KEY_ERRORS, DuplicateApiKeyError, type ApiKeyTable, type ConsumerKeyConfig } from './api-keys.ts';
export {
  AVRO_CONTENT_TYPE,
  ENVELOPE_HEADER,
  FEATURE_VALUES_SCHEMA,
  FINGERPRINT_HEADER,
  ONLINE_FEATURES_SCHEMA,
} from './avro-envelope.ts';
export { ERROR_CODES, SERVER_ERRORS, type ErrorBody, type ErrorCode } from './http-errors.ts';
export { createReadMetrics, type ReadMetrics } from './read-metrics.ts';
export { createReadServer, type ReadServerOptions } from './read-server.ts';
export { DEFAULT_LIMITS, type RequestLimits } from './request-bodies.ts';
