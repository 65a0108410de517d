/**
 * One worker (`featurestore downsync`, a child process: the CLI from the sources, cli-child.ts) through
 * the pre-produced topic, measured from the outside as an operator would: its /metrics are scraped
 * every 250 ms (a scrape also collects prom-client's process metrics, a few ms of the worker's CPU each:
 * at 100 ms that showed in its profile). The rate is the commands applied after the first scrape that saw any, over the time
 * from that scrape to the one that saw all N (startup, the group join and the first fetch excluded, as
 * for the raw consumer); then the wait until the group's committed offsets cover all N (the last
 * offline flush and commit). The worker is left running (the freshness phase reuses it) unless stopped.
 */
import type { Admin } from 'kafkajs';
import { CliChild, sleep } from './children.ts';
import { parseProm, sumOf } from './prom-text.ts';

export interface WorkerRun {
  readonly worker: CliChild;
  readonly metricsUrl: string;
  readonly startMs: number;
  readonly applyMs: number;
  readonly rate: number;
  readonly commitLagMs: number;
  readonly sampled: number;
  readonly deadLettered: number;
}

export const APPLIED = 'featurestore_downsync_applied_total';

export async function scrape(url: string): Promise<ReturnType<typeof parseProm>> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return parseProm(await res.text());
}

export async function committedOf(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

export async function runWorker(options: {
  readonly args: readonly string[];
  readonly groupId: string;
  readonly topic: string;
  readonly n: number;
  readonly admin: Admin;
  readonly timeoutMs: number;
  readonly cpuProfDir?: string;
}): Promise<WorkerRun> {
  const spawned = performance.now();
  const worker = new CliChild(['downsync', '--group', options.groupId, '--topic', options.topic, '--metrics-port', '0', ...options.args], options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {});
  try {
    const url = String((await worker.line('metrics', 60_000))['url']);
    await worker.line('started', 60_000);
    const startMs = performance.now() - spawned;
    let first: { t: number; applied: number } | null = null;
    let last = { t: 0, applied: 0 };
    for (const deadline = performance.now() + options.timeoutMs; last.applied < options.n; await sleep(250)) {
      if (!worker.running) throw new Error(`worker exited: ${worker.stderr.trim()}`);
      if (performance.now() > deadline) throw new Error(`worker applied ${last.applied} of ${options.n} in ${options.timeoutMs} ms`);
      const applied = sumOf(await scrape(url), APPLIED);
      last = { t: performance.now(), applied };
      if (!first && applied > 0) first = last;
    }
    // A run too short for two scrapes has no rate (NaN), rather than a made-up one.
    const f = first ?? last;
    const appliedAt = last.t;
    while ((await committedOf(options.admin, options.groupId, options.topic)) < options.n) {
      if (performance.now() - appliedAt > 30_000) throw new Error('offsets not committed within 30 s of the last apply');
      await sleep(50);
    }
    const commitLagMs = performance.now() - appliedAt;
    const metrics = await scrape(url);
    return {
      worker,
      metricsUrl: url,
      startMs,
      applyMs: last.t - f.t,
      rate: last.t > f.t ? (last.applied - f.applied) / ((last.t - f.t) / 1000) : NaN,
      commitLagMs,
      sampled: sumOf(metrics, 'featurestore_downsync_sampled_total'),
      deadLettered: sumOf(metrics, 'featurestore_downsync_dead_lettered_total'),
    };
  } catch (e) {
    await worker.stop();
    throw e;
  }
}
