/**
 * Prometheus metrics of the downsync worker, in a registry of its own (two workers in one test process
 * must not collide in prom-client's global one). Label values come from the manifest (feature names),
 * the stream (partition numbers) and the fixed reason codes, never from message content, so a poison
 * message cannot blow up the series count (an unknown feature is counted by reason, not by name).
 *
 * Rates (applied/s, sampled/s) are the counters' `rate()`; lag is per partition as the last batch saw
 * it (highWatermark − next offset): a partition this worker no longer holds keeps its last value until
 * the next holder's worker reports it, so dashboards should take the max over workers per partition.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeadLetterReason } from './dead-letter.ts';

/** Freshness buckets in seconds: the target is ≤ 1 s end to end, so most resolution is below it. */
const FRESHNESS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 5, 10, 30, 60, 300];

export interface DownsyncMetrics {
  readonly registry: Registry;
  lag(partition: number, messages: bigint): void;
  applied(feature: string, count: number): void;
  superseded(feature: string, count: number): void;
  sampled(feature: string, count: number): void;
  offlineDuplicates(feature: string, count: number): void;
  deadLettered(reason: DeadLetterReason): void;
  pendingInvalidations(count: number): void;
  /** Seconds from the command's event time (or its sent_at) to the moment it was applied online. */
  freshness(source: 'event_time' | 'sent_at', seconds: number): void;
  commits(): void;
  render(): Promise<string>;
  readonly contentType: string;
}

export function createDownsyncMetrics(options: { readonly defaultMetrics?: boolean } = {}): DownsyncMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const lag = new Gauge({ name: 'featurestore_downsync_consumer_lag', help: 'Messages behind the end of the partition (highWatermark - next offset), as of the last batch', labelNames: ['partition'] as const, registers });
  const applied = new Counter({ name: 'featurestore_downsync_applied_total', help: 'Commands applied to the online store (rate = applied/s)', labelNames: ['feature'] as const, registers });
  const superseded = new Counter({ name: 'featurestore_downsync_superseded_total', help: 'Applied commands the store did not take because it held a newer value (last-writer-wins; Cassandra cannot tell)', labelNames: ['feature'] as const, registers });
  const sampled = new Counter({ name: 'featurestore_downsync_sampled_total', help: 'Commands sampled into the offline store (rate = sampled/s)', labelNames: ['feature'] as const, registers });
  const duplicates = new Counter({ name: 'featurestore_downsync_offline_duplicates_total', help: 'Sampled rows the offline store already had (redelivery)', labelNames: ['feature'] as const, registers });
  const dead = new Counter({ name: 'featurestore_downsync_dead_lettered_total', help: 'Commands sent to the dead-letter topic, by reason', labelNames: ['reason'] as const, registers });
  const pending = new Gauge({ name: 'featurestore_downsync_pending_cache_invalidations', help: 'Cached keys whose delete Redis has not confirmed yet (retried with backoff)', registers });
  const fresh = new Histogram({ name: 'featurestore_downsync_freshness_seconds', help: 'From the command event time / sent_at to applied online', labelNames: ['source'] as const, buckets: FRESHNESS_BUCKETS, registers });
  const commits = new Counter({ name: 'featurestore_downsync_commits_total', help: 'Offset commits (each after the online writes and the offline flush before it)', registers });
  pending.set(0);
  commits.inc(0);
  return {
    registry,
    lag: (partition, messages) => lag.set({ partition: String(partition) }, Number(messages)),
    applied: (feature, count) => applied.inc({ feature }, count),
    superseded: (feature, count) => superseded.inc({ feature }, count),
    sampled: (feature, count) => sampled.inc({ feature }, count),
    offlineDuplicates: (feature, count) => duplicates.inc({ feature }, count),
    deadLettered: (reason) => dead.inc({ reason }),
    pendingInvalidations: (count) => pending.set(count),
    freshness: (source, seconds) => fresh.observe({ source }, Math.max(0, seconds)),
    commits: () => commits.inc(),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
