/**
 * Just enough of the Prometheus text format to read the worker's /metrics: counter sums and one
 * histogram's cumulative buckets, and quantiles estimated from the difference of two scrapes (the
 * samples of one benchmark phase). A bucket quantile is as coarse as the buckets (downsync-metrics.ts:
 * 5, 10, 25, 50, 100, 250, 500, 750 ms, 1 s, …); it is interpolated linearly inside the bucket, as
 * PromQL's histogram_quantile does, and printed as such.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export function parseProm(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

export function sumOf(samples: readonly Sample[], name: string): number {
  return samples.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);
}

/** Cumulative bucket counts by upper bound (+Inf included), for the series whose labels match. */
export function buckets(samples: readonly Sample[], histogram: string, match: Readonly<Record<string, string>>): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${histogram}_bucket`) continue;
    if (!Object.entries(match).every(([k, v]) => s.labels[k] === v)) continue;
    const le = s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']);
    out.set(le, (out.get(le) ?? 0) + s.value);
  }
  return out;
}

export interface BucketQuantiles {
  readonly count: number;
  /** q → seconds (Infinity when the quantile falls in the +Inf bucket). */
  readonly quantiles: ReadonlyMap<number, number>;
}

/** Quantiles of the observations between two scrapes. */
export function bucketQuantiles(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>, qs: readonly number[]): BucketQuantiles {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const cumulative = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const count = cumulative.at(-1) ?? 0;
  const quantiles = new Map<number, number>();
  for (const q of qs) {
    const rank = q * count;
    let i = cumulative.findIndex((c) => c >= rank);
    if (i < 0) i = bounds.length - 1;
    const upper = bounds[i]!;
    const lower = i === 0 ? 0 : bounds[i - 1]!;
    const below = i === 0 ? 0 : cumulative[i - 1]!;
    const inBucket = cumulative[i]! - below;
    quantiles.set(q, upper === Infinity ? Infinity : inBucket === 0 ? upper : lower + ((upper - lower) * (rank - below)) / inBucket);
  }
  return { count, quantiles };
}
