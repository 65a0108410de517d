/**
 * The command producer on the in-process stream: typed sends through the generated accessors (the same
 * put/append as in-process writes), envelopes that decode to what was sent, records keyed per entity,
 * and every refusal (ACL, invalid key or value, unknown consumer, reads without a reader) before
 * anything reaches the topic.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeFeatureCommand, keyCodecForCommands, splitCommandRecordKey } from '../../core/commands/index.ts';
import { createFeatures, featureDescriptors } from '../../generated/ts/index.ts';
import { CommandProducer, createCommandProducer, ReadsUnsupportedError, UnknownConsumerError } from '../../runtime/downsync/producer/index.ts';
import { loadFeatureCatalog, type FeatureCatalog } from '../../runtime/manifest/feature-catalog.ts';
import { decodeFeatureValue } from '../../runtime/read/value-codec.ts';
import { AccessDeniedError, InvalidInputError, UnknownFeatureError, WrongFeatureTypeError } from '../../runtime/read/online-runtime.ts';
import type { StreamBatch, StreamMessage } from '../../runtime/stream/feature-stream.ts';
import { partitionOf } from '../../runtime/stream/key-partitioner.ts';
import { MemoryFeatureStream } from '../../runtime/stream/memory/memory-feature-stream.ts';

const TOPIC = 'featurestore.commands';
const WRITER = 'realtime-calculator';
const ROOM = 'live::realtime-room-context-v1';
const WATCH = 'live::viewer-watch-history-v1';

let catalog: FeatureCatalog;
let stream: MemoryFeatureStream;
const sentAt = new Date('2024-06-01T00:00:00.000Z');

beforeEach(async () => {
  catalog ??= await loadFeatureCatalog('generated');
  stream = new MemoryFeatureStream({ partitions: 4 });
  stream.createTopic(TOPIC, 4);
});
afterEach(async () => {
  await stream.close();
});

const producer = (consumer = WRITER, extra: Partial<ConstructorParameters<typeof CommandProducer>[0]> = {}) =>
  new CommandProducer({ catalog, stream, topic: TOPIC, consumer, ownsStream: false, now: () => sentAt, ...extra });

/** Every message on the topic now (reads from offset 0 with a fresh group). */
async function topicMessages(expected: number): Promise<StreamMessage[]> {
  const got: StreamMessage[] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const sub = await stream.subscribe({
    topic: TOPIC,
    groupId: `read-${Math.random()}`,
    handler: async (batch: StreamBatch) => {
      got.push(...batch.messages);
      if (got.length >= expected) done();
    },
  });
  if (expected > 0) await all;
  // Give a stray extra message the chance to show up.
  await new Promise((r) => setTimeout(r, 20));
  await sub.close();
  return got;
}

const roomValue = (viewerCount: number) => ({
  viewerCount,
  likeCount1m: 3,
  giftAmount10m: 12.5,
  clickThroughRate1h: 0.25,
  visionLabels: ['music'],
  lastFrameAt: new Date('2024-05-31T23:59:59.000Z'),
  isAdultSuspected: false,
});

