/**
 * `featurestore downsync` on the real Kafka (in process, SQLite and DuckDB): the dead-letter topic is
 * created beside the command topic, poison and unauthorised commands land in it with their reason while
 * the good ones around them are applied, lag is reported from Kafka's high watermark, and a command
 * topic that does not exist is one line and exit 1 (a typo must not create a topic).
 */
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { downsyncCommand, DOWNSYNC_CLI_ERRORS, DOWNSYNC_DEFAULTS, type DownsyncFlags } from '../../cli/downsync.ts';
import type { DeadLetter, DownsyncWorker } from '../../runtime/downsync/index.ts';
import { SqliteOnlineStore } from '../../runtime/online/sqlite/sqlite-online-store.ts';
import { openKafkaFeatureStream } from '../../runtime/stream/kafka/kafka-feature-stream.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { eventually, loadFixture, ROOM, roomCommand } from './helpers/fixture.ts';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const topic = `featurestore.test.cli.${run}`;
const kafka = new Kafka({ clientId: 'featurestore-test', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();

afterAll(async () => {
  await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => {});
  await admin.disconnect();
});

async function flags(extra: Partial<DownsyncFlags> = {}): Promise<DownsyncFlags> {
  const dir = await tempDir('downsync-kafka');
  return {
    group: `cli-${run}`,
    flushRows: '1000',
    flushMs: '100',
    samplingSeed: 'seed',
    sessionTimeoutMs: '6000',
    stream: 'kafka',
    brokers: brokers.join(','),
    topic,
    generated: 'generated',
    store: `sqlite:${path.join(dir, 'online.sqlite')}`,
    offline: `duckdb:${path.join(dir, 'offline.duckdb')}`,
    ...extra,
  };
}

describe('featurestore downsync on Kafka', () => {
  it('dead-letters to <topic>.dlq and keeps going', async () => {
    const fx = await loadFixture();
    await admin.connect();
    const stream = await openKafkaFeatureStream({ brokers, clientId: 'cli-producer' });
    await stream.createTopic(topic, 3);
    await stream.publish(topic, [
      roomCommand(fx, 1n, new Date(1_000), 1),
      { key: new Uint8Array([7]), value: new Uint8Array([1, 2, 3]) },
      roomCommand(fx, 2n, new Date(1_000), 2, { producer: 'upsync-worker' }),
      roomCommand(fx, 3n, new Date(1_000), 3, { writerSchemaId: 42n }),
      roomCommand(fx, 1n, new Date(2_000), 10),
    ]);
    await stream.close();
    const f = await flags();
    let out = '';
    const abort = new AbortController();
    let worker: DownsyncWorker | null = null;
    const done = downsyncCommand(f, { out: (t) => (out += t), err: (t) => (out += t) }, { signal: abort.signal, signals: false, onStarted: (s) => (worker = s.worker) });
    await eventually(() => worker !== null && worker.stats().applied + worker.stats().deadLettered === 5 && worker.stats().commits > 0, 30_000, 'five commands processed');
    const metrics = await worker!.registry.render();
    expect(metrics).toMatch(/featurestore_downsync_consumer_lag\{partition="\d"\} 0/);
    abort.abort();
    expect(await done, out).toBe(0);

    const online = new SqliteOnlineStore({ path: f.store!.slice('sqlite:'.length) });
    const table = fx.feature(ROOM).table;
    const values = await online.getMany(table, [[1n], [2n], [3n]]);
    expect(values.map((v) => (v ? fx.feature(ROOM).serde.decode(v).viewer_count : null))).toEqual([10, null, null]);
    await online.close();

    const letters: DeadLetter[] = [];
    const consumer = kafka.consumer({ groupId: `dlq-reader-${run}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [`${topic}.dlq`], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void letters.push(JSON.parse(message.value!.toString()) as DeadLetter) });
    await eventually(() => letters.length >= 3, 30_000, 'three dead letters');
    await consumer.disconnect();
    expect(letters.map((l) => l.reason).sort()).toEqual(['malformed', 'unauthorised', 'unknown-schema']);
    expect(letters.every((l) => l.topic === topic && /^\d+$/.test(l.offset))).toBe(true);
    const { topics } = await admin.fetchTopicMetadata({ topics: [`${topic}.dlq`] });
    expect(topics[0]!.partitions).toHaveLength(3);
  });

  it('a command topic that does not exist: exit 1, one line, nothing created', async () => {
    const missing = `featurestore.test.missing.${run}`;
    let err = '';
    const code = await downsyncCommand(await flags({ topic: missing, group: DOWNSYNC_DEFAULTS.group }), { out: () => {}, err: (t) => (err += t) }, { signals: false });
    expect(code).toBe(1);
    expect(err).toBe(`featurestore: ${DOWNSYNC_CLI_ERRORS.noTopic(missing, brokers.join(','))}\n`);
    expect(await admin.listTopics()).not.toContain(missing);
    expect(await admin.listTopics()).not.toContain(`${missing}.dlq`);
  });
});
