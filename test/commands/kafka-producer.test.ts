/**
 * The command producer and `featurestore send` on the real Kafka of the services harness: topics unique
 * to this run (deleted afterwards). Records keyed per entity land in one partition each, in send order;
 * envelopes decode to what was sent; refused sends (no write access, invalid values) leave the topic
 * empty, checked by its offsets on the broker.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFeatureCommand, keyCodecForCommands, splitCommandRecordKey } from '../../core/commands/index.ts';
import { createFeatures, featureDescriptors } from '../../generated/ts/index.ts';
import { createCommandProducer, type CommandProducer } from '../../runtime/downsync/producer/index.ts';
import { loadFeatureCatalog, type FeatureCatalog } from '../../runtime/manifest/feature-catalog.ts';
import { AccessDeniedError, InvalidInputError } from '../../runtime/read/online-runtime.ts';
import { decodeFeatureValue } from '../../runtime/read/value-codec.ts';
import type { StreamMessage } from '../../runtime/stream/feature-stream.ts';
import { openKafkaFeatureStream, type KafkaFeatureStream } from '../../runtime/stream/kafka/kafka-feature-stream.ts';
import { endOffsets } from '../helpers/kafka-admin.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const run = `featurestore.commands-test.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 6)}`;
const ROOM = 'live::realtime-room-context-v1';
const WRITER = 'realtime-calculator';
const PARTITIONS = 6;
const created: string[] = [];
let stream: KafkaFeatureStream;
let catalog: FeatureCatalog;
let dir = '';
let topics = 0;

async function topic(): Promise<string> {
  const name = `${run}.${topics++}`;
  await stream.createTopic(name, PARTITIONS);
  created.push(name);
  return name;
}

/** Messages on the topic per the broker's high watermarks: the end offsets, summed. */
async function messagesOn(name: string): Promise<number> {
  const admin = stream.kafka.admin();
  await admin.connect();
  try {
    return await endOffsets(admin, name);
  } finally {
    await admin.disconnect();
  }
}

async function readAll(name: string, expected: number): Promise<StreamMessage[]> {
  const got: StreamMessage[] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const sub = await stream.subscribe({
    topic: name,
    groupId: `${name}.reader`,
    handler: async (batch) => {
      got.push(...batch.messages);
      if (got.length >= expected) done();
    },
  });
  await all;
  await sub.close();
  return got;
}

const roomValue = (viewerCount: number) => ({
  viewerCount,
  likeCount1m: 3,
  giftAmount10m: 12.5,
  clickThroughRate1h: 0.25,
  visionLabels: ['music'],
  lastFrameAt: null,
  isAdultSuspected: false,
});

const producerOn = (name: string, consumer = WRITER): Promise<CommandProducer> =>
  createCommandProducer({ generatedDir: 'generated', stream, consumer, topic: name });

beforeAll(async () => {
  stream = await openKafkaFeatureStream({ brokers, clientId: 'featurestore-commands-test', sessionTimeoutMs: 6_000, heartbeatIntervalMs: 300 });
  catalog = await loadFeatureCatalog('generated');
  dir = await tempDir('send-kafka');
});
afterAll(async () => {
  const admin = stream.kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: created }).catch(() => {});
  await admin.disconnect();
  await stream.close();
  await rm(dir, { recursive: true, force: true });
});

