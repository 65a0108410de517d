/**
 * One conformance suite for every FeatureStream adapter (DESIGN.md principle 3), run by
 * memory-stream.test.ts and kafka-stream.test.ts. Every test uses topics and groups of its own.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { STREAM_CLOSED, STREAM_ERRORS, STREAM_INVALID_INPUT, StreamError, type FeatureStream, type StreamBatch, type StreamMessage, type StreamRecord, type StreamSubscription } from '../../runtime/stream/feature-stream.ts';
import { partitionOf } from '../../runtime/stream/key-partitioner.ts';

export interface StreamConformanceHarness {
  open(): Promise<FeatureStream>;
  /** A topic no other test uses, with this many partitions. */
  topic(stream: FeatureStream, partitions: number): Promise<string>;
  /** How long a delivery or a rebalance may take here (real Kafka group joins take seconds). */
  readonly patienceMs: number;
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const record = (key: string, value: string): StreamRecord => ({ key: bytes(key), value: bytes(value) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let groups = 0;
const group = (): string => `conformance-group-${Date.now().toString(36)}-${groups++}`;

/** A subscription that records every message it was handed, in order. */
interface Recorder {
  readonly messages: StreamMessage[];
  readonly batches: StreamBatch[];
  subscription: StreamSubscription;
}

async function recorder(stream: FeatureStream, topic: string, groupId: string, options: { handler?: (batch: StreamBatch) => Promise<void> } = {}): Promise<Recorder> {
  const r = { messages: [] as StreamMessage[], batches: [] as StreamBatch[] } as Recorder;
  r.subscription = await stream.subscribe({
    topic,
    groupId,
    handler: async (batch) => {
      await options.handler?.(batch);
      r.batches.push(batch);
      r.messages.push(...batch.messages);
    },
  });
  return r;
}

/** The last message per partition, as commit positions. */
function lastPositions(messages: readonly StreamMessage[]): { partition: number; offset: bigint }[] {
  const last = new Map<number, bigint>();
  for (const m of messages) if ((last.get(m.partition) ?? -1n) < m.offset) last.set(m.partition, m.offset);
  return [...last].map(([partition, offset]) => ({ partition, offset }));
}

export function featureStreamConformance(name: string, harness: StreamConformanceHarness): void {
  describe(`FeatureStream conformance: ${name}`, () => {
    let stream: FeatureStream;
    const wait = (check: () => void) => vi.waitFor(check, { timeout: harness.patienceMs, interval: 50 });
    beforeAll(async () => {
      stream = await harness.open();
    });
    afterAll(async () => stream?.close());

    it("keeps each key's order: one partition per key (Kafka's murmur2), offsets rising, batches of one partition", async () => {
      const topic = await harness.topic(stream, 4);
      const keys = Array.from({ length: 20 }, (_, i) => `room-${i}-${'x'.repeat(i)}`);
      for (let seq = 0; seq < 25; seq++) await stream.publish(topic, keys.map((k) => record(k, `${k}#${seq}`)));
      const r = await recorder(stream, topic, group());
      await wait(() => expect(r.messages).toHaveLength(keys.length * 25));
      for (const key of keys) {
        const mine = r.messages.filter((m) => text(m.key) === key);
        expect(mine.map((m) => text(m.value))).toEqual(Array.from({ length: 25 }, (_, seq) => `${key}#${seq}`));
        expect(new Set(mine.map((m) => m.partition))).toEqual(new Set([partitionOf(bytes(key), 4)]));
      }
      for (const batch of r.batches) {
        expect(batch.messages.length).toBeGreaterThan(0);
        for (const m of batch.messages) expect(m.partition).toBe(batch.partition);
        const offsets = batch.messages.map((m) => m.offset);
        expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : 1)));
        expect(batch.highWatermark).toBeGreaterThan(offsets.at(-1) as bigint);
        expect(typeof batch.messages[0]?.offset).toBe('bigint');
        expect(batch.messages[0]?.timestamp).toBeInstanceOf(Date);
      }
      await r.subscription.close();
    });

    it('redelivers what a closed member processed but did not commit to the next member of its group', async () => {
      const topic = await harness.topic(stream, 2);
      const groupId = group();
      await stream.publish(topic, Array.from({ length: 40 }, (_, i) => record(`k${i}`, `v${i}`)));
      const first = await recorder(stream, topic, groupId);
      await wait(() => expect(first.messages).toHaveLength(40));
      // Commit only the first five messages of each partition.
      await first.subscription.commit([0, 1].map((partition) => ({ partition, offset: 4n })));
      await first.subscription.close();
      const next = await recorder(stream, topic, groupId);
      await wait(() => expect(next.messages).toHaveLength(30));
      const expected = first.messages.filter((m) => m.offset >= 5n).map((m) => `${m.partition}:${m.offset}:${text(m.value)}`);
      expect(next.messages.map((m) => `${m.partition}:${m.offset}:${text(m.value)}`).sort()).toEqual(expected.sort());
      await sleep(300);
      expect(next.messages).toHaveLength(30);
      await next.subscription.close();
    });

    it('two members of one group split the partitions; each message goes to the member holding its partition', async () => {
      const topic = await harness.topic(stream, 4);
      const groupId = group();
      const a = await recorder(stream, topic, groupId);
      await wait(() => expect(a.subscription.assignment()).toHaveLength(4));
      const b = await recorder(stream, topic, groupId);
      await wait(() => {
        const [mineA, mineB] = [a.subscription.assignment(), b.subscription.assignment()];
        expect(mineA.length).toBeGreaterThan(0);
        expect(mineB.length).toBeGreaterThan(0);
        expect([...mineA, ...mineB].sort()).toEqual([0, 1, 2, 3]);
      });
      const [ownA, ownB] = [new Set(a.subscription.assignment()), new Set(b.subscription.assignment())];
      await stream.publish(topic, Array.from({ length: 200 }, (_, i) => record(`user-${i}`, String(i))));
      await wait(() => expect(a.messages.length + b.messages.length).toBe(200));
      for (const m of a.messages) expect(ownA.has(m.partition)).toBe(true);
      for (const m of b.messages) expect(ownB.has(m.partition)).toBe(true);
      expect(new Set([...a.messages, ...b.messages].map((m) => text(m.value))).size).toBe(200);
      await Promise.all([a.subscription.close(), b.subscription.close()]);
    });

    it('tells each member its partitions: assigned after every rebalance, all revoked before they move', async () => {
      const topic = await harness.topic(stream, 4);
      const groupId = group();
      const events = { a: [] as string[], b: [] as string[] };
      const member = (name: 'a' | 'b') =>
        stream.subscribe({
          topic,
          groupId,
          handler: async () => {},
          onAssigned: (p) => events[name].push(`assigned ${p.join(',')}`),
          onRevoked: (p) => events[name].push(`revoked ${p.join(',')}`),
        });
      const a = await member('a');
      await wait(() => expect(events.a).toEqual(['assigned 0,1,2,3']));
      const b = await member('b');
      await wait(() => {
        expect(events.a.slice(0, 2)).toEqual(['assigned 0,1,2,3', 'revoked 0,1,2,3']);
        expect(events.a.at(-1)).toMatch(/^assigned /);
        expect(events.b.at(-1)).toMatch(/^assigned /);
        const held = [events.a.at(-1)!, events.b.at(-1)!].flatMap((e) => e.slice('assigned '.length).split(',').filter(Boolean).map(Number));
        expect(held.sort()).toEqual([0, 1, 2, 3]);
        expect(a.assignment().length + b.assignment().length).toBe(4);
      });
      const lastOfB = events.b.at(-1)!.slice('assigned '.length);
      await b.close();
      expect(events.b.at(-1)).toBe(`revoked ${lastOfB}`);
      await wait(() => expect(events.a.at(-1)).toBe('assigned 0,1,2,3'));
      await a.close();
      expect(events.a.at(-1)).toBe('revoked 0,1,2,3');
    });

    it('processes partitions concurrently, each partition one batch at a time; heartbeat() resolves', async () => {
      const topic = await harness.topic(stream, 4);
      const keys = Array.from({ length: 40 }, (_, i) => `spread-${i}`);
      await stream.publish(topic, keys.map((k) => record(k, k)));
      const active = new Set<number>();
      let most = 0;
      let samePartitionTwice = false;
      let seen = 0;
      const subscription = await stream.subscribe({
        topic,
        groupId: group(),
        handler: async (batch, context) => {
          if (active.has(batch.partition)) samePartitionTwice = true;
          active.add(batch.partition);
          most = Math.max(most, active.size);
          await sleep(150);
          await context.heartbeat();
          active.delete(batch.partition);
          seen += batch.messages.length;
        },
      });
      await wait(() => expect(seen).toBe(keys.length));
      expect(samePartitionTwice).toBe(false);
      expect(most).toBeGreaterThan(1);
      await subscription.close();
    });

    it('after a commit, a restarted member resumes right after it', async () => {
      const topic = await harness.topic(stream, 2);
      const groupId = group();
      await stream.publish(topic, Array.from({ length: 20 }, (_, i) => record(`k${i}`, `old${i}`)));
      const first = await recorder(stream, topic, groupId);
      await wait(() => expect(first.messages).toHaveLength(20));
      await first.subscription.commit(lastPositions(first.messages));
      await first.subscription.close();
      await stream.publish(topic, Array.from({ length: 10 }, (_, i) => record(`k${i}`, `new${i}`)));
      const restarted = await recorder(stream, topic, groupId);
      await wait(() => expect(restarted.messages).toHaveLength(10));
      await sleep(300);
      expect(restarted.messages.map((m) => text(m.value)).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `new${i}`).sort());
      await restarted.subscription.close();
    });

    it('a handler that throws gets the same messages again', async () => {
      const topic = await harness.topic(stream, 1);
      await stream.publish(topic, Array.from({ length: 5 }, (_, i) => record('same-key', `v${i}`)));
      const failures: unknown[] = [];
      let calls = 0;
      const seen: string[][] = [];
      const subscription = await stream.subscribe({
        topic,
        groupId: group(),
        onError: (e) => failures.push(e),
        handler: async (batch) => {
          seen.push(batch.messages.map((m) => text(m.value)));
          if (calls++ === 0) throw new Error('first delivery fails');
        },
      });
      await wait(() => expect(seen.flat().filter((v) => v === 'v4')).toHaveLength(2));
      expect(seen[0]?.[0]).toBe('v0');
      expect(seen.slice(1).flat()).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
      expect(failures).toEqual([new Error('first delivery fails')]);
      await subscription.close();
    });

    it('close is clean: waits for the batch in flight, delivers nothing after, refuses later calls', async () => {
      const own = await harness.open();
      const topic = await harness.topic(own, 1);
      let inFlight = false;
      let finished = 0;
      let started = 0;
      const r = await recorder(own, topic, group(), {
        handler: async () => {
          started++;
          inFlight = true;
          await sleep(300);
          inFlight = false;
          finished++;
        },
      });
      await own.publish(topic, [record('k', 'one')]);
      await wait(() => expect(started).toBe(1));
      await r.subscription.close();
      expect(inFlight).toBe(false);
      expect(finished).toBe(1);
      await own.publish(topic, [record('k', 'two')]);
      await sleep(500);
      expect(started).toBe(1);
      await expect(r.subscription.commit([{ partition: 0, offset: 0n }])).rejects.toMatchObject({ code: STREAM_CLOSED });
      await own.close();
      await own.close();
      await expect(own.publish(topic, [record('k', 'three')])).rejects.toBeInstanceOf(StreamError);
      await expect(own.publish(topic, [record('k', 'three')])).rejects.toMatchObject({ code: STREAM_CLOSED });
      await expect(own.subscribe({ topic, groupId: group(), handler: async () => {} })).rejects.toMatchObject({ code: STREAM_CLOSED });
    });

    it('refuses records that are not bytes and positions that are not offsets, by name', async () => {
      const topic = await harness.topic(stream, 1);
      const notBytes = [{ key: 'k', value: bytes('v') }] as unknown as StreamRecord[];
      await expect(stream.publish(topic, notBytes)).rejects.toMatchObject({ code: STREAM_INVALID_INPUT, message: STREAM_ERRORS.notBytes(0, 'key') });
      const r = await recorder(stream, topic, group());
      const bad = [{ partition: 0, offset: 3 }] as unknown as { partition: number; offset: bigint }[];
      await expect(r.subscription.commit(bad)).rejects.toMatchObject({ code: STREAM_INVALID_INPUT, message: STREAM_ERRORS.badOffset('{"partition":0,"offset":"3"}') });
      await r.subscription.close();
    });
  });
}
