/**
 * The crash test: a 100,000-command stream on the real Kafka, consumed by `featurestore downsync` in a
 * child process that is killed with SIGKILL ten times at random points (mid-batch, between the online
 * write and the offline flush, between the flush and the commit) and restarted each time, then left to
 * finish and stopped with SIGTERM. Afterwards:
 * - the online state (SQLite) is the newest command per key, whatever was redelivered, and every
 *   History event is there once;
 * - the offline store (a DuckDB file) holds exactly the rows a single clean run would have sampled (the
 *   rule computed independently here): nothing lost, nothing duplicated, and no burst of extra samples
 *   after a restart (the sampler state survived in the SQLite file).
 * Each restart waits for the dead member's session to expire (6 s, the broker's minimum), so the test
 * takes about a minute.
 */
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheKey } from '../../runtime/cache/cache-key.ts';
import { samplingDraw } from '../../runtime/downsync/index.ts';
import { offlineTableOf } from '../../runtime/offline/offline-table.ts';
import { openOfflineStore } from '../../runtime/offline/open-offline-store.ts';
import { SqliteOnlineStore } from '../../runtime/online/sqlite/sqlite-online-store.ts';
import { openKafkaFeatureStream } from '../../runtime/stream/kafka/kafka-feature-stream.ts';
import type { StreamRecord } from '../../runtime/stream/feature-stream.ts';
import { committedOffsets } from '../helpers/kafka-admin.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { eventually, loadFixture, ROOM, roomCommand, WATCH, watchCommand } from './helpers/fixture.ts';
import { WorkerProcess } from './helpers/worker-process.ts';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const topic = `featurestore.test.kill9.${run}`;
const group = `kill9-${run}`;
const SEED = 'kill9-seed';
const ROOMS = 1_000;
const ROOM_UPDATES = 70;
const VIEWERS = 500;
const VIEWER_EVENTS = 60;
const KILLS = 10;
const T0 = Date.UTC(2026, 2, 1);

const kafka = new Kafka({ clientId: 'featurestore-test', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const children: WorkerProcess[] = [];

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => {});
  await admin.disconnect();
});

const committed = () => committedOffsets(admin, group, topic);

