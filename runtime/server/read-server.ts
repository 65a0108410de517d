/**
 * The HTTP Read API (Fastify): authentication, errors, metrics and logging around the routes in
 * read-routes.ts and ops-routes.ts. The OnlineRuntime does the reading and enforces the ACL; this layer
 * parses and checks the wire format, so that every 4xx names the feature and field at fault.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { OnlineRuntime } from '../read/online-runtime.ts';
import type { ApiKeyTable } from './api-keys.ts';
import { presentedKey } from './api-keys.ts';
import { BatchedLogStream, type LineSink } from './batched-log-stream.ts';
import { buildFeaturePlans } from './feature-plans.ts';
import { registerJsonBodyParser } from './json-body.ts';
import { clientErrorHandler, frameworkErrorHandler, sendHttpError } from './error-replies.ts';
import { ERROR_CODES, HttpError, SERVER_ERRORS, type ErrorBody } from './http-errors.ts';
import { registerOpsRoutes } from './ops-routes.ts';
import { createReadMetrics, NO_FEATURE, type ReadMetrics } from './read-metrics.ts';
import { registerReadRoutes } from './read-routes.ts';
import { DEFAULT_LIMITS, type RequestLimits } from './request-bodies.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated consumer ('' before authentication and on public routes). */
    consumer: string;
    /** The `feature` metric label: a manifest name, MANY_FEATURES, UNKNOWN_FEATURE_LABEL or NO_FEATURE. */
    featureLabel: string;
    /** Keys looked up, for the access log (a count: key values are never logged). */
    keyCount: number;
  }
}

export interface ReadServerOptions {
  readonly runtime: OnlineRuntime;
  readonly apiKeys: ApiKeyTable;
  readonly limits?: Partial<RequestLimits>;
  /**
   * JSON logs (pino): level (default `info`) and where lines go (default stdout, batched per event-loop
   * turn); `false` silences them (tests).
   */
  readonly logger?: false | { readonly level?: string; readonly stream?: LineSink };
  /** Share it with the runtime (`createOnlineRuntime({ observer: metrics.observer })`) for cache and store counters. */
  readonly metrics?: ReadMetrics;
  /** How long `/readyz` waits for the store and cache. */
  readonly readyTimeoutMs?: number;
  /**
   * Requests that present no credentials at all act as this consumer (the ACL still applies); a wrong
   * or malformed key is still a 401. For development: anyone who reaches the port reads as it.
   */
  readonly anonymousConsumer?: string;
}

/** The request id: the caller's `X-Request-Id` when it looks like one (so traces join up), else our own. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Longest path parameter (a feature name) the router takes; longer is a 414 URI_TOO_LONG. */
export const MAX_PATH_PARAM_LENGTH = 256;

/** A request must be received completely within this (slow clients must not hold sockets for minutes). */
export const REQUEST_TIMEOUT_MS = 30_000;

/** `<random per process>-<counter>`: unique across restarts and replicas, a fraction of randomUUID's cost. */
function requestIds(): () => string {
  const prefix = randomBytes(6).toString('hex');
  let n = 0;
  return () => `${prefix}-${(++n).toString(36)}`;
}

export async function createReadServer(options: ReadServerOptions): Promise<FastifyInstance> {
  const limits: RequestLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const metrics = options.metrics ?? createReadMetrics();
  const plans = buildFeaturePlans(options.runtime.features);
  const logStream = options.logger === false ? null : (options.logger?.stream ?? new BatchedLogStream());
  const logLevel = (options.logger && options.logger.level) || 'info';
  const nextId = requestIds();
  const app = Fastify({
    logger: logStream ? { level: logLevel, stream: logStream } : false,
    bodyLimit: limits.bodyLimit,
    // One access-log line per request from onResponse below instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : nextId();
    },
    // Slow or stalled clients must not hold sockets for Node's default five minutes.
    requestTimeout: REQUEST_TIMEOUT_MS,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // Errors raised before routing (router, HTTP parser) get the same JSON shape as every other error.
    frameworkErrors: frameworkErrorHandler(MAX_PATH_PARAM_LENGTH),
    clientErrorHandler: clientErrorHandler({
      nextId,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      log: (entry) => app.log.warn(entry, 'request'),
    }),
    // No pino child logger per request (an allocation and a serialised binding each): the few lines
    // logged per request name their `reqId` themselves.
    childLoggerFactory: (logger) => logger,
  });
  registerJsonBodyParser(app);
  app.decorateRequest('consumer', '');
  app.decorateRequest('featureLabel', NO_FEATURE);
  app.decorateRequest('keyCount', 0);

  app.setErrorHandler((error, request, reply) => sendHttpError(request, reply, error));

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      statusCode: 404,
      code: ERROR_CODES.notFound,
      // The path only, without a query string (it may hold anything), quoted and bounded.
      message: SERVER_ERRORS.routeNotFound(request.method, request.url.split('?')[0] ?? ''),
      requestId: request.id,
    };
    return reply.code(404).type('application/json; charset=utf-8').send(body);
  });

  // Callback-style hooks: an async hook costs a promise per request on the hot path.
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? NO_FEATURE;
    metrics.observeRequest(route, request.featureLabel, reply.statusCode, reply.elapsedTime / 1000);
    const entry = {
      reqId: request.id,
      route,
      feature: request.featureLabel || undefined,
      consumer: request.consumer || undefined,
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 1000) / 1000,
      keys: request.keyCount || undefined,
    };
    if (reply.statusCode >= 500) request.log.error(entry, 'request');
    else if (reply.statusCode >= 400) request.log.warn(entry, 'request');
    else request.log.info(entry, 'request');
    done();
  });
  if (logStream instanceof BatchedLogStream) app.addHook('onClose', (_app, done) => {
    logStream.flush();
    done();
  });

  registerOpsRoutes(app, { runtime: options.runtime, metrics, readyTimeoutMs: options.readyTimeoutMs ?? 2000 });

  await app.register(async (v1) => {
    // Every /v1 route needs a consumer; the ACL (in the runtime) then decides per feature.
    // A keep-alive connection presents the same key on every request: after one constant-time lookup the
    // key is remembered per socket, and comparing a caller's string with the one that same caller sent
    // before reveals no secret. A different key on the socket is looked up again.
    const bySocket = new WeakMap<object, { readonly key: string; readonly consumer: string }>();
    v1.addHook('onRequest', (request, _reply, done) => {
      const key = presentedKey(request.headers.authorization, request.headers['x-api-key']);
      if (key === undefined) {
        if (options.anonymousConsumer === undefined) return done(new HttpError(401, ERROR_CODES.unauthenticated, SERVER_ERRORS.missingCredentials));
        request.consumer = options.anonymousConsumer;
        return done();
      }
      const socket = request.raw.socket;
      const known = socket ? bySocket.get(socket) : undefined;
      const consumer = known?.key === key ? known.consumer : options.apiKeys.consumerFor(key);
      if (consumer === null) return done(new HttpError(401, ERROR_CODES.unauthenticated, SERVER_ERRORS.unknownCredentials));
      if (socket && known?.key !== key) bySocket.set(socket, { key, consumer });
      request.consumer = consumer;
      done();
    });
    registerReadRoutes(v1, { runtime: options.runtime, plans, limits, metrics });
  });
  return app;
}
