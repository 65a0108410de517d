/**
 * The downsync sampler: which applied commands of a `downsync.enabled` feature also go to the offline
 * store. Two rules, in this order (the manifest's `downsync`):
 *
 * 1. `minIntervalByKeyMs`: at most one record per key per interval. The state is one number per key,
 *    the event time of the last sampled record (sampler-state.ts keeps it durably). A command is past
 *    the interval when its event time is at least `last + interval`. A command whose event time equals
 *    `last` is the sampled record itself, delivered again (at-least-once): it is sampled again, and the
 *    offline store's idempotent append drops the copy. A command older than `last` (out of order) is
 *    not sampled: with one timestamp of state there is no telling whether it is an interval away from
 *    every sampled record, and "at most one per interval" is the promise. An interval of 0 needs no
 *    state at all: every command goes on to rule 2, late ones included (History features that must
 *    capture every event use interval 0).
 * 2. `randomSamplingRatio`: a fraction of what rule 1 let through, decided DETERMINISTICALLY by a hash
 *    of (seed, feature, key, event time) instead of a random source: a redelivered command (a restart, a
 *    rebalance) gets the decision it got the first time, so redelivery never changes what is sampled,
 *    and with a fixed seed the exact counts are reproducible in tests. Every worker of a group must use
 *    the same seed (the CLI's --sampling-seed); changing it changes which commands win, never how many
 *    on average. A refused draw does not move the state: the next command of the key may be sampled.
 *
 * The hash is SHA-256 (node:crypto, ~1 µs), its first 48 bits as a fraction of 2^48: uniform enough
 * for any ratio a manifest can say, and identical on every platform and Node version.
 */
import { createHash } from 'node:crypto';

export interface SamplingPolicy {
  readonly minIntervalByKeyMs: number;
  readonly randomSamplingRatio: number;
}

/** The seed used when none is given (the CLI's --sampling-seed default). */
export const DEFAULT_SAMPLING_SEED = 'featurestore';

const TWO_POW_48 = 2 ** 48;

/** A number in [0, 1) fixed by its inputs. `entity` is the key as a stable string (the cache key). */
export function samplingDraw(seed: string, feature: string, entity: string, eventTimeMs: number): number {
  const digest = createHash('sha256').update(`${seed}\u0000${feature}\u0000${entity}\u0000${eventTimeMs}`).digest();
  return digest.readUIntBE(0, 6) / TWO_POW_48;
}

/** Whether the policy keeps state per key (an interval above 0). */
export function needsSamplerState(policy: SamplingPolicy): boolean {
  return policy.minIntervalByKeyMs > 0;
}

/** True when the command is sampled; `lastSampledMs` is the key's state (null: never sampled, or no state kept). */
export function isSampled(
  policy: SamplingPolicy,
  seed: string,
  feature: string,
  entity: string,
  eventTimeMs: number,
  lastSampledMs: number | null,
): boolean {
  if (lastSampledMs !== null && policy.minIntervalByKeyMs > 0) {
    if (eventTimeMs === lastSampledMs) return true;
    if (eventTimeMs < lastSampledMs + policy.minIntervalByKeyMs) return false;
  }
  if (policy.randomSamplingRatio >= 1) return true;
  return samplingDraw(seed, feature, entity, eventTimeMs) < policy.randomSamplingRatio;
}
