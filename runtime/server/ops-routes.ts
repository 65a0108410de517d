/**
 * Operational routes, without authentication (they reveal no feature data; expose them on an
 * internal port or behind the load balancer's own rules):
 * `/healthz` — the process answers (liveness: restart me when this fails);
 * `/readyz`  — the online store answers (readiness: send me traffic). The cache is reported but does not
 *              decide, because reads fall back to the store when Redis is down;
 * `/metrics` — Prometheus text exposition.
 */
import type { FastifyInstance } from 'fastify';
import type { OnlineRuntime, ReadinessReport } from '../read/online-runtime.ts';
import type { ReadMetrics } from './read-metrics.ts';

export interface OpsRouteContext {
  readonly runtime: OnlineRuntime;
  readonly metrics: ReadMetrics;
  readonly readyTimeoutMs: number;
}

export function registerOpsRoutes(app: FastifyInstance, ctx: OpsRouteContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const report = await readiness(ctx.runtime, ctx.readyTimeoutMs);
    return reply.code(report.store ? 200 : 503).send({ ready: report.store, ...report });
  });

  app.get('/metrics', async (_request, reply) => reply.type(ctx.metrics.contentType).send(await ctx.metrics.render()));
}

/** The runtime's report, or "store down" when it does not answer in time (a hung probe is a failed probe). */
async function readiness(runtime: OnlineRuntime, timeoutMs: number): Promise<ReadinessReport> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReadinessReport>((resolve) => {
    timer = setTimeout(() => resolve({ store: false, cache: null }), timeoutMs);
  });
  try {
    return await Promise.race([runtime.ready().catch((): ReadinessReport => ({ store: false, cache: null })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
