/**
 * CommandBatcher's limits on the in-process stream: sends queued behind a publish in flight go out
 * together, split by record count and by bytes, in queue order; a send is never split.
 */
import { describe, expect, it } from 'vitest';
import { CommandBatcher, DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_RECORDS } from '../../runtime/downsync/producer/index.ts';
import type { StreamRecord } from '../../runtime/stream/feature-stream.ts';
import { MemoryFeatureStream } from '../../runtime/stream/memory/memory-feature-stream.ts';

/** A stream whose publishes take 20 ms and are recorded (sizes, in order). */
function recordingStream(): { stream: MemoryFeatureStream; publishes: string[][] } {
  const stream = new MemoryFeatureStream({ partitions: 1 });
  const publishes: string[][] = [];
  const publish = stream.publish.bind(stream);
  stream.publish = async (topic, records) => {
    publishes.push(records.map((r) => Buffer.from(r.value).toString()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    return publish(topic, records);
  };
  return { stream, publishes };
}

const rec = (value: string, size = 0): StreamRecord => ({ key: new Uint8Array([1]), value: new Uint8Array(Buffer.from(value.padEnd(size, '.'))) });

describe('CommandBatcher', () => {
  it('defaults: 10,000 records and 900 kB per publish', () => {
    expect(DEFAULT_MAX_BATCH_RECORDS).toBe(10_000);
    expect(DEFAULT_MAX_BATCH_BYTES).toBe(900_000);
  });

  it('sends queued behind a publish share the next, split by maxBatchRecords, in order', async () => {
    const { stream, publishes } = recordingStream();
    const batcher = new CommandBatcher(stream, 't', { maxBatchRecords: 4 });
    const sends = Array.from({ length: 10 }, (_, i) => batcher.send([rec(`v${i}`)]));
    await Promise.all(sends);
    expect(publishes.map((p) => p.length)).toEqual([4, 4, 2]);
    expect(publishes.flat()).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`));
  });

  it('splits by maxBatchBytes (key + value + per-record overhead), never splitting one send', async () => {
    const { stream, publishes } = recordingStream();
    // Each record: 1 key byte + 100 value bytes + 20 overhead = 121; 300 bytes fit two.
    const batcher = new CommandBatcher(stream, 't', { maxBatchBytes: 300 });
    const sends = [batcher.send([rec('a', 100)]), batcher.send([rec('b', 100)]), batcher.send([rec('c', 100)]), batcher.send([rec('d', 100), rec('e', 100), rec('f', 100)]), batcher.send([rec('g', 100)])];
    await Promise.all(sends);
    expect(publishes.map((p) => p.map((v) => v[0]).join(''))).toEqual(['ab', 'c', 'def', 'g']);
    expect(batcher.publishes).toBe(4);
  });

  it('a failed publish fails only its sends; the next ones go out', async () => {
    const { stream, publishes } = recordingStream();
    const publish = stream.publish.bind(stream);
    let calls = 0;
    stream.publish = async (topic, records) => {
      if (calls++ === 0) throw new Error('broker down (test)');
      return publish(topic, records);
    };
    const batcher = new CommandBatcher(stream, 't', { maxBatchRecords: 2 });
    const results = await Promise.allSettled([batcher.send([rec('a')]), batcher.send([rec('b')]), batcher.send([rec('c')])]);
    // a and b shared the failed publish; c went in the next.
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toEqual(new Error('broker down (test)'));
    expect(publishes.flat()).toEqual(['c']);
  });
});
