/**
 * A representative stream of feature updates through a real Kafka broker: Avro-encoded values of the
 * generated schemas, keyed by entity key, come back byte-exact and in per-key order (bigints intact).
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { featureDescriptors } from '../../generated/ts/index.ts';
import type { RealtimeRoomContextV1Value } from '../../generated/ts/live/realtime-room-context-v1.ts';
import { decodeFeatureValue, encodeFeatureValue } from '../../runtime/index.ts';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'featurestore-test', brokers, logLevel: logLevel.NOTHING });
const topic = `featurestore.test.${Date.now().toString(36)}`;
const descriptor = featureDescriptors['live::realtime-room-context-v1'];
const ROOMS = 20;
const UPDATES_PER_ROOM = 25;

function update(room: number, seq: number): { key: bigint; value: RealtimeRoomContextV1Value } {
  return {
    key: 9_007_199_254_740_993n + BigInt(room), // beyond 2^53: a number would corrupt it
    value: {
      viewerCount: seq,
      likeCount1m: seq * 2,
      giftAmount10m: seq / 3,
      clickThroughRate1h: 0.25,
      visionLabels: [`label-${seq}`, 'dance'],
      lastFrameAt: seq % 2 === 0 ? null : new Date(Date.UTC(2026, 10, 26, 12, 0, seq)),
      isAdultSuspected: seq % 7 === 0,
    },
  };
}

const admin = kafka.admin();
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
const consumer = kafka.consumer({ groupId: `${topic}.group` });
afterAll(async () => {
  await Promise.allSettled([producer.disconnect(), consumer.disconnect()]);
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
});

describe('Kafka round trip of Avro-encoded feature updates', () => {
  it('delivers every update, decoded equal, in per-key order across partitions', async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 1 }], waitForLeaders: true });
    await producer.connect();
    const sent = new Map<string, RealtimeRoomContextV1Value[]>();
    for (let seq = 0; seq < UPDATES_PER_ROOM; seq++) {
      const messages = Array.from({ length: ROOMS }, (_, room) => {
        const { key, value } = update(room, seq);
        sent.set(key.toString(), [...(sent.get(key.toString()) ?? []), value]);
        return { key: key.toString(), value: encodeFeatureValue(descriptor, value), headers: { 'fs-schema-id': descriptor.fingerprint.toString() } };
      });
      await producer.send({ topic, messages });
    }

    const received = new Map<string, RealtimeRoomContextV1Value[]>();
    let count = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${count} of ${ROOMS * UPDATES_PER_ROOM} messages arrived`)), 45_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const key = message.key!.toString();
          expect(message.headers?.['fs-schema-id']?.toString()).toBe(descriptor.fingerprint.toString());
          received.set(key, [...(received.get(key) ?? []), decodeFeatureValue(descriptor, message.value!)]);
          if (++count === ROOMS * UPDATES_PER_ROOM) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    expect(received).toEqual(sent);
  });
});
