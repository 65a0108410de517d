/**
 * `featurestore downsync` in process, on the in-process stream (hooks.stream), SQLite and DuckDB: flags
 * refused before anything opens (exit 2, one line), the lifecycle as JSON lines, metrics over HTTP, a
 * clean stop on abort (as SIGTERM) that flushed and committed.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { downsyncCommand, DOWNSYNC_DEFAULTS, type DownsyncFlags } from '../../cli/downsync.ts';
import type { DownsyncWorker } from '../../runtime/downsync/index.ts';
import { MemoryFeatureStream } from '../../runtime/stream/memory/memory-feature-stream.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { eventually, loadFixture, roomCommand } from './helpers/fixture.ts';

const TOPIC = 'featurestore.commands';

describe('featurestore downsync (CLI)', () => {
  it.each([
    [['--flush-rows', '0'], 'invalid --flush-rows "0": expected an integer from 1 to 10000000'],
    [['--flush-ms', 'soon'], 'invalid --flush-ms "soon": expected an integer from 1 to 3600000'],
    [['--metrics-port', '70000'], 'invalid --metrics-port "70000": expected an integer from 0 to 65535'],
    [['--session-timeout-ms', '10'], 'invalid --session-timeout-ms "10": expected an integer from 1000 to 3600000'],
    [['--partitions-concurrently', '0'], 'invalid --partitions-concurrently "0": expected an integer from 1 to 1000'],
    [['--stream', 'carrier-pigeon'], 'invalid --stream "carrier-pigeon": expected kafka or memory'],
    [['--brokers', 'nohost'], 'invalid --brokers "nohost": "nohost" is not host:port'],
    [['--offline', 'parquet:x'], 'invalid --offline "parquet:x": expected duckdb:PATH or bigquery'],
    [['--keyspace', 'ks'], '--keyspace applies to --store cassandra only'],
  ])('refuses %j with exit 2 and one line', async (args, message) => {
    const r = await runCli(['downsync', '--generated', 'generated', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('runs until aborted: applies, serves metrics, logs its lifecycle, stops after a flush and a commit', async () => {
    const dir = await tempDir('downsync-cli');
    const fx = await loadFixture();
    const stream = new MemoryFeatureStream({ partitions: 2 });
    const records = Array.from({ length: 50 }, (_, i) => roomCommand(fx, 70_000n + BigInt(i % 10), new Date(1_000 + i), i));
    await stream.publish(TOPIC, records);
    let out = '';
    let err = '';
    const abort = new AbortController();
    let started: { worker: DownsyncWorker; metricsUrl: string | null } | null = null;
    const flags: DownsyncFlags = {
      group: DOWNSYNC_DEFAULTS.group,
      flushRows: '100',
      flushMs: '50',
      samplingSeed: 'seed',
      sessionTimeoutMs: '10000',
      metricsPort: '0',
      stream: 'memory',
      generated: 'generated',
      store: `sqlite:${path.join(dir, 'online.sqlite')}`,
      offline: `duckdb:${path.join(dir, 'offline.duckdb')}`,
    };
    const run = downsyncCommand(flags, { out: (t) => (out += t), err: (t) => (err += t) }, { stream, signal: abort.signal, signals: false, onStarted: (s) => (started = s) });
    await eventually(() => started !== null && started.worker.stats().applied === 50, 20_000, 'applied');
    const { worker, metricsUrl } = started!;
    const metrics = await (await fetch(metricsUrl!)).text();
    expect(metrics).toContain('featurestore_downsync_applied_total{feature="live::realtime-room-context-v1"} 50');
    expect(metrics).toContain('process_cpu_seconds_total');
    expect((await fetch(metricsUrl!.replace('/metrics', '/nope'))).status).toBe(404);
    abort.abort();
    expect(await run).toBe(0);
    expect(err).toBe('');
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { event: string; time: string; [k: string]: unknown });
    expect(lines.map((l) => l.event)).toEqual(['metrics', 'partitions assigned', 'started', 'stopping', 'partitions revoked', 'stopped']);
    expect(lines[1]).toMatchObject({ partitions: [0, 1] });
    expect(lines[2]).toMatchObject({ topic: TOPIC, group: DOWNSYNC_DEFAULTS.group, deadLetterTopic: `${TOPIC}.dlq`, flushRows: 100, flushMs: 50 });
    expect(lines[5]).toMatchObject({ applied: 50, deadLettered: 0, cacheClean: true });
    expect(worker.stats().commits).toBeGreaterThan(0);
    // Committed: another member of the group gets nothing.
    let redelivered = 0;
    const sub = await stream.subscribe({ topic: TOPIC, groupId: DOWNSYNC_DEFAULTS.group, handler: async (b) => void (redelivered += b.messages.length) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sub.close();
    expect(redelivered).toBe(0);
    await stream.close();
  });

  it('an unusable SQLite path is a usage error: exit 2, one line', async () => {
    const dir = await tempDir('downsync-cli');
    const r = await runCli(['downsync', '--generated', 'generated', '--stream', 'memory', '--store', `sqlite:${path.join(dir, 'no', 'such', 'dir', 'x.sqlite')}`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
