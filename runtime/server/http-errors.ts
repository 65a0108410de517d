/**
 * Every error the Read API answers with, as data: a status, a stable machine-readable `code`, a message
 * naming the feature and field when there is one. Messages are named constants so tests (and clients
 * matching on them) have one place to look.
 */
import {
  AccessDeniedError,
  InvalidInputError,
  UnknownFeatureError,
  WrongFeatureTypeError,
} from '../read/online-runtime.ts';
import { quoteInput, sanitizeInput } from './quoted-input.ts';

export const ERROR_CODES = {
  unauthenticated: 'UNAUTHENTICATED',
  accessDenied: 'ACCESS_DENIED',
  unknownFeature: 'UNKNOWN_FEATURE',
  invalidRequest: 'INVALID_REQUEST',
  invalidKey: 'INVALID_KEY',
  wrongFeatureType: 'WRONG_FEATURE_TYPE',
  tooManyKeys: 'TOO_MANY_KEYS',
  tooManyFeatures: 'TOO_MANY_FEATURES',
  bodyTooLarge: 'BODY_TOO_LARGE',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  notFound: 'NOT_FOUND',
  notAcceptable: 'NOT_ACCEPTABLE',
  invalidUtf8: 'INVALID_UTF8',
  invalidUrl: 'INVALID_URL',
  uriTooLong: 'URI_TOO_LONG',
  headersTooLarge: 'HEADERS_TOO_LARGE',
  malformedRequest: 'MALFORMED_REQUEST',
  requestTimeout: 'REQUEST_TIMEOUT',
  internal: 'INTERNAL',
  unavailable: 'UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/**
 * Every message. Anything the caller sent goes through `quoteInput`/`sanitizeInput` (quoted-input.ts):
 * cut to a few dozen characters, control characters escaped. Names from the manifest and numbers from
 * our own limits are shown as they are.
 */
export const SERVER_ERRORS = {
  missingCredentials: 'missing API key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`',
  unknownCredentials: 'unknown API key',
  bodyNotObject: (got: string) => `request body must be a JSON object, got ${got}`,
  missingProperty: (name: string) => `missing property "${name}"`,
  unknownProperty: (name: string, allowed: readonly string[]) =>
    `unknown property ${quoteInput(name)} (allowed: ${allowed.join(', ')})`,
  notArray: (path: string, got: string) => `${path} must be an array, got ${got}`,
  emptyArray: (path: string) => `${path} must not be empty`,
  tooManyKeys: (count: number, max: number) => `too many keys: ${count} (at most ${max} per request)`,
  tooManyFeatures: (count: number, max: number) => `too many features: ${count} (at most ${max} per request)`,
  tooManyLookups: (count: number, max: number) =>
    `too many lookups: ${count} features × keys (at most ${max} per request)`,
  unknownFeature: (feature: string) => `unknown feature ${quoteInput(feature)}`,
  duplicateFeature: (feature: string) => `feature ${quoteInput(feature)} is listed twice`,
  featureNotString: (path: string, got: string) => `${path} must be a feature name string, got ${got}`,
  keyNotObject: (path: string, fields: readonly string[], got: string) =>
    `${path} must be an object with the key field(s) ${fields.join(', ')}, got ${got}`,
  keyFieldMissing: (path: string, field: string) => `${path} lacks the key field "${field}"`,
  keyFieldUnknown: (path: string, field: string, fields: readonly string[]) =>
    `${path} has unknown field ${quoteInput(field)} (key fields: ${fields.join(', ')})`,
  keyFieldUnused: (path: string, field: string) =>
    `${path} has field ${quoteInput(field)} that none of the requested features uses`,
  keyFieldType: (path: string, expected: string, got: string) => `${path} must be ${expected}, got ${got}`,
  wrongFeatureType: (feature: string, featureType: string, op: string) =>
    `${feature} is ${featureType === 'Object' ? 'an Object' : 'a History'} feature: ${op} is not available for it`,
  accessDenied: (consumer: string, features: readonly string[]) =>
    `consumer "${consumer}" may not read ${features.join(', ')} (see access.read in their YAML definitions)`,
  eventCount: (feature: string, max: number) => `"n" must be an integer from 1 to ${max} for ${feature}`,
  timestamp: (name: string) => `"${name}" must be an ISO-8601 timestamp with a time zone, e.g. 2024-05-01T12:00:00Z`,
  rangeOrder: 'time range must have from <= to',
  bodyTooLarge: (limit: number) => `request body is larger than ${limit} bytes`,
  unsupportedMediaType: (got: string | undefined) =>
    `unsupported Content-Type ${got === undefined ? '(none)' : quoteInput(got)}: send application/json`,
  unsupportedCharset: (got: string) => `unsupported charset ${quoteInput(got)}: JSON bodies must be UTF-8`,
  contentLengthMismatch: 'request body size did not match Content-Length',
  invalidUtf8: 'request body is not valid UTF-8 (JSON bodies must be UTF-8, RFC 8259)',
  malformedJson: (detail: string) => `request body is not valid JSON: ${sanitizeInput(detail, 160)}`,
  prototypeKey: 'request body contains a forbidden property name (__proto__ or constructor.prototype)',
  notAcceptable: (offered: readonly string[]) =>
    `none of the media types in Accept is available: this route answers ${offered.join(' or ')}`,
  routeNotFound: (method: string, path: string) => `no route ${method} ${quoteInput(path, 128)}`,
  invalidUrl: (path: string) =>
    `the request path ${quoteInput(path, 128)} is not valid: each % must start a %XX escape, and the escapes must be UTF-8`,
  uriTooLong: (max: number) => `a path segment is longer than ${max} characters (no feature name is that long)`,
  headersTooLarge: (bytes: number) => `request headers are larger than ${bytes} bytes`,
  malformedRequest: 'the request is not valid HTTP/1.1 (request line, headers or body framing)',
  requestTimeout: (ms: number) => `the request was not received completely within ${ms} ms`,
  clientError: (status: number) => `client error ${status}`,
  internal: 'internal error; the server log has the details under this request id',
  unavailable: 'the online store did not answer; try again',
} as const;

export interface ErrorDetails {
  readonly feature?: string;
  /** get-online-features: every feature the consumer may not read. */
  readonly features?: readonly string[];
  readonly field?: string;
  readonly consumer?: string;
}

/** An error the handlers throw on purpose: the error handler sends it as it is. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: ErrorDetails) =>
  new HttpError(400, ERROR_CODES.invalidRequest, message, details);

export const invalidKey = (feature: string, field: string | undefined, message: string) =>
  new HttpError(400, ERROR_CODES.invalidKey, message, field === undefined ? { feature } : { feature, field });

/** The JSON body of every error response. */
export interface ErrorBody extends ErrorDetails {
  readonly statusCode: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly requestId: string;
}

/** What the mapping may need from the request: the Content-Type, for a 415 that says what was sent. */
export interface ErrorContext {
  readonly contentType?: string | undefined;
}

/**
 * Whether the caller can fix the problem (4xx) or the server failed (5xx, counted as a store error).
 * Messages of the runtime's errors may quote what the caller sent, so they are bounded here too.
 */
export function toHttpError(error: unknown, context: ErrorContext = {}): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof AccessDeniedError) {
    return new HttpError(403, ERROR_CODES.accessDenied, error.message, { feature: error.feature, consumer: error.consumer });
  }
  if (error instanceof UnknownFeatureError) {
    return new HttpError(404, ERROR_CODES.unknownFeature, SERVER_ERRORS.unknownFeature(error.feature), {
      feature: sanitizeInput(error.feature),
    });
  }
  if (error instanceof InvalidInputError) {
    return new HttpError(400, ERROR_CODES.invalidKey, sanitizeInput(error.message, RUNTIME_MESSAGE_MAX), {
      feature: error.feature,
      ...(error.field ? { field: error.field } : {}),
    });
  }
  if (error instanceof WrongFeatureTypeError) {
    return new HttpError(400, ERROR_CODES.wrongFeatureType, error.message, { feature: error.feature });
  }
  const fastify = fastifyClientError(error, context);
  if (fastify) return fastify;
  return new HttpError(500, ERROR_CODES.internal, SERVER_ERRORS.internal);
}

