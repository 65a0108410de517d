/**
 * The raw ceiling: kafkajs alone reading the pre-produced topic as a fresh consumer group, `eachBatch`
 * with no processing at all (count the messages, resolve, heartbeat), the consumer settings the
 * worker's Kafka adapter uses (one partition at a time, the same session and fetch defaults). The
 * rate is the messages after the first batch over the time from the first batch to the N-th message,
 * so the group join (the broker's initial rebalance delay, ~3 s) is reported apart, as for the worker.
 */
import { Kafka, logLevel } from 'kafkajs';

export interface RawConsume {
  readonly messages: number;
  readonly joinMs: number;
  readonly consumeMs: number;
  readonly rate: number;
  readonly batches: number;
}

export async function rawConsume(brokers: readonly string[], topic: string, groupId: string, n: number, timeoutMs: number): Promise<RawConsume> {
  const kafka = new Kafka({ clientId: 'bench-downsync-raw', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, allowAutoTopicCreation: false });
  const started = performance.now();
  let first = 0;
  let count = 0;
  let firstBatch = 0;
  let batches = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, heartbeat }) => {
        if (batch.messages.length === 0) return;
        if (first === 0) {
          first = performance.now();
          firstBatch = batch.messages.length;
        }
        count += batch.messages.length;
        batches++;
        await heartbeat();
        if (count >= n) done();
      },
    });
    const timer = setTimeout(done, timeoutMs);
    await finished;
    clearTimeout(timer);
    const end = performance.now();
    if (count < n) throw new Error(`raw consumer read ${count} of ${n} messages in ${timeoutMs} ms`);
    return { messages: count, joinMs: first - started, consumeMs: end - first, rate: (count - firstBatch) / ((end - first) / 1000), batches };
  } finally {
    await consumer.disconnect();
  }
}
