/**
 * The downsync worker on the embedded trio (in-process stream, SQLite online store, DuckDB offline
 * store): per-key order, out-of-order and duplicate delivery, replays, exact sampling counts across a
 * restart, dead letters for every kind of poison (the stream continues), unauthorised producers,
 * offsets committed only after the flush, graceful stop, metrics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { samplingDraw, type DeadLetter, type DownsyncWorker } from '../../runtime/downsync/index.ts';
import { cacheKey } from '../../runtime/cache/cache-key.ts';
import { OFFLINE_STORE_UNREACHABLE, OfflineStoreError, type OfflineStore } from '../../runtime/offline/offline-store.ts';
import type { StreamRecord } from '../../runtime/stream/feature-stream.ts';
import { partitionOf } from '../../runtime/stream/key-partitioner.ts';
import { embedded, TOPIC, type Embedded } from './helpers/embedded.ts';
import { commandRecord, eventually, HOST, loadFixture, PRODUCER, ROOM, roomCommand, WATCH, watchCommand, type Fixture } from './helpers/fixture.ts';

const T0 = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(T0 + ms);

let env: Embedded | null = null;
afterEach(async () => {
  await env?.close();
  env = null;
});

async function setup(overrides?: Parameters<typeof loadFixture>[0], options?: Parameters<typeof embedded>[1]): Promise<{ fx: Fixture; env: Embedded }> {
  const fx = await loadFixture(overrides);
  env = await embedded(fx, options);
  return { fx, env };
}

async function roomViewers(fx: Fixture, e: Embedded, rooms: readonly bigint[]): Promise<(number | null)[]> {
  const f = fx.feature(ROOM);
  const values = await e.online.getMany(f.table, rooms.map((r) => [r]));
  return values.map((v) => (v ? (f.serde.decode(v).viewer_count as number) : null));
}

async function processed(worker: DownsyncWorker, n: number): Promise<void> {
  await eventually(() => worker.stats().applied + worker.stats().deadLettered >= n, 20_000, `${n} commands processed`);
}

function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed;
  for (let i = items.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

describe('downsync worker (embedded)', () => {
  it('applies each key in order: the last command per key wins, History keeps every event once', async () => {
    const { fx, env: e } = await setup();
    const rooms = Array.from({ length: 20 }, (_, i) => 1_000n + BigInt(i));
    const records: StreamRecord[] = [];
    for (let v = 1; v <= 30; v++) for (const r of rooms) records.push(roomCommand(fx, r, at(v * 1_000), v * 10 + Number(r % 10n)));
    for (let i = 0; i < 25; i++) records.push(watchCommand(fx, 7n, at(i * 10), 100n + BigInt(i), i));
    await e.stream.publish(TOPIC, records);
    const w = await e.worker();
    await processed(w, records.length);
    await w.stop();
    expect(await roomViewers(fx, e, rooms)).toEqual(rooms.map((r) => 300 + Number(r % 10n)));
    const events = await e.online.latest(fx.feature(WATCH).table, [7n], 100);
    expect(events.map((ev) => ev.eventTime.getTime() - T0)).toEqual(Array.from({ length: 25 }, (_, i) => (24 - i) * 10));
    // Object commands are deduplicated per batch (newest per key), yet every one counts as applied.
    expect(w.stats().applied).toBe(records.length);
  });

  it('out-of-order and duplicate delivery never overwrite a newer value; replays add nothing offline', async () => {
    const { fx, env: e } = await setup({ [ROOM]: { enabled: true, minIntervalByKeyMs: 0, randomSamplingRatio: 1 } });
    const rooms = Array.from({ length: 10 }, (_, i) => 2_000n + BigInt(i));
    const records: StreamRecord[] = [];
    for (const r of rooms) for (let v = 1; v <= 20; v++) records.push(roomCommand(fx, r, at(v * 1_000), v));
    // Each command twice, the whole lot shuffled: newer commands arrive before older ones.
    const delivered = shuffle([...records, ...records], 42);
    await e.stream.publish(TOPIC, delivered);
    const w = await e.worker();
    await processed(w, delivered.length);
    await w.stop();
    expect(await roomViewers(fx, e, rooms)).toEqual(rooms.map(() => 20));
    const rows = await e.offlineRows(ROOM);
    expect(rows).toHaveLength(200);
    expect(new Set(rows.map((r) => `${String(r.values.room_id)}@${r.updatedAt.getTime()}`)).size).toBe(200);
    // A sampled row is the typed value of its command.
    const one = rows.find((r) => r.values.room_id === 2_003n && r.updatedAt.getTime() === T0 + 7_000)!;
    expect(one.values).toMatchObject({ room_id: 2_003n, viewer_count: 7, vision_labels: ['room', '7'], last_frame_at: null, is_adult_suspected: true });

    // A new group replays the whole topic: the stores do not change.
    const replay = await e.worker({ groupId: 'replay' });
    await processed(replay, delivered.length);
    await replay.stop();
    expect(await roomViewers(fx, e, rooms)).toEqual(rooms.map(() => 20));
    expect(await e.offlineRows(ROOM)).toHaveLength(200);
    expect(replay.stats().sampled).toBe(0);
    expect(replay.stats().offlineDuplicates).toBeGreaterThan(0);
  });

  it('samples exact counts with a seed, and a restart mid-stream changes none of them', async () => {
    const policy = { enabled: true, minIntervalByKeyMs: 60_000, randomSamplingRatio: 0.5 };
    const { fx, env: e } = await setup({ [ROOM]: policy });
    const f = fx.feature(ROOM);
    const rooms = Array.from({ length: 40 }, (_, i) => 3_000n + BigInt(i));
    const records: StreamRecord[] = [];
    const times = Array.from({ length: 30 }, (_, i) => i * 25_000); // every 25 s for 12.5 minutes
    for (const t of times) for (const r of rooms) records.push(roomCommand(fx, r, at(t), t / 1000));
    // The oracle: the rule written out independently of the worker.
    let expected = 0;
    for (const r of rooms) {
      let last: number | null = null;
      const entity = cacheKey(ROOM, f.table.keyColumns, [r]);
      for (const t of times) {
        const ms = T0 + t;
        if (last !== null && ms < last + 60_000) continue;
        if (samplingDraw('test-seed', ROOM, entity, ms) >= 0.5) continue;
        expected++;
        last = ms;
      }
    }
    expect(expected).toBeGreaterThan(100);

    await e.stream.publish(TOPIC, records.slice(0, 600));
    const first = await e.worker();
    await processed(first, 600);
    await first.stop();
    // The second worker starts from the committed offsets with the state the first saved.
    await e.stream.publish(TOPIC, records.slice(600));
    const second = await e.worker();
    await processed(second, records.length - 600);
    await second.stop();
    const rows = await e.offlineRows(ROOM);
    expect(rows).toHaveLength(expected);
    expect(first.stats().sampled + second.stats().sampled).toBe(expected);
    // No two rows of a key closer than the interval.
    const byRoom = new Map<string, number[]>();
    for (const r of rows) byRoom.set(String(r.values.room_id), [...(byRoom.get(String(r.values.room_id)) ?? []), r.updatedAt.getTime()]);
    for (const ts of byRoom.values()) {
      ts.sort((a, b) => a - b);
      for (let i = 1; i < ts.length; i++) expect(ts[i]! - ts[i - 1]!).toBeGreaterThanOrEqual(60_000);
    }
  });

  it('dead-letters every kind of poison with its reason, and the stream continues', async () => {
    const { fx, env: e } = await setup();
    const good = (v: number) => roomCommand(fx, 9_000n, at(v), v);
    const poison: StreamRecord[] = [
      { key: new Uint8Array([1, 2]), value: new Uint8Array([0xff, 0xff, 0xff]) },
      commandRecord(fx, ROOM, [9_001n], at(1), {}, { valueBytes: new Uint8Array([1]) }),
      roomCommand(fx, 9_001n, at(1), 1, { writerSchemaId: 12345n }),
      commandRecord(fx, WATCH, [5n], at(1), { watched_at: at(2), room_id: 1n, watch_seconds: 1, category_tags: [], gift_amounts: [] }),
      { key: good(1).key, value: roomCommand(fx, 9_002n, at(1), 1).value },
      { key: good(1).key, value: mutateFeature(roomCommand(fx, 9_000n, at(1), 1).value, ROOM, 'live::no-such-thing-v1') },
    ];
    const records = [good(1), ...poison, good(2)];
    await e.stream.publish(TOPIC, records);
    const w = await e.worker();
    await processed(w, records.length);
    await w.stop();
    expect(await roomViewers(fx, e, [9_000n, 9_001n, 9_002n])).toEqual([2, null, null]);
    const letters = (await e.topic(`${TOPIC}.dlq`)).map((m) => JSON.parse(new TextDecoder().decode(m.value)) as DeadLetter);
    expect(letters.map((l) => l.reason).sort()).toEqual(['event-time-mismatch', 'malformed', 'malformed', 'undecodable', 'unknown-feature', 'unknown-schema'].sort());
    const garbage = letters.find((l) => l.feature === null)!;
    expect(garbage).toMatchObject({ reason: 'malformed', producer: null, topic: TOPIC, key: Buffer.from([1, 2]).toString('base64'), value: Buffer.from([0xff, 0xff, 0xff]).toString('base64') });
    expect(garbage.message).toMatch(/cannot decode/);
    expect(letters.find((l) => l.reason === 'unknown-schema')!.message).toContain('12345');
    expect(letters.find((l) => l.reason === 'unknown-feature')!.feature).toBe('live::no-such-thing-v1');
    expect(w.stats().deadLettered).toBe(6);
    expect(await w.registry.render()).toMatch(/featurestore_downsync_dead_lettered_total\{reason="malformed"\} 2/);
  });

  it('refuses commands from a producer without write access (dead letter, nothing written)', async () => {
    const { fx, env: e } = await setup();
    const records = [
      roomCommand(fx, 9_100n, at(1), 1, { producer: 'upsync-worker' }),
      roomCommand(fx, 9_101n, at(1), 1, { producer: 'nobody' }),
      commandRecord(fx, HOST, ['host-1'], at(1), { gender: 'F', level: 1n, country_code: 'KR', birthday: '2000-01-01' }, { producer: PRODUCER }),
      roomCommand(fx, 9_102n, at(1), 5),
    ];
    await e.stream.publish(TOPIC, records);
    const w = await e.worker();
    await processed(w, records.length);
    await w.stop();
    expect(await roomViewers(fx, e, [9_100n, 9_101n, 9_102n])).toEqual([null, null, 5]);
    expect(await e.online.getMany(fx.feature(HOST).table, [['host-1']])).toEqual([null]);
    const letters = (await e.topic(`${TOPIC}.dlq`)).map((m) => JSON.parse(new TextDecoder().decode(m.value)) as DeadLetter);
    expect(letters.map((l) => [l.reason, l.producer, l.feature])).toEqual(
      expect.arrayContaining([
        ['unauthorised', 'upsync-worker', ROOM],
        ['unauthorised', 'nobody', ROOM],
        ['unauthorised', PRODUCER, HOST],
      ]),
    );
    expect(letters).toHaveLength(3);
  });

  it('commits only after the flush: a worker that joins before it gets the uncommitted commands again', async () => {
    const { fx, env: e } = await setup({ [ROOM]: { enabled: true, minIntervalByKeyMs: 0, randomSamplingRatio: 1 } }, { partitions: 2 });
    const records = Array.from({ length: 200 }, (_, i) => roomCommand(fx, 4_000n + BigInt(i % 50), at(i), i));
    await e.stream.publish(TOPIC, records);
    const a = await e.worker({ flushMs: 600_000, flushRows: 100_000 });
    await processed(a, 200);
    expect(a.stats().commits).toBe(0);
    expect(await e.offlineRows(ROOM)).toHaveLength(0);
    // B joins: the partitions are split, and B's share arrives again from the (absent) commits.
    const b = await e.worker({ flushMs: 600_000, flushRows: 100_000 });
    await eventually(() => b.stats().applied > 0, 10_000, 'redelivery to the second worker');
    await a.stop();
    await b.stop();
    expect(await e.offlineRows(ROOM)).toHaveLength(200);
    // Both stopped with a flush and a commit: a third member of the group gets nothing.
    const c = await e.worker();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(c.stats().batches).toBe(0);
    await c.stop();
  });

  it('a partition that comes back after another worker moved its sampler state on: the state is loaded again', async () => {
    const { fx, env: e } = await setup({ [ROOM]: { enabled: true, minIntervalByKeyMs: 60_000, randomSamplingRatio: 1 } }, { partitions: 2 });
    // Rooms of partition 1: the one the second worker takes (range assignment in join order).
    const rooms = Array.from({ length: 200 }, (_, i) => 8_000n + BigInt(i)).filter((r) => partitionOf(roomCommand(fx, r, at(0), 0).key, 2) === 1).slice(0, 20);
    const publish = (seconds: readonly number[]) => e.stream.publish(TOPIC, seconds.flatMap((s) => rooms.map((r) => roomCommand(fx, r, at(s * 1_000), s))));
    const a = await e.worker({ flushMs: 20 });
    await publish([0, 20, 40]); // sampled: 0
    await eventually(async () => (await e.offlineRows(ROOM)).length === 20 && a.stats().commits > 0, 10_000, 'phase 1 flushed');
    const b = await e.worker({ flushMs: 20 });
    expect(b.assignment()).toEqual([1]);
    await publish([60, 80, 100]); // sampled: 60 (by the second worker)
    await eventually(() => b.stats().applied === 60, 10_000, 'phase 2 applied');
    await b.stop();
    expect(await e.offlineRows(ROOM)).toHaveLength(40);
    // Back with the first worker, which knew the state as 0: 110 is within a minute of 60, not sampled.
    await publish([110, 120]); // sampled: 120
    await eventually(() => a.stats().applied === 60 + 40, 10_000, 'phase 3 applied');
    await a.stop();
    const times = (await e.offlineRows(ROOM)).map((r) => (r.updatedAt.getTime() - T0) / 1_000);
    expect(times.filter((t) => t === 110)).toEqual([]);
    expect(times.sort((x, y) => x - y)).toEqual([...rooms.map(() => 0), ...rooms.map(() => 60), ...rooms.map(() => 120)]);
  });

  it('loads the sampler state once per key per assignment, and again after a rebalance revoked it', async () => {
    const { fx, env: e } = await setup({ [ROOM]: { enabled: true, minIntervalByKeyMs: 60_000, randomSamplingRatio: 1 } }, { partitions: 2, maxBatchSize: 10 });
    const rooms = Array.from({ length: 20 }, (_, i) => 9_000n + BigInt(i));
    const a = await e.worker({ flushMs: 20 });
    // Three rounds of every room, in batches of 10: each room's state is loaded by the first only.
    for (const s of [0, 10, 20]) await e.stream.publish(TOPIC, rooms.map((r) => roomCommand(fx, r, at(s * 1_000), s)));
    await processed(a, 60);
    await eventually(() => a.stats().commits > 0, 5_000, 'committed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(a.stats().stateLoads).toBe(20);
    expect(a.stats().assignments).toBe(1);
    // A second member joins and leaves: two rebalances, each revoking everything a held.
    const b = await e.worker({ flushMs: 20 });
    await b.stop();
    await eventually(() => a.assignment().length === 2, 5_000, 'partitions back');
    expect(a.stats().assignments).toBe(3);
    expect(e.logs.filter((l) => l.event === 'partitions revoked').length).toBeGreaterThanOrEqual(3);
    await e.stream.publish(TOPIC, rooms.map((r) => roomCommand(fx, r, at(90_000), 90)));
    await processed(a, 80);
    // Loaded again (b did not take any of these rooms' commands: nothing was published while it held them).
    expect(a.stats().stateLoads).toBe(40);
    await a.stop();
    const times = (await e.offlineRows(ROOM)).map((r) => (r.updatedAt.getTime() - T0) / 1_000);
    expect(times.sort((x, y) => x - y)).toEqual([...rooms.map(() => 0), ...rooms.map(() => 90)]);
  });

  it('a slow offline store with partitions in flight together: every command once, all committed, no partition lost', async () => {
    const { fx, env: e } = await setup({ [ROOM]: { enabled: true, minIntervalByKeyMs: 0, randomSamplingRatio: 1 } }, { partitions: 4, maxBatchSize: 10 });
    let appends = 0;
    let slowest = 0;
    const slow: OfflineStore = {
      read: e.offline.read.bind(e.offline),
      append: async (table, rows) => {
        const t = performance.now();
        await new Promise((resolve) => setTimeout(resolve, 150));
        appends++;
        const result = await e.offline.append(table, rows);
        slowest = Math.max(slowest, performance.now() - t);
        return result;
      },
      ping: () => e.offline.ping(),
      close: async () => {},
    };
    const records = Array.from({ length: 400 }, (_, i) => roomCommand(fx, 11_000n + BigInt(i), at(i), i));
    const w = await e.worker({ offline: slow, flushRows: 50, flushMs: 600_000, heartbeatMs: 20 });
    await e.stream.publish(TOPIC, records);
    await processed(w, 400);
    await w.stop();
    expect(appends).toBeGreaterThan(2);
    expect(slowest).toBeGreaterThanOrEqual(140);
    // applied counts every apply: a batch delivered again would show as more than 400.
    expect(w.stats()).toMatchObject({ applied: 400, assignments: 1, sampled: 400, offlineDuplicates: 0 });
    expect(await e.offlineRows(ROOM)).toHaveLength(400);
    // Everything committed: a new member of the group gets nothing.
    const next = await e.worker();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(next.stats().batches).toBe(0);
  });

  it('flushes every N rows', async () => {
    const { fx, env: e } = await setup({ [ROOM]: { enabled: true, minIntervalByKeyMs: 0, randomSamplingRatio: 1 } }, { partitions: 1, maxBatchSize: 10 });
    const records = Array.from({ length: 100 }, (_, i) => roomCommand(fx, 5_000n + BigInt(i), at(i), i));
    await e.stream.publish(TOPIC, records);
    const w = await e.worker({ flushMs: 600_000, flushRows: 30 });
    await processed(w, 100);
    // 10 batches of 10 rows: a flush (and commit) after the 3rd, 6th and 9th.
    expect(w.stats().commits).toBe(3);
    expect(await e.offlineRows(ROOM)).toHaveLength(90);
    await w.stop();
    expect(await e.offlineRows(ROOM)).toHaveLength(100);
  });

  it('reports lag, applied and freshness metrics, and logs its lifecycle', async () => {
    const { fx, env: e } = await setup(undefined, { partitions: 1, maxBatchSize: 10 });
    await e.stream.publish(TOPIC, Array.from({ length: 30 }, (_, i) => roomCommand(fx, 6_000n + BigInt(i), new Date(Date.now() - 2_000), i)));
    const w = await e.worker();
    await processed(w, 30);
    await w.stop();
    const text = await w.registry.render();
    expect(text).toContain(`featurestore_downsync_applied_total{feature="${ROOM}"} 30`);
    expect(text).toContain('featurestore_downsync_consumer_lag{partition="0"} 0');
    expect(text).toMatch(/featurestore_downsync_freshness_seconds_count\{source="event_time"\} 30/);
    expect(text).toMatch(/featurestore_downsync_freshness_seconds_bucket\{le="1",source="event_time"\} 0/);
    expect(text).toMatch(/featurestore_downsync_freshness_seconds_bucket\{le="5",source="event_time"\} 30/);
    expect(text).toContain('featurestore_downsync_pending_cache_invalidations 0');
    expect(e.logs.map((l) => l.event)).toEqual(['partitions assigned', 'started', 'stopping', 'partitions revoked', 'stopped']);
  });

  it('an offline store that fails: the batch is delivered again, nothing is committed, and once it recovers each row is appended once', async () => {
    const { fx, env: e } = await setup({ [ROOM]: { enabled: true, minIntervalByKeyMs: 0, randomSamplingRatio: 1 } }, { partitions: 1, maxBatchSize: 25 });
    let failures = 4;
    const flaky: OfflineStore = {
      read: e.offline.read.bind(e.offline),
      append: async (table, rows) => {
        if (failures > 0) {
          failures--;
          throw new OfflineStoreError(OFFLINE_STORE_UNREACHABLE, 'offline store down (test)');
        }
        return e.offline.append(table, rows);
      },
      ping: () => e.offline.ping(),
      close: async () => {},
    };
    const records = Array.from({ length: 100 }, (_, i) => roomCommand(fx, 7_000n + BigInt(i), at(i), i));
    await e.stream.publish(TOPIC, records);
    const w = await e.worker({ offline: flaky, flushRows: 50, flushMs: 600_000 });
    await eventually(() => failures <= 2, 10_000, 'failed flushes');
    expect(w.stats().commits).toBe(0);
    // Retried every 20 ms, logged once (then once per 5 s with a count).
    expect(e.logs.filter((l) => l.event === 'batch failed')).toHaveLength(1);
    // The online writes happened (and happen again on redelivery: idempotent).
    expect((await roomViewers(fx, e, [7_000n]))[0]).toBe(0);
    await eventually(() => failures === 0 && w.stats().sampled >= 50, 10_000, 'recovered');
    await w.stop();
    const rows = await e.offlineRows(ROOM);
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((r) => String(r.values.room_id))).size).toBe(100);
    expect(w.stats().commits).toBeGreaterThan(0);
    expect(e.logs.find((l) => l.event === 'batch failed')!.fields.error).toBe('offline store down (test)');
  });

  it('stop() with an offline store that stays down: no commit, the flush error is reported', async () => {
    const { fx, env: e } = await setup({ [ROOM]: { enabled: true, minIntervalByKeyMs: 0, randomSamplingRatio: 1 } }, { partitions: 1 });
    const down: OfflineStore = {
      read: e.offline.read.bind(e.offline),
      append: async () => {
        throw new OfflineStoreError(OFFLINE_STORE_UNREACHABLE, 'offline store down (test)');
      },
      ping: () => e.offline.ping(),
      close: async () => {},
    };
    await e.stream.publish(TOPIC, [roomCommand(fx, 7_500n, at(1), 1)]);
    const w = await e.worker({ offline: down, flushMs: 600_000 });
    await processed(w, 1);
    await expect(w.stop()).rejects.toThrow('offline store down (test)');
    expect(w.stats().commits).toBe(0);
    expect(e.logs.map((l) => l.event)).toContain('flush failed');
    // Uncommitted: the next member of the group gets the command again.
    const again = await e.worker({ groupId: 'downsync' });
    await processed(again, 1);
  });

  it('refuses bad flush settings', async () => {
    const { env: e } = await setup();
    await expect(e.worker({ flushRows: 0 })).rejects.toThrow('flushRows must be a positive integer, got 0');
    await expect(e.worker({ flushMs: 1.5 })).rejects.toThrow('flushMs must be a positive integer, got 1.5');
    await expect(e.worker({ heartbeatMs: 0 })).rejects.toThrow('heartbeatMs must be a positive integer, got 0');
  });
});

/** The same envelope with another feature name (the record key is left as it was). */
function mutateFeature(value: Uint8Array, from: string, to: string): Uint8Array {
  const buf = Buffer.from(value);
  // The feature is the envelope's first field: a zig-zag length, then the UTF-8 name.
  const rest = buf.subarray(1 + from.length);
  return Buffer.concat([Buffer.from([to.length * 2]), Buffer.from(to), rest]);
}
