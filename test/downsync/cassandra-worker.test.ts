/**
 * The worker into Cassandra (the lead's last-writer-wins: `USING TIMESTAMP` of the event time): shuffled,
 * duplicated commands leave the newest value per key, History events are stored once each, and the
 * sampler state lives in the keyspace (a second worker in the group continues from it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CassandraSamplerStateStore } from '../../runtime/downsync/cassandra-sampler-state.ts';
import { DownsyncWorker } from '../../runtime/downsync/index.ts';
import { offlineTableOf } from '../../runtime/offline/offline-table.ts';
import { openOfflineStore } from '../../runtime/offline/open-offline-store.ts';
import type { OfflineStore } from '../../runtime/offline/offline-store.ts';
import { CassandraOnlineStore } from '../../runtime/online/cassandra/cassandra-online-store.ts';
import type { StreamRecord } from '../../runtime/stream/feature-stream.ts';
import { MemoryFeatureStream } from '../../runtime/stream/memory/memory-feature-stream.ts';
import { WritePath } from '../../runtime/write/write-path.ts';
import { createTestKeyspace, dropTestKeyspace } from '../conformance/cassandra-keyspace.ts';
import { testCassandraClient } from '../helpers/cassandra.ts';
import { eventually, loadFixture, ROOM, roomCommand, WATCH, watchCommand } from './helpers/fixture.ts';

const TOPIC = 'featurestore.commands';
const T0 = Date.UTC(2026, 4, 1);
let keyspace: string;
let online: CassandraOnlineStore;
let state: CassandraSamplerStateStore;
let offline: OfflineStore;

beforeAll(async () => {
  keyspace = await createTestKeyspace('downsync_worker');
  online = new CassandraOnlineStore({ client: testCassandraClient(), keyspace, ownsClient: true });
  state = new CassandraSamplerStateStore({ client: testCassandraClient(), keyspace, ownsClient: true });
});
afterAll(async () => {
  await online?.close();
  await state?.close();
  await offline?.close();
  if (keyspace) await dropTestKeyspace(keyspace);
});

describe('downsync worker into Cassandra', () => {
  it('newest value per key whatever the delivery order, History once, sampler state in the keyspace', async () => {
    const fx = await loadFixture({ [ROOM]: { enabled: true, minIntervalByKeyMs: 60_000, randomSamplingRatio: 1 } });
    offline = await openOfflineStore({ kind: 'duckdb', path: ':memory:', tables: Object.values(fx.manifest.features).map(offlineTableOf) });
    const stream = new MemoryFeatureStream({ partitions: 4, maxBatchSize: 50 });
    const rooms = Array.from({ length: 30 }, (_, i) => 30_000n + BigInt(i));
    const records: StreamRecord[] = [];
    for (const r of rooms) for (let s = 0; s < 10; s++) records.push(roomCommand(fx, r, new Date(T0 + s * 30_000), s));
    for (let j = 0; j < 20; j++) records.push(watchCommand(fx, 77n, new Date(T0 + j * 1_000), BigInt(j), j));
    // Reversed (newest first) and every command twice.
    const delivered = [...records, ...records].reverse();
    const worker = (group = 'downsync') =>
      new DownsyncWorker({
        stream,
        topic: TOPIC,
        groupId: group,
        catalog: fx.catalog,
        features: fx.features,
        writePath: new WritePath(fx.catalog, online),
        cache: null,
        offline,
        samplerState: state,
        flushMs: 50,
      });
    await stream.publish(TOPIC, delivered.slice(0, 300));
    const a = worker();
    await a.start();
    await eventually(() => a.stats().applied === 300, 30_000, 'first part');
    await a.stop();
    await stream.publish(TOPIC, delivered.slice(300));
    const b = worker();
    await b.start();
    await eventually(() => b.stats().applied === delivered.length - 300, 30_000, 'second part');
    await b.stop();
    await stream.close();

    const f = fx.feature(ROOM);
    const values = await online.getMany(f.table, rooms.map((r) => [r]));
    expect(values.map((v) => (v ? f.serde.decode(v).viewer_count : null))).toEqual(rooms.map(() => 9));
    const events = await online.latest(fx.feature(WATCH).table, [77n], 100);
    expect(events.map((e) => e.eventTime.getTime() - T0)).toEqual(Array.from({ length: 20 }, (_, j) => (19 - j) * 1_000));
    // Newest first: the first command of each room sampled is its newest (270 s); every older one is behind it.
    const sampled = [];
    for await (const page of offline.read(offlineTableOf(fx.manifest.features[ROOM]!), { since: null })) sampled.push(...page);
    expect(sampled.map((r) => r.updatedAt.getTime() - T0)).toEqual(rooms.map(() => 270_000));
    expect((await state.load(ROOM, [`fs:{${ROOM}}:${rooms[0]}`])).get(`fs:{${ROOM}}:${rooms[0]}`)).toBe(T0 + 270_000);
  });
});