describe('CommandProducer on Kafka', () => {
  it('typed puts: one partition per entity, in send order, envelopes decoding to what was sent', async () => {
    const name = await topic();
    const producer = await producerOn(name);
    const features = createFeatures(producer);
    const rooms = Array.from({ length: 12 }, (_, i) => 2n ** 62n + BigInt(i));
    const sends: Promise<void>[] = [];
    for (let round = 0; round < 5; round++) for (const roomId of rooms) sends.push(features.live.realtimeRoomContextV1.put({ roomId }, roomValue(round)));
    await Promise.all(sends);
    expect(producer.publishes).toBeLessThan(sends.length);
    const messages = await readAll(name, 60);
    expect(messages).toHaveLength(60);
    const codec = keyCodecForCommands(catalog.features.get(ROOM)!);
    const byRoom = new Map<bigint, { partitions: Set<number>; rounds: number[]; eventTimes: number[] }>();
    for (const m of [...messages].sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset))) {
      const cmd = decodeFeatureCommand(m.value);
      expect([cmd.feature, cmd.producer, cmd.writerSchemaId]).toEqual([ROOM, WRITER, featureDescriptors[ROOM].fingerprint]);
      expect(splitCommandRecordKey(m.key).feature).toBe(ROOM);
      const [roomId] = codec.decode(cmd.key) as [bigint];
      const entry = byRoom.get(roomId) ?? { partitions: new Set(), rounds: [], eventTimes: [] };
      entry.partitions.add(m.partition);
      entry.rounds.push(decodeFeatureValue(featureDescriptors[ROOM], cmd.value).viewerCount);
      entry.eventTimes.push(cmd.eventTime.getTime());
      byRoom.set(roomId, entry);
    }
    expect([...byRoom.keys()].sort()).toEqual(rooms);
    for (const { partitions, rounds, eventTimes } of byRoom.values()) {
      expect(partitions.size).toBe(1);
      expect(rounds).toEqual([0, 1, 2, 3, 4]);
      // Later sends of one key carry later event times (the process's write clock): last-writer-wins keeps the last.
      expect([...eventTimes].sort((a, b) => a - b)).toEqual(eventTimes);
      expect(new Set(eventTimes).size).toBe(5);
    }
    expect(new Set(messages.map((m) => m.partition)).size).toBeGreaterThan(1);
    await producer.close();
  });

  it('a producer without write access is refused before sending: nothing reaches the topic', async () => {
    const name = await topic();
    const producer = await producerOn(name, 'live-recommender');
    await expect(createFeatures(producer).live.realtimeRoomContextV1.put({ roomId: 1n }, roomValue(1))).rejects.toThrow(
      new AccessDeniedError('live-recommender', ROOM, 'write'),
    );
    await producer.flush();
    expect(await messagesOn(name)).toBe(0);
    await producer.close();
  });

  it('invalid values are refused before sending: nothing reaches the topic', async () => {
    const name = await topic();
    const producer = await producerOn(name);
    const room = createFeatures(producer).live.realtimeRoomContextV1;
    await expect(room.put({ roomId: 1n }, { ...roomValue(1), likeCount1m: 1.5 })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(room.put({ roomId: 5 as unknown as bigint }, roomValue(1))).rejects.toBeInstanceOf(InvalidInputError);
    await producer.flush();
    expect(await messagesOn(name)).toBe(0);
    await producer.close();
  });
});

describe('featurestore send on Kafka', () => {
  const line = (roomId: string, viewerCount: number, eventTime?: string) =>
    JSON.stringify({
      key: { room_id: roomId },
      value: { viewer_count: viewerCount, like_count_1m: 0, gift_amount_10m: 1.5, click_through_rate_1h: 0, vision_labels: ['x'], last_frame_at: '2024-05-01T00:00:00Z', is_adult_suspected: false },
      ...(eventTime ? { eventTime } : {}),
    });

  it('sends every line in batches, with a summary; the commands decode to the lines', async () => {
    const name = await topic();
    const rows = path.join(dir, 'rooms.jsonl');
    await writeFile(rows, [line('9007199254740993', 1, '2024-05-01T00:00:00.000Z'), line('2', 2), line('3', 3), '', line('9007199254740993', 4, '2024-05-01T00:00:01.000Z')].join('\n') + '\n');
    const r = await runCli(['send', '--feature', ROOM, '--file', rows, '--topic', name, '--brokers', brokers.join(','), '--generated', 'generated', '--batch-size', '2', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, feature: ROOM, topic: name, consumer: WRITER, sent: 4, batches: 2 });
    const messages = await readAll(name, 4);
    const codec = keyCodecForCommands(catalog.features.get(ROOM)!);
    const big = messages.filter((m) => codec.decode(decodeFeatureCommand(m.value).key)[0] === 9007199254740993n);
    expect(new Set(big.map((m) => m.partition)).size).toBe(1);
    expect(big.sort((a, b) => Number(a.offset - b.offset)).map((m) => decodeFeatureCommand(m.value).eventTime.toISOString())).toEqual([
      '2024-05-01T00:00:00.000Z',
      '2024-05-01T00:00:01.000Z',
    ]);
    const text = await runCli(['send', '--feature', ROOM, '--file', rows, '--topic', name, '--brokers', brokers.join(','), '--generated', 'generated']);
    expect(text.stdout).toMatch(new RegExp(`^sent 4 commands for ${ROOM} as ${WRITER} to ${name.replace(/\./g, '\\.')} at .* in 1 batch \\(\\d+ ms\\)\\n$`));
  });

  it('a topic that does not exist: exit 1, nothing acknowledged', async () => {
    const rows = path.join(dir, 'one.jsonl');
    await writeFile(rows, `${line('1', 1)}\n`);
    const r = await runCli(['send', '--feature', ROOM, '--file', rows, '--topic', `${run}.missing`, '--brokers', brokers.join(','), '--generated', 'generated']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^featurestore: sent 0 of 1 commands, then the stream failed: /);
  }, 90_000);
});
