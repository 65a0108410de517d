/**
 * The HTTP Read API (Fastify): authentication, errors, metrics and logging around the routes in
 * read-routes.ts and ops-routes.ts. The OnlineRuntime does the reading and enforces the ACL; this layer
 * parses and checks the wire format, so that every 4xx names the feature and field at fault.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { OnlineRuntime } from '../read/online-runtime.ts';
import type { ApiKeyTable } from './api-keys.ts';
import { presentedKey } from './api-keys.ts';
import { buildFeaturePlans } from './feature-plans.ts';
import { registerJsonBodyParser } from './json-body.ts';
import { ERROR_CODES, HttpError, SERVER_ERRORS, toHttpError, type ErrorBody } from './http-errors.ts';
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
  /** Fastify's pino logger options; `false` silences it (tests). Default: JSON at `info`. */
  readonly logger?: FastifyServerOptions['logger'];
  /** Share it with the runtime (`createOnlineRuntime({ observer: metrics.observer })`) for cache and store counters. */
  readonly metrics?: ReadMetrics;
  /** How long `/readyz` waits for the store and cache. */
  readonly readyTimeoutMs?: number;
}

/** The request id: the caller's `X-Request-Id` when it looks like one (so traces join up), else a UUID. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export async function createReadServer(options: ReadServerOptions): Promise<FastifyInstance> {
  const limits: RequestLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const metrics = options.metrics ?? createReadMetrics();
  const plans = buildFeaturePlans(options.runtime.features);
  const app = Fastify({
    logger: options.logger ?? { level: 'info' },
    bodyLimit: limits.bodyLimit,
    // One access-log line per request from onResponse below instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Slow or stalled clients must not hold sockets for Node's default five minutes.
    requestTimeout: 30_000,
    routerOptions: { maxParamLength: 256 },
  });
  registerJsonBodyParser(app);
  app.decorateRequest('consumer', '');
  app.decorateRequest('featureLabel', NO_FEATURE);
  app.decorateRequest('keyCount', 0);

  app.setErrorHandler((error, request, reply) => {
    const http = toHttpError(error);
    if (http.statusCode >= 500) {
      request.log.error({ err: error, feature: request.featureLabel }, 'read failed');
    }
    if (http.statusCode === 401) void reply.header('www-authenticate', 'Bearer');
    const body: ErrorBody = {
      statusCode: http.statusCode,
      code: http.code,
      message: http.message,
      ...http.details,
      requestId: request.id,
    };
    return reply.code(http.statusCode).type('application/json; charset=utf-8').send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      statusCode: 404,
      code: ERROR_CODES.notFound,
      // The path only, without a query string: it may hold anything.
      message: SERVER_ERRORS.routeNotFound(request.method, request.url.split('?')[0] ?? ''),
      requestId: request.id,
    };
    return reply.code(404).type('application/json; charset=utf-8').send(body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-request-id', request.id);
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? NO_FEATURE;
    metrics.observeRequest(route, request.featureLabel, reply.statusCode, reply.elapsedTime / 1000);
    const entry = {
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
  });

  registerOpsRoutes(app, { runtime: options.runtime, metrics, readyTimeoutMs: options.readyTimeoutMs ?? 2000 });

  await app.register(async (v1) => {
    // Every /v1 route needs a consumer; the ACL (in the runtime) then decides per feature.
    v1.addHook('onRequest', async (request) => {
      const key = presentedKey(request.headers.authorization, request.headers['x-api-key']);
      if (key === undefined) throw new HttpError(401, ERROR_CODES.unauthenticated, SERVER_ERRORS.missingCredentials);
      const consumer = options.apiKeys.consumerFor(key);
      if (consumer === null) throw new HttpError(401, ERROR_CODES.unauthenticated, SERVER_ERRORS.unknownCredentials);
      request.consumer = consumer;
    });
    registerReadRoutes(v1, { runtime: options.runtime, plans, limits, metrics });
  });
  return app;
}
