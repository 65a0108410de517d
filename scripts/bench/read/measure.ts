/**
 * Measurement for the read benchmark: exact latency percentiles (autocannon's histogram floors to whole
 * milliseconds, too coarse for a 2 ms target), fixed-duration closed loops for in-process cases, and
 * autocannon runs whose every response time is recorded here as well.
 */
import autocannon from 'autocannon';

export interface CaseResult {
  readonly name: string;
  /** Completed operations (requests or calls) per second. */
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly count: number;
  readonly errors: number;
  /** autocannon's own p99 (whole ms, coordinated-omission corrected in rate mode), for reference. */
  readonly autocannonP99?: number;
  readonly note?: string;
}

/** Latencies in milliseconds, preallocated so recording allocates nothing. */
export class LatencyRecorder {
  private values: Float64Array;
  private n = 0;
  constructor(capacity = 4_000_000) {
    this.values = new Float64Array(capacity);
  }
  record(ms: number): void {
    if (this.n < this.values.length) this.values[this.n++] = ms;
  }
  get count(): number {
    return this.n;
  }
  percentile(p: number): number {
    if (this.n === 0) return NaN;
    const sorted = this.values.subarray(0, this.n).sort();
    return sorted[Math.min(this.n - 1, Math.ceil((p / 100) * this.n) - 1)] ?? NaN;
  }
}

/**
 * `concurrency` workers each calling `op` back to back for `durationMs` (a closed loop, like autocannon's
 * connections): throughput and exact percentiles of the calls.
 */
export async function runLoop(name: string, op: (i: number) => Promise<unknown>, concurrency: number, durationMs: number): Promise<CaseResult> {
  const recorder = new LatencyRecorder();
  let errors = 0;
  let i = 0;
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await op(i++);
        recorder.record(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  return { name, rate: recorder.count / seconds, p50: recorder.percentile(50), p99: recorder.percentile(99), count: recorder.count, errors };
}

export interface HttpCase {
  readonly name: string;
  readonly url: string;
  readonly apiKey: string;
  /** Request bodies, sent in rotation (different keys each request). */
  readonly bodies: readonly string[];
  readonly accept?: string;
  readonly connections: number;
  readonly durationSec: number;
  /** Requests per second over all connections (open-loop pacing); absent = as fast as possible. */
  readonly overallRate?: number;
}

export async function runHttp(c: HttpCase): Promise<CaseResult> {
  const recorder = new LatencyRecorder();
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${c.apiKey}` };
  if (c.accept) headers['accept'] = c.accept;
  const options: autocannon.Options = {
    url: c.url,
    method: 'POST',
    headers,
    connections: c.connections,
    pipelining: 1,
    duration: c.durationSec,
    ...(c.overallRate ? { overallRate: c.overallRate } : {}),
    // Prebuilt once and cycled per connection: a setupRequest callback would rebuild every request in the
    // load generator, which shares the two cores with the server.
    requests: c.bodies.map((body) => ({ body })),
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, r) => (error ? reject(error) : resolve(r)));
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode === 200) recorder.record(responseTime);
    });
  });
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  return {
    name: c.name,
    rate: recorder.count / seconds,
    p50: recorder.percentile(50),
    p99: recorder.percentile(99),
    count: recorder.count,
    errors: result.errors + result.non2xx + result.timeouts,
    autocannonP99: result.latency.p99,
  };
}
