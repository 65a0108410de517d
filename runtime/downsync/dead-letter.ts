/**
 * Dead letters: a command the worker can never apply goes to `<topic>.dlq` (the same record key, so a
 * replay tool keeps per-key order) with a small JSON value saying why, and the worker keeps going.
 * JSON, not Avro: whoever reads a dead-letter topic is an operator or a generic tool, and the original
 * bytes are in it (base64) for a replay after the cause is fixed.
 *
 * The reasons are a closed set (a metric label each):
 * - `malformed`: the value is not a FeatureCommand, or its record key is not the one the envelope's
 *   feature and key give (per-key order would not hold);
 * - `unknown-feature`: not a feature of this deployment's manifest;
 * - `unauthorised`: the producer is not in the feature's `access.write`;
 * - `malformed-key`: the key bytes are not the feature's key record;
 * - `unknown-schema`: the writer schema id is not one the feature has had (manifest writerSchemas);
 * - `undecodable`: the value bytes do not decode completely under that schema;
 * - `event-time-mismatch`: a History command whose event_time is not the value's event-time field.
 *
 * These are every check the write module makes on encoded rows, so a command that passes them is written
 * through the WritePath as it is (downsync-worker.ts), and a write that fails is a store failure: the
 * batch is retried, never dead-lettered.
 *
 * Publishing is part of the batch: offsets are committed only after it, so a dead letter is never
 * lost, and after a crash it may be published twice (at-least-once, like everything else here).
 */
import type { StreamMessage, StreamRecord } from '../stream/feature-stream.ts';

export const DEAD_LETTER_REASONS = [
  'malformed',
  'unknown-feature',
  'unauthorised',
  'malformed-key',
  'unknown-schema',
  'undecodable',
  'event-time-mismatch',
] as const;

export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export const DEAD_LETTER_MESSAGES = {
  keyMismatch: 'the record key is not the feature name, a NUL byte and the key bytes of the envelope',
  unknownFeature: (feature: string) => `${JSON.stringify(feature)} is not a feature of this deployment's manifest`,
  unauthorised: (producer: string, feature: string) => `producer ${JSON.stringify(producer)} may not write ${feature} (access.write)`,
  unknownSchema: (schemaId: bigint, feature: string) => `writer schema ${schemaId} is not a schema ${feature} has had (manifest writerSchemas)`,
  undecodable: (schemaId: bigint, problem: string) => `the value does not decode under writer schema ${schemaId}: ${problem}`,
  eventTimeMismatch: (field: string, eventTime: Date, inValue: unknown) =>
    `event_time ${eventTime.toISOString()} is not the value's ${field} (${inValue instanceof Date ? inValue.toISOString() : String(inValue)})`,
} as const;

/** The JSON value of a dead-letter record. */
export interface DeadLetter {
  readonly reason: DeadLetterReason;
  readonly message: string;
  /** The envelope's feature and producer when the envelope decoded, else null. */
  readonly feature: string | null;
  readonly producer: string | null;
  readonly topic: string;
  readonly partition: number;
  /** Decimal: Kafka offsets are 64-bit. */
  readonly offset: string;
  readonly key: string;
  readonly value: string;
}

export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}

export function deadLetterRecord(
  topic: string,
  message: StreamMessage,
  reason: DeadLetterReason,
  text: string,
  envelope: { readonly feature: string; readonly producer: string } | null,
): StreamRecord {
  const letter: DeadLetter = {
    reason,
    message: text,
    feature: envelope?.feature ?? null,
    producer: envelope?.producer ?? null,
    topic,
    partition: message.partition,
    offset: message.offset.toString(),
    key: Buffer.from(message.key).toString('base64'),
    value: Buffer.from(message.value).toString('base64'),
  };
  return { key: message.key, value: new TextEncoder().encode(JSON.stringify(letter)) };
}
