/**
 * Prometheus metrics of the Read API, in a registry of its own (several servers in one process, as in
 * tests, must not collide in prom-client's global one). Label values come from the manifest and the
 * route table only, never from request input, so a client cannot blow up the series count.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { RuntimeObserver } from '../read/online-runtime.ts';

/** Request latency buckets: the targets are in the low milliseconds, so the low end is fine-grained. */
const LATENCY_BUCKETS = [0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The `feature` label of routes that name no single feature. */
export const NO_FEATURE = '';
export const MANY_FEATURES = '*';
/** Label for a feature name the manifest does not know (not echoed, to keep the label set bounded). */
export const UNKNOWN_FEATURE_LABEL = '?';

type Child = { observe(value: number): void };

export interface ReadMetrics {
  readonly registry: Registry;
  observeRequest(route: string, feature: string, statusCode: number, seconds: number): void;
  keysRead(feature: string, count: number): void;
  /** Pass to `createOnlineRuntime({ observer })`: feeds the cache hit/miss and store error counters. */
  readonly observer: RuntimeObserver;
  /** The exposition text, with any extra registries (e.g. the runtime's) appended. */
  render(): Promise<string>;
  readonly contentType: string;
}

export function createReadMetrics(options: { readonly defaultMetrics?: boolean; readonly extra?: readonly Registry[] } = {}): ReadMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const latency = new Histogram({
    name: 'featurestore_http_request_duration_seconds',
    help: 'Read API request latency, from the first byte read to the response written',
    labelNames: ['route', 'feature', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const keys = new Counter({
    name: 'featurestore_read_keys_total',
    help: 'Keys looked up through the Read API (a batch of 100 counts 100)',
    labelNames: ['feature'] as const,
    registers: [registry],
  });
  const cache = new Counter({
    name: 'featurestore_cache_requests_total',
    help: 'Redis cache lookups by result (hit includes cached absence)',
    labelNames: ['feature', 'result'] as const,
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'featurestore_store_errors_total',
    help: 'Online store calls that failed (the runtime rethrows them: the request answers 5xx)',
    labelNames: ['feature', 'operation'] as const,
    registers: [registry],
  });
  // Both series exist from the start, so dashboards show 0 instead of "no data".
  cache.inc({ feature: NO_FEATURE, result: 'hit' }, 0);
  cache.inc({ feature: NO_FEATURE, result: 'miss' }, 0);
  storeErrors.inc({ feature: NO_FEATURE, operation: 'read' }, 0);

  // prom-client hashes the label set on every observe; the children are cached by a string key instead.
  const children = new Map<string, Child>();
  const extra = options.extra ?? [];
  return {
    registry,
    contentType: registry.contentType,
    observeRequest(route, feature, statusCode, seconds) {
      const id = `${route}\u0000${feature}\u0000${statusCode}`;
      let child = children.get(id);
      if (!child) {
        child = latency.labels({ route, feature, status_code: String(statusCode) });
        children.set(id, child);
      }
      child.observe(seconds);
    },
    keysRead(feature, count) {
      keys.inc({ feature }, count);
    },
    observer: {
      cacheLookup(feature, hits, misses) {
        if (hits > 0) cache.inc({ feature, result: 'hit' }, hits);
        if (misses > 0) cache.inc({ feature, result: 'miss' }, misses);
      },
      storeError(feature, operation) {
        storeErrors.inc({ feature, operation });
      },
    },
    async render() {
      if (extra.length === 0) return registry.metrics();
      return Registry.merge([registry, ...extra]).metrics();
    },
  };
}
