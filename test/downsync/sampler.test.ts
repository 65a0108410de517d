/**
 * The sampler's rules (runtime/downsync/sampler.ts): the interval per key, then a deterministic draw.
 * Exact counts are pinned for a seed: the draw is SHA-256 of its inputs, so they never change unless
 * the rule does (which would re-sample every redelivered command differently: a breaking change).
 */
import { describe, expect, it } from 'vitest';
import { isSampled, needsSamplerState, samplingDraw, type SamplingPolicy } from '../../runtime/downsync/index.ts';

const EVERY_MINUTE: SamplingPolicy = { minIntervalByKeyMs: 60_000, randomSamplingRatio: 1 };

/** Runs a key's commands through the rule as the worker does: the state is the last sampled time. */
function run(policy: SamplingPolicy, times: readonly number[], seed = 's', entity = 'fs:{f}:1'): number[] {
  let last: number | null = null;
  const out: number[] = [];
  for (const t of times) {
    if (!isSampled(policy, seed, 'ns::f-v1', entity, t, needsSamplerState(policy) ? last : null)) continue;
    out.push(t);
    if (last === null || t > last) last = t;
  }
  return out;
}

describe('sampler', () => {
  it('keeps at most one record per key per interval, from the first', () => {
    expect(run(EVERY_MINUTE, [0, 10_000, 59_999, 60_000, 61_000, 119_999, 130_000, 500_000])).toEqual([0, 60_000, 130_000, 500_000]);
  });

  it('samples a redelivered record again (the offline append drops the copy) and not an older one', () => {
    expect(run(EVERY_MINUTE, [0, 60_000, 60_000, 0, 30_000, 60_000])).toEqual([0, 60_000, 60_000, 60_000]);
  });

  it('with interval 0 keeps no state: late events are sampled too', () => {
    const all: SamplingPolicy = { minIntervalByKeyMs: 0, randomSamplingRatio: 1 };
    expect(needsSamplerState(all)).toBe(false);
    expect(run(all, [5, 3, 3, 1])).toEqual([5, 3, 3, 1]);
  });

  it('draws deterministically from (seed, feature, key, event time)', () => {
    const d = samplingDraw('seed', 'ns::f-v1', 'fs:{ns::f-v1}:7', 1_700_000_000_000);
    expect(samplingDraw('seed', 'ns::f-v1', 'fs:{ns::f-v1}:7', 1_700_000_000_000)).toBe(d);
    expect(d).toBeGreaterThanOrEqual(0);
    expect(d).toBeLessThan(1);
    const others = [
      samplingDraw('other', 'ns::f-v1', 'fs:{ns::f-v1}:7', 1_700_000_000_000),
      samplingDraw('seed', 'ns::g-v1', 'fs:{ns::f-v1}:7', 1_700_000_000_000),
      samplingDraw('seed', 'ns::f-v1', 'fs:{ns::f-v1}:8', 1_700_000_000_000),
      samplingDraw('seed', 'ns::f-v1', 'fs:{ns::f-v1}:7', 1_700_000_000_001),
    ];
    for (const o of others) expect(o).not.toBe(d);
  });

  it('samples the ratio: exact counts for a seed, near the expectation', () => {
    const half: SamplingPolicy = { minIntervalByKeyMs: 0, randomSamplingRatio: 0.5 };
    const count = (seed: string) => {
      let n = 0;
      for (let key = 0; key < 10_000; key++) if (isSampled(half, seed, 'ns::f-v1', `fs:{ns::f-v1}:${key}`, 1_000 + key, null)) n++;
      return n;
    };
    const a = count('seed-a');
    // 3 sigma of Binomial(10000, 0.5) is 150.
    expect(Math.abs(a - 5_000)).toBeLessThan(150);
    expect(count('seed-a')).toBe(a);
    expect(a).toBe(PINNED_HALF_SEED_A);
    expect(count('seed-b')).not.toBe(a);
  });

  it('a refused draw does not move the state: the next command of the key may be sampled', () => {
    const policy: SamplingPolicy = { minIntervalByKeyMs: 1_000, randomSamplingRatio: 0.5 };
    const times = Array.from({ length: 200 }, (_, i) => i * 400);
    const sampled = run(policy, times, 'seed-a');
    // Every accepted pair is at least an interval apart; some accepted ones follow a refused one closer than 2 intervals.
    for (let i = 1; i < sampled.length; i++) expect(sampled[i]! - sampled[i - 1]!).toBeGreaterThanOrEqual(1_000);
    const drawnOut = times.filter((t) => samplingDraw('seed-a', 'ns::f-v1', 'fs:{f}:1', t) >= 0.5);
    expect(drawnOut.length).toBeGreaterThan(0);
    expect(sampled.length).toBeGreaterThan(30);
    expect(sampled.length).toBeLessThan(80);
    expect(run(policy, times, 'seed-a')).toEqual(sampled);
  });

  it('ratio 1 never draws', () => {
    expect(run({ minIntervalByKeyMs: 0, randomSamplingRatio: 1 }, [1, 2, 3])).toEqual([1, 2, 3]);
  });
});

/** Pinned: the count of draws below 0.5 for keys 0..9999 at times 1000+key under 'seed-a'. */
const PINNED_HALF_SEED_A = 5_003;
