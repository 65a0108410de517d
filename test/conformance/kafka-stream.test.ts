/**
 * The stream conformance suite on the real Kafka broker of the services harness: topics unique to this
 * run (deleted afterwards), short heartbeats so rebalances settle within the patience.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DRIVER_ERRORS, MissingDriverError } from '../../runtime/connect/optional-drivers.ts';
import { STREAM_ERRORS, STREAM_INVALID_INPUT, STREAM_UNREACHABLE } from '../../runtime/stream/feature-stream.ts';
import { KAFKA_STREAM_USE, openKafkaFeatureStream, type KafkaFeatureStream } from '../../runtime/stream/kafka/kafka-feature-stream.ts';
import { featureStreamConformance } from './feature-stream.conformance.ts';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const run = `featurestore.conformance.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 6)}`;
const created: string[] = [];
let topics = 0;

const open = () => openKafkaFeatureStream({ brokers, clientId: 'featurestore-conformance', sessionTimeoutMs: 6_000, heartbeatIntervalMs: 300 });

afterAll(async () => {
  const stream = await open();
  const admin = stream.kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: created }).catch(() => {});
  await admin.disconnect();
});

featureStreamConformance('Kafka', {
  open,
  topic: async (stream, partitions) => {
    const name = `${run}.${topics++}`;
    await (stream as KafkaFeatureStream).createTopic(name, partitions);
    created.push(name);
    return name;
  },
  patienceMs: 45_000,
});

describe('Kafka stream specifics', () => {
  it('an unreachable broker: STREAM_UNREACHABLE naming it', async () => {
    const stream = await openKafkaFeatureStream({ brokers: ['127.0.0.1:1'], connectRetries: 0 });
    await expect(stream.publish('t', [{ key: new Uint8Array([1]), value: new Uint8Array([2]) }])).rejects.toMatchObject({
      code: STREAM_UNREACHABLE,
      message: expect.stringMatching(/^cannot reach Kafka at 127\.0\.0\.1:1: /),
    });
    await stream.close();
  });

  it('a handler slower than the session timeout keeps its partitions while it calls heartbeat()', async () => {
    const stream = await open();
    const topic = `${run}.slow`;
    await stream.createTopic(topic, 2);
    created.push(topic);
    await stream.publish(topic, [{ key: new Uint8Array([1]), value: new Uint8Array([1]) }]);
    const events: string[] = [];
    let deliveries = 0;
    const sub = await stream.subscribe({
      topic,
      groupId: `${run}.slow-group`,
      onAssigned: (p) => events.push(`assigned ${p.join(',')}`),
      onRevoked: (p) => events.push(`revoked ${p.join(',')}`),
      handler: async (_batch, context) => {
        deliveries++;
        // 9 s of "work" against a 6 s session timeout, heartbeating between stages.
        for (let t = 0; t < 9_000; t += 300) {
          await new Promise((resolve) => setTimeout(resolve, 300));
          await context.heartbeat();
        }
      },
    });
    await expect.poll(() => deliveries, { timeout: 30_000 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    expect(events).toEqual(['assigned 0,1']);
    expect(deliveries).toBe(1);
    await sub.close();
    await stream.close();
  }, 60_000);

  it('refuses a partitionsConsumedConcurrently that is not a positive integer', async () => {
    const stream = await openKafkaFeatureStream({ brokers, partitionsConsumedConcurrently: 0 });
    await expect(stream.subscribe({ topic: 't', groupId: 'g', handler: async () => {} })).rejects.toMatchObject({ code: STREAM_INVALID_INPUT, message: STREAM_ERRORS.concurrency(0) });
    await stream.close();
  });

  it('without kafkajs installed: a MissingDriverError naming the package and what needed it', async () => {
    const absent = Object.assign(new Error("Cannot find package 'kafkajs' imported from /srv/app/x.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    const failure = openKafkaFeatureStream({ brokers, importDriver: () => Promise.reject(absent) });
    await expect(failure).rejects.toBeInstanceOf(MissingDriverError);
    await expect(failure).rejects.toThrow(DRIVER_ERRORS.missing('kafkajs', KAFKA_STREAM_USE));
  });
});
