/**
 * Two `featurestore downsync` processes in one consumer group on the real Kafka, the online store in
 * Cassandra (sampler state beside it) and the offline store on the BigQuery emulator: one is killed with
 * SIGKILL mid-stream; its partitions move to the other (after the dead member's session, 6 s), which
 * finishes the stream. Nothing is lost online (the newest command per key), and the offline tables hold
 * exactly the rows one clean run samples, each once: what the dead worker flushed but did not commit is
 * redelivered to the survivor, whose append finds it stored and whose sampler state (written by the dead
 * one) gives the same decisions.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey } from '../../runtime/cache/cache-key.ts';
import { samplingDraw } from '../../runtime/downsync/index.ts';
import { splitStatements } from '../../runtime/migrate/index.ts';
import { openBigQueryOfflineStore } from '../../runtime/offline/bigquery/bigquery-offline-store.ts';
import { offlineTableOf } from '../../runtime/offline/offline-table.ts';
import { CassandraOnlineStore } from '../../runtime/online/cassandra/cassandra-online-store.ts';
import { openKafkaFeatureStream } from '../../runtime/stream/kafka/kafka-feature-stream.ts';
import type { StreamRecord } from '../../runtime/stream/feature-stream.ts';
import { createTestKeyspace, dropTestKeyspace } from '../conformance/cassandra-keyspace.ts';
import { emulatorProject, testBigQueryClient, uniqueDataset } from '../helpers/bigquery.ts';
import { testCassandraClient } from '../helpers/cassandra.ts';
import { committedOffsets } from '../helpers/kafka-admin.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { eventually, loadFixture, ROOM, roomCommand, WATCH, watchCommand } from './helpers/fixture.ts';
import { WorkerProcess } from './helpers/worker-process.ts';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const topic = `featurestore.test.two.${run}`;
const group = `two-${run}`;
const SEED = 'two-workers';
const ROOMS = 60;
const ROOM_UPDATES = 20;
const VIEWERS = 20;
const VIEWER_EVENTS = 20;
// Recent times: the generated tables expire partitions after a week.
const T0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

const kafka = new Kafka({ clientId: 'featurestore-test', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const bigquery = testBigQueryClient();
const dataset = uniqueDataset('downsync');
const children: WorkerProcess[] = [];
let keyspace: string;

beforeAll(async () => {
  keyspace = await createTestKeyspace('downsync_two');
  await bigquery.dataset(dataset).create();
  for (const name of ['realtime-room-context-v1', 'viewer-watch-history-v1']) {
    const sql = (await readFile(path.join('generated', 'bigquery', 'live', `${name}.sql`), 'utf8')).replaceAll('`hpcnt-recsys.feature_store.', `\`${emulatorProject()}.${dataset}.`);
    for (const statement of splitStatements(sql, 'bigquery')) await bigquery.query({ query: statement });
  }
  await admin.connect();
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => {});
  await admin.disconnect();
  await bigquery.dataset(dataset).delete({ force: true }).catch(() => {});
  if (keyspace) await dropTestKeyspace(keyspace);
});

const committed = () => committedOffsets(admin, group, topic);

async function members(): Promise<number> {
  const { groups } = await admin.describeGroups([group]);
  const g = groups[0];
  return g && g.state === 'Stable' ? g.members.filter((m) => m.memberAssignment.length > 0).length : 0;
}

describe('two downsync workers in one group, one killed', () => {
  it('moves the dead worker\'s partitions to the other: nothing lost online, nothing duplicated offline', async () => {
    const fx = await loadFixture();
    // The generated folder, pointed at the emulator's project and this test's dataset.
    const generated = path.join(await tempDir('two-workers'), 'generated');
    await mkdir(path.join(generated, 'acl'), { recursive: true });
    const manifest = JSON.parse(await readFile('generated/manifest.json', 'utf8')) as { project: { bigquery: Record<string, string> } };
    manifest.project.bigquery = { project: emulatorProject(), dataset, location: 'US' };
    await writeFile(path.join(generated, 'manifest.json'), JSON.stringify(manifest));
    await writeFile(path.join(generated, 'acl', 'acl.json'), await readFile('generated/acl/acl.json'));

    const stream = await openKafkaFeatureStream({ brokers, clientId: 'two-producer' });
    await stream.createTopic(topic, 4);
    const first: StreamRecord[] = [];
    const second: StreamRecord[] = [];
    for (let seq = 0; seq < ROOM_UPDATES; seq++) {
      const into = seq < ROOM_UPDATES / 2 ? first : second;
      for (let r = 0; r < ROOMS; r++) into.push(roomCommand(fx, 20_000n + BigInt(r), new Date(T0 + seq * 10_000), seq));
      for (let v = 0; v < VIEWERS && seq < VIEWER_EVENTS; v++) into.push(watchCommand(fx, 60_000n + BigInt(v), new Date(T0 + seq * 1_000 + v), BigInt(seq), seq));
    }
    const total = first.length + second.length;
    await stream.publish(topic, first);

    const args = [
      '--stream', 'kafka', '--brokers', brokers.join(','), '--topic', topic, '--group', group,
      '--generated', generated, '--store', 'cassandra', '--keyspace', keyspace, '--offline', 'bigquery',
      '--flush-rows', '5000', '--flush-ms', '1500', '--sampling-seed', SEED, '--session-timeout-ms', '6000',
    ];
    const started = Date.now();
    const a = new WorkerProcess(args);
    const b = new WorkerProcess(args);
    children.push(a, b);
    await eventually(async () => (await members()) === 2, 60_000, 'both workers holding partitions');
    await eventually(async () => (await committed()) > 0, 60_000, 'a first commit');
    await stream.publish(topic, second);
    await stream.close();
    await new Promise((resolve) => setTimeout(resolve, 200 + Math.floor(Math.random() * 500)));
    a.kill('SIGKILL');
    const killedAt = Date.now();
    expect((await a.exited).signal, a.stderr).toBe('SIGKILL');

    await eventually(async () => (await committed()) >= total, 90_000, 'every command committed by the survivor');
    expect(await members()).toBe(1);
    b.kill('SIGTERM');
    expect((await b.exited).code, b.stderr).toBe(0);
    expect(b.lines.map((l) => l.event)).toEqual(expect.arrayContaining(['started', 'stopping', 'stopped']));
    console.log(`two workers: ${total} commands, killed after ${killedAt - started} ms, all committed after ${Date.now() - started} ms`);

    // Online: the newest command of every room.
    const client = testCassandraClient();
    const online = new CassandraOnlineStore({ client, keyspace, ownsClient: true });
    try {
      const f = fx.feature(ROOM);
      const values = await online.getMany(f.table, Array.from({ length: ROOMS }, (_, r) => [20_000n + BigInt(r)]));
      expect(values.map((v) => (v ? f.serde.decode(v).viewer_count : null))).toEqual(Array.from({ length: ROOMS }, () => ROOM_UPDATES - 1));
    } finally {
      await online.close();
    }

    // Offline: exactly what one clean run samples, once each.
    const expectedRooms = new Set<string>();
    const keyColumns = fx.feature(ROOM).table.keyColumns;
    for (let r = 0; r < ROOMS; r++) {
      const room = 20_000n + BigInt(r);
      let last: number | null = null;
      for (let seq = 0; seq < ROOM_UPDATES; seq++) {
        const ms = T0 + seq * 10_000;
        if (last !== null && ms < last + 60_000) continue;
        if (samplingDraw(SEED, ROOM, cacheKey(ROOM, keyColumns, [room]), ms) >= 0.9) continue;
        expectedRooms.add(`${room}@${ms}`);
        last = ms;
      }
    }
    const offline = await openBigQueryOfflineStore({ projectId: emulatorProject(), dataset, client: bigquery });
    try {
      const rows = async (feature: string, time: (values: Readonly<Record<string, unknown>>, updatedAt: Date) => Date) => {
        const table = offlineTableOf((await loadFixture()).manifest.features[feature]!);
        const out: string[] = [];
        for await (const page of offline.read(table, { since: null })) for (const row of page) out.push(`${String(row.values[table.keyColumns[0]!])}@${time(row.values, row.updatedAt).getTime()}`);
        return out;
      };
      const roomRows = await rows(ROOM, (_, updatedAt) => updatedAt);
      expect(roomRows.length).toBe(expectedRooms.size);
      expect(new Set(roomRows)).toEqual(expectedRooms);
      const watchRows = await rows(WATCH, (values) => values['watched_at'] as Date);
      expect(watchRows.length).toBe(VIEWERS * VIEWER_EVENTS);
      expect(new Set(watchRows).size).toBe(VIEWERS * VIEWER_EVENTS);
    } finally {
      await offline.close();
    }
  }, 180_000);
});
