/** The stream conformance suite on the in-process stream, and its partitioner against Kafka's. */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { STREAM_ERRORS, STREAM_INVALID_INPUT } from '../../runtime/stream/feature-stream.ts';
import { murmur2, partitionOf } from '../../runtime/stream/key-partitioner.ts';
import { MemoryFeatureStream } from '../../runtime/stream/memory/memory-feature-stream.ts';
import { featureStreamConformance } from './feature-stream.conformance.ts';

let topics = 0;

featureStreamConformance('in-process', {
  open: async () => new MemoryFeatureStream({ maxBatchSize: 7 }),
  topic: async (stream, partitions) => {
    const name = `memory-topic-${topics++}`;
    (stream as MemoryFeatureStream).createTopic(name, partitions);
    return name;
  },
  patienceMs: 5_000,
});

describe('key partitioner', () => {
  it("is Kafka's murmur2: the Java client's test vectors, and kafkajs's DefaultPartitioner on random keys", () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of vectors) expect(murmur2(Buffer.from(key))).toBe(hash);
    const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;
    for (let i = 0; i < 500; i++) {
      const key = Buffer.from(Array.from({ length: i % 37 }, (_, j) => (i * 31 + j * 7) % 256));
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      expect(partitionOf(key, 12)).toBe((kafkajsMurmur2(key) & 0x7fffffff) % 12);
    }
  });
});

describe('in-process stream specifics', () => {
  it('refuses a partition count out of range', () => {
    expect(() => new MemoryFeatureStream({ partitions: 0 })).toThrow(STREAM_ERRORS.partitions(0));
    expect(() => new MemoryFeatureStream().createTopic('t', 1.5)).toThrow(expect.objectContaining({ code: STREAM_INVALID_INPUT }));
    expect(() => new MemoryFeatureStream({ partitionsConsumedConcurrently: 0 })).toThrow(STREAM_ERRORS.concurrency(0));
  });

  it('keeps what was published even if the producer reuses its buffers', async () => {
    const stream = new MemoryFeatureStream({ partitions: 1 });
    const value = new Uint8Array([1, 2, 3]);
    await stream.publish('t', [{ key: new Uint8Array([9]), value }]);
    value[0] = 42;
    const seen: number[][] = [];
    const sub = await stream.subscribe({ topic: 't', groupId: 'g', handler: async (b) => void seen.push(...b.messages.map((m) => [...m.value])) });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([[1, 2, 3]]);
    await sub.close();
    await stream.close();
  });
});