/** Longest message of a runtime error passed on (they quote at most 40 characters of a value). */
const RUNTIME_MESSAGE_MAX = 300;

/** Fastify's own 4xx errors (body parser, limits, content type), reworded into the same shape. */
function fastifyClientError(error: unknown, context: ErrorContext): HttpError | null {
  if (!(error instanceof Error)) return null;
  const { code, statusCode } = error as Error & { code?: unknown; statusCode?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return null;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, ERROR_CODES.bodyTooLarge, error.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(415, ERROR_CODES.unsupportedMediaType, SERVER_ERRORS.unsupportedMediaType(context.contentType));
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return badRequest(SERVER_ERRORS.contentLengthMismatch);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return badRequest(SERVER_ERRORS.malformedJson('empty body'));
    default:
      break;
  }
  if (error instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    const forbidden = error.message.includes('forbidden prototype property');
    return badRequest(forbidden ? SERVER_ERRORS.prototypeKey : SERVER_ERRORS.malformedJson(error.message));
  }
  // Any other 4xx Fastify raises: its own text, bounded (some of them quote the request).
  return new HttpError(
    statusCode,
    statusCode === 415 ? ERROR_CODES.unsupportedMediaType : ERROR_CODES.invalidRequest,
    sanitizeInput(error.message, RUNTIME_MESSAGE_MAX),
  );
}

/** The JSON body of an error answer. */
export function errorBody(http: HttpError, requestId: string): ErrorBody {
  return { statusCode: http.statusCode, code: http.code, message: http.message, ...http.details, requestId };
}

/** `typeof`, but telling arrays and null apart, for "got …" in messages (never the value: keys are not logged). */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
