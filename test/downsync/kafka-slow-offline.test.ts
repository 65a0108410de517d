/**
 * Liveness on the real Kafka: an offline store whose append takes longer than the group's session
 * timeout. The worker heartbeats while its handler waits for the flush, so the broker keeps the member:
 * no rebalance (one assignment, nothing revoked before stop), nothing delivered twice, all committed.
 * Without the heartbeats the broker drops the member after 6 s and the batch comes back.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DownsyncWorker } from '../../runtime/downsync/index.ts';
import { SqliteSamplerStateStore } from '../../runtime/downsync/sqlite-sampler-state.ts';
import type { OfflineStore } from '../../runtime/offline/offline-store.ts';
import { offlineTableOf } from '../../runtime/offline/offline-table.ts';
import { openOfflineStore } from '../../runtime/offline/open-offline-store.ts';
import { SqliteOnlineStore } from '../../runtime/online/sqlite/sqlite-online-store.ts';
import { openKafkaFeatureStream, type KafkaFeatureStream } from '../../runtime/stream/kafka/kafka-feature-stream.ts';
import { WritePath } from '../../runtime/write/write-path.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { eventually, loadFixture, ROOM, roomCommand } from './helpers/fixture.ts';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const run = `featurestore.test.slow-offline.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 6)}`;
let stream: KafkaFeatureStream | null = null;

afterAll(async () => {
  if (!stream) return;
  const admin = stream.kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [run] }).catch(() => {});
  await admin.disconnect();
  await stream.close();
});

describe('downsync worker on Kafka with a slow offline store', () => {
  it('an append longer than the session timeout: the member keeps its partitions, nothing is delivered twice', async () => {
    const fx = await loadFixture({ [ROOM]: { enabled: true, minIntervalByKeyMs: 0, randomSamplingRatio: 1 } });
    const dir = await tempDir('downsync-slow');
    const file = path.join(dir, 'online.sqlite');
    const online = new SqliteOnlineStore({ path: file, tables: [...fx.catalog.features.values()].map((f) => f.table) });
    const offline = await openOfflineStore({ kind: 'duckdb', path: path.join(dir, 'offline.duckdb'), tables: Object.values(fx.manifest.features).map(offlineTableOf) });
    const state = new SqliteSamplerStateStore(file);
    let appends = 0;
    const slow: OfflineStore = {
      read: offline.read.bind(offline),
      append: async (table, rows) => {
        // The first append takes 9 s: longer than the 6 s session timeout.
        if (appends++ === 0) await new Promise((resolve) => setTimeout(resolve, 9_000));
        return offline.append(table, rows);
      },
      ping: () => offline.ping(),
      close: async () => {},
    };
    stream = await openKafkaFeatureStream({ brokers, clientId: 'featurestore-slow-offline', sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 });
    await stream.createTopic(run, 2);
    const logs: string[] = [];
    const worker = new DownsyncWorker({
      stream,
      topic: run,
      groupId: `${run}.group`,
      catalog: fx.catalog,
      features: fx.features,
      writePath: new WritePath(fx.catalog, online),
      cache: null,
      offline: slow,
      samplerState: state,
      flushRows: 10,
      flushMs: 600_000,
      heartbeatMs: 500,
      log: (event) => logs.push(event),
    });
    try {
      await worker.start();
      await stream.publish(run, Array.from({ length: 40 }, (_, i) => roomCommand(fx, 40_000n + BigInt(i), new Date(Date.UTC(2026, 5, 1) + i), i)));
      await eventually(() => worker.stats().sampled === 40, 60_000, 'all sampled');
      // Past the point where a silent member would have been dropped and its batch redelivered.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(appends).toBeGreaterThanOrEqual(1);
      expect(worker.stats()).toMatchObject({ applied: 40, sampled: 40, offlineDuplicates: 0, assignments: 1 });
      expect(logs.filter((e) => e === 'partitions revoked')).toEqual([]);
    } finally {
      await worker.stop();
      await state.close();
      await offline.close();
      await online.close();
    }
  }, 120_000);
});