describe('downsync under kill -9 (Kafka, SQLite, DuckDB)', () => {
  it(`ends with the newest value per key and each sampled row once after ${KILLS} kills during 100,000 commands`, async () => {
    const fx = await loadFixture();
    const dir = await tempDir('kill9');
    const sqlite = path.join(dir, 'online.sqlite');
    const duckdb = path.join(dir, 'offline.duckdb');
    await admin.connect();
    const stream = await openKafkaFeatureStream({ brokers, clientId: 'kill9-producer' });
    await stream.createTopic(topic, 4);

    // 70,000 room updates (Object, sampled 60 s / 0.9): every 10 s per room, one in five swapped with its
    // predecessor (out of order). 30,000 watch events (History, every one sampled).
    const records: StreamRecord[] = [];
    const roomOrder = new Map<bigint, number[]>();
    for (let seq = 0; seq < ROOM_UPDATES; seq++) {
      for (let r = 0; r < ROOMS; r++) {
        const room = 10_000n + BigInt(r);
        const list = roomOrder.get(room) ?? [];
        list.push(seq);
        if (seq > 0 && (seq * 7 + r) % 5 === 0) [list[seq - 1], list[seq]] = [list[seq]!, list[seq - 1]!];
        roomOrder.set(room, list);
      }
    }
    const watchSeq: number[] = Array.from({ length: VIEWERS }, () => 0);
    for (let seq = 0; seq < ROOM_UPDATES; seq++) {
      for (let r = 0; r < ROOMS; r++) {
        const room = 10_000n + BigInt(r);
        const s = roomOrder.get(room)![seq]!;
        records.push(roomCommand(fx, room, new Date(T0 + s * 10_000), s));
        // Interleave the watch events evenly.
        if (r % 2 === 0 && records.length % 7 !== 0) continue;
        const v = (seq * ROOMS + r) % VIEWERS;
        if (watchSeq[v]! < VIEWER_EVENTS) {
          const j = watchSeq[v]!++;
          records.push(watchCommand(fx, 50_000n + BigInt(v), new Date(T0 + j * 1_000 + v), BigInt(j), j));
        }
      }
    }
    for (let v = 0; v < VIEWERS; v++) while (watchSeq[v]! < VIEWER_EVENTS) {
      const j = watchSeq[v]!++;
      records.push(watchCommand(fx, 50_000n + BigInt(v), new Date(T0 + j * 1_000 + v), BigInt(j), j));
    }
    expect(records).toHaveLength(ROOMS * ROOM_UPDATES + VIEWERS * VIEWER_EVENTS);
    for (let i = 0; i < records.length; i += 5_000) await stream.publish(topic, records.slice(i, i + 5_000));
    await stream.close();

    // The oracle: what one clean run samples for the rooms (per key in delivery order).
    const roomTable = fx.feature(ROOM).table;
    const expectedRooms = new Set<string>();
    for (const [room, order] of roomOrder) {
      const entity = cacheKey(ROOM, roomTable.keyColumns, [room]);
      let last: number | null = null;
      for (const s of order) {
        const ms = T0 + s * 10_000;
        if (last !== null && ms === last) continue;
        if (last !== null && ms < last + 60_000) continue;
        if (samplingDraw(SEED, ROOM, entity, ms) >= 0.9) continue;
        expectedRooms.add(`${room}@${ms}`);
        last = ms;
      }
    }

    const args = [
      '--stream', 'kafka', '--brokers', brokers.join(','), '--topic', topic, '--group', group,
      '--generated', 'generated', '--store', `sqlite:${sqlite}`, '--offline', `duckdb:${duckdb}`,
      '--flush-rows', '2000', '--flush-ms', '200', '--sampling-seed', SEED, '--session-timeout-ms', '6000',
      // One partition at a time: a commit then covers one kafkajs batch (~9,000 commands), so the
      // progress-then-kill rule below fits 10 stints in 100,000 commands. With 4 partitions at once a
      // commit covers ~4 batches and the stream is done in 3 or 4 stints.
      '--partitions-concurrently', '1',
    ];
    const total = records.length;
    const started = Date.now();
    let kills = 0;
    let last = 0;
    while (kills < KILLS) {
      const worker = new WorkerProcess(args);
      children.push(worker);
      // Killed once it has made progress since the last restart, at a random point after that.
      await eventually(async () => (await committed()) > last + 1_000 || worker.exitCode !== null, 60_000, 'progress after a restart');
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 300)));
      worker.kill('SIGKILL');
      const exit = await worker.exited;
      expect(exit.signal, worker.stderr).toBe('SIGKILL');
      kills++;
      last = await committed();
      if (last >= total) break;
    }
    expect(kills).toBe(KILLS);
    expect(last).toBeLessThan(total);

    const final = new WorkerProcess(args);
    children.push(final);
    await eventually(async () => (await committed()) >= total, 90_000, 'every command committed');
    final.kill('SIGTERM');
    expect((await final.exited).code, final.stderr).toBe(0);
    expect(final.lines.map((l) => l.event)).toEqual(expect.arrayContaining(['started', 'stopping', 'stopped']));
    console.log(`kill9: ${total} commands, ${kills} kills, ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // Online: the newest command per room; every watch event once.
    const online = new SqliteOnlineStore({ path: sqlite });
    try {
      const rooms = [...roomOrder.keys()];
      const values = await online.getMany(roomTable, rooms.map((r) => [r]));
      const serde = fx.feature(ROOM).serde;
      expect(values.map((v) => (v ? serde.decode(v).viewer_count : null))).toEqual(rooms.map(() => ROOM_UPDATES - 1));
      for (let v = 0; v < VIEWERS; v += 7) {
        const events = await online.latest(fx.feature(WATCH).table, [50_000n + BigInt(v)], 1_000);
        expect(events.map((e) => e.eventTime.getTime())).toEqual(Array.from({ length: VIEWER_EVENTS }, (_, j) => T0 + (VIEWER_EVENTS - 1 - j) * 1_000 + v));
      }
    } finally {
      await online.close();
    }

    // Offline: exactly the oracle's rows, once each.
    const tables = Object.values(fx.manifest.features).map(offlineTableOf);
    const offline = await openOfflineStore({ kind: 'duckdb', path: duckdb, tables });
    try {
      const read = async (name: string) => {
        const out: string[] = [];
        const table = tables.find((t) => t.featureName === name)!;
        for await (const page of offline.read(table, { since: null })) {
          for (const row of page) out.push(`${String(row.values[table.keyColumns[0]!])}@${name === ROOM ? row.updatedAt.getTime() : (row.values.watched_at as Date).getTime()}`);
        }
        return out;
      };
      const roomRows = await read(ROOM);
      expect(roomRows.length).toBe(expectedRooms.size);
      expect(new Set(roomRows)).toEqual(expectedRooms);
      const watchRows = await read(WATCH);
      expect(watchRows.length).toBe(VIEWERS * VIEWER_EVENTS);
      expect(new Set(watchRows).size).toBe(VIEWERS * VIEWER_EVENTS);
    } finally {
      await offline.close();
    }
  }, 240_000);
});