describe('CommandProducer on the memory stream', () => {
  it('a typed put sends one Object command per call: the envelope decodes to the key, value, schema id and producer', async () => {
    const p = producer();
    const features = createFeatures(p);
    const before = Date.now();
    await features.live.realtimeRoomContextV1.put({ roomId: 2n ** 60n + 7n }, roomValue(42));
    const [message, ...rest] = await topicMessages(1);
    expect(rest).toEqual([]);
    const cmd = decodeFeatureCommand(message!.value);
    const f = catalog.features.get(ROOM)!;
    expect(cmd.feature).toBe(ROOM);
    expect(cmd.producer).toBe(WRITER);
    expect(cmd.sentAt).toEqual(sentAt);
    expect(cmd.writerSchemaId).toBe(featureDescriptors[ROOM].fingerprint);
    expect(cmd.eventTime.getTime()).toBeGreaterThanOrEqual(before);
    expect(keyCodecForCommands(f).decode(cmd.key)).toEqual([2n ** 60n + 7n]);
    expect(decodeFeatureValue(featureDescriptors[ROOM], cmd.value)).toEqual(roomValue(42));
    // The record key is feature NUL key bytes.
    const split = splitCommandRecordKey(message!.key);
    expect(split.feature).toBe(ROOM);
    expect([...split.key]).toEqual([...cmd.key]);
  });

  it('a typed append sends a History command whose event time is the value\'s event-time field', async () => {
    const features = createFeatures(producer());
    const watchedAt = new Date('2024-05-30T10:00:00.000Z');
    await features.live.viewerWatchHistoryV1.append({ viewerId: -5n }, { watchedAt, roomId: 9n, watchSeconds: 30, categoryTags: [], giftAmounts: [1] });
    const [message] = await topicMessages(1);
    const cmd = decodeFeatureCommand(message!.value);
    expect(cmd.eventTime).toEqual(watchedAt);
    expect(keyCodecForCommands(catalog.features.get(WATCH)!).decode(cmd.key)).toEqual([-5n]);
  });

  it('keys one entity to one partition, in send order, and concurrent sends share publishes', async () => {
    const p = producer();
    const features = createFeatures(p);
    const rooms = [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n];
    const sends = [];
    for (let round = 0; round < 5; round++) for (const roomId of rooms) sends.push(features.live.realtimeRoomContextV1.put({ roomId }, roomValue(round)));
    await Promise.all(sends);
    expect(p.publishes).toBeLessThan(sends.length);
    const messages = await topicMessages(40);
    expect(messages).toHaveLength(40);
    const codec = keyCodecForCommands(catalog.features.get(ROOM)!);
    const byRoom = new Map<bigint, { partitions: Set<number>; counts: number[] }>();
    for (const m of messages.sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset))) {
      const cmd = decodeFeatureCommand(m.value);
      const [roomId] = codec.decode(cmd.key) as [bigint];
      const entry = byRoom.get(roomId) ?? { partitions: new Set(), counts: [] };
      entry.partitions.add(m.partition);
      entry.counts.push(decodeFeatureValue(featureDescriptors[ROOM], cmd.value).viewerCount);
      byRoom.set(roomId, entry);
      expect(m.partition).toBe(partitionOf(m.key, 4));
    }
    for (const { partitions, counts } of byRoom.values()) {
      expect(partitions.size).toBe(1);
      expect(counts).toEqual([0, 1, 2, 3, 4]);
    }
    // More than one partition is used: the key spreads entities.
    expect(new Set(messages.map((m) => m.partition)).size).toBeGreaterThan(1);
  });

  it('refuses a producer without write access before sending anything', async () => {
    const features = createFeatures(producer('lounge-recommender'));
    await expect(features.live.realtimeRoomContextV1.put({ roomId: 1n }, roomValue(1))).rejects.toThrow(
      new AccessDeniedError('lounge-recommender', ROOM, 'write'),
    );
    expect(() => producer('lounge-recommender').encodeByName(ROOM, { key: { room_id: '1' }, value: {} })).toThrow(AccessDeniedError);
    expect(await topicMessages(0)).toEqual([]);
  });

  it('refuses invalid keys and values before sending (the accessors\' checks), naming the field', async () => {
    const features = createFeatures(producer());
    await expect(features.live.realtimeRoomContextV1.put({ roomId: 1 as unknown as bigint }, roomValue(1))).rejects.toBeInstanceOf(InvalidInputError);
    await expect(features.live.realtimeRoomContextV1.put({ roomId: 1n }, { ...roomValue(1), viewerCount: 2 ** 31 })).rejects.toThrow(
      /live::realtime-room-context-v1\.viewer_count: invalid value: field "viewerCount" \(viewer_count\)/,
    );
    expect(await topicMessages(0)).toEqual([]);
  });

  it('by name: checks key, value and event time like the by-name API, fills defaults, sends all or nothing', async () => {
    const p = producer();
    const watchedAt = '2024-05-30T10:00:00.000Z';
    const good = { key: { viewer_id: '9007199254740993' }, value: { watched_at: watchedAt, room_id: '1', watch_seconds: 5, category_tags: [], gift_amounts: [] } };
    const bad = { key: { viewer_id: 'x' }, value: good.value };
    await expect(p.sendByName(WATCH, [good, bad])).rejects.toThrow(/\(at rows\[1\]\)/);
    expect(() => p.encodeByName(WATCH, { ...good, eventTime: new Date(0) }, ' (at line 4)')).toThrow(
      /live::viewer-watch-history-v1\.watched_at: eventTime 1970-01-01T00:00:00\.000Z differs from the value's event-time field watched_at \(2024-05-30T10:00:00\.000Z\) \(at line 4\)/,
    );
    expect(() => p.encodeByName('live::nope-v1', good)).toThrow(UnknownFeatureError);
    expect(await topicMessages(0)).toEqual([]);
    const prepared = p.encodeByName(WATCH, { ...good, eventTime: new Date(watchedAt) });
    expect(prepared.command.eventTime).toEqual(new Date(watchedAt));
    expect(keyCodecForCommands(catalog.features.get(WATCH)!).decode(prepared.command.key)).toEqual([9007199254740993n]);
    await p.publish([prepared]);
    expect(await topicMessages(1)).toHaveLength(1);
  });

  it('an Object by-name row takes its eventTime when given', () => {
    const p = producer();
    const row = { key: { room_id: 1 }, value: { viewer_count: 1, like_count_1m: 0, gift_amount_10m: 0, click_through_rate_1h: 0, vision_labels: [], last_frame_at: null, is_adult_suspected: true } };
    expect(p.encodeByName(ROOM, { ...row, eventTime: new Date(5) }).command.eventTime).toEqual(new Date(5));
    expect(() => p.encodeByName(ROOM, { ...row, eventTime: new Date(Number.NaN) })).toThrow(/eventTime must be a valid Date/);
  });

  it('refuses an unknown consumer at creation, reads without a reader, and the wrong operation', async () => {
    expect(() => producer('nobody')).toThrow(UnknownConsumerError);
    expect(() => producer('nobody')).toThrow(/^unknown consumer "nobody": the generated ACL names /);
    const features = createFeatures(producer());
    await expect(features.live.realtimeRoomContextV1.get({ roomId: 1n })).rejects.toBeInstanceOf(ReadsUnsupportedError);
    await expect(producer().append(featureDescriptors[ROOM] as never, [])).rejects.toBeInstanceOf(WrongFeatureTypeError);
  });

  it('reads go to `reads` when configured', async () => {
    const calls: string[] = [];
    const reads = {
      get: async () => (calls.push('get'), null),
      getMany: async () => [],
      latest: async () => (calls.push('latest'), []),
      range: async () => [],
    };
    const features = createFeatures(producer(WRITER, { reads }));
    expect(await features.live.realtimeRoomContextV1.get({ roomId: 1n })).toBeNull();
    expect(await features.live.viewerWatchHistoryV1.latest({ viewerId: 1n })).toEqual([]);
    expect(calls).toEqual(['get', 'latest']);
  });

  it('createCommandProducer opens its own memory stream, defaults the topic to the manifest\'s, and close() refuses later sends', async () => {
    const p = await createCommandProducer({ generatedDir: 'generated', stream: { kind: 'memory' }, consumer: WRITER, lingerMs: 1 });
    expect(p.topic).toBe(TOPIC);
    const features = createFeatures(p);
    await features.live.realtimeRoomContextV1.put({ roomId: 1n }, roomValue(1));
    await p.close();
    await expect(features.live.realtimeRoomContextV1.put({ roomId: 1n }, roomValue(1))).rejects.toThrow('the command producer is closed');
  });
});
