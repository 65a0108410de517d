/**
 * The stream conformance suite on the real Kafka broker of the services harness: topics unique to this
 * run (deleted afterwards), short heartbeats so rebalances settle within the patience.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DRIVER_ERRORS, MissingDriverError } from '../../runtime/connect/optional-drivers.ts';
import { STREAM_UNREACHABLE } from '../../runtime/stream/feature-stream.ts';
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

  it('without kafkajs installed: a MissingDriverError naming the package and what needed it', async () => {
    const absent = Object.assign(new Error("Cannot find package 'kafkajs' imported from /srv/app/x.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    const failure = openKafkaFeatureStream({ brokers, importDriver: () => Promise.reject(absent) });
    await expect(failure).rejects.toBeInstanceOf(MissingDriverError);
    await expect(failure).rejects.toThrow(DRIVER_ERRORS.missing('kafkajs', KAFKA_STREAM_USE));
  });
});
