/** Messages and errors of the command producer (runtime/downsync/producer). */
import { FeatureStoreError } from '../../read/online-runtime.ts';

export const PRODUCER_ERRORS = {
  unknownConsumer: (consumer: string, known: readonly string[]) =>
    `unknown consumer "${consumer}": the generated ACL names ${known.length ? known.map((c) => `"${c}"`).join(', ') : 'no consumer'} (featurestore.yaml consumers)`,
  readsUnsupported: (feature: string) =>
    `cannot read ${feature} through a command producer: it only sends commands; pass \`reads\` (a FeatureReader such as createOnlineRuntime(...).reader(consumer) or the HTTP client) to createCommandProducer to read through the same accessors`,
  eventTimeMismatch: (field: string, given: Date, inValue: unknown, where: string) =>
    `eventTime ${given.toISOString()} differs from the value's event-time field ${field} (${inValue instanceof Date ? inValue.toISOString() : String(inValue)})${where}`,
  badEventTime: (value: unknown, where: string) => `eventTime must be a valid Date, got ${String(value)}${where}`,
  notARow: (where: string) => `each row must be an object { key, value, eventTime? }${where}`,
  unencodable: (problem: string, where: string) => `the value cannot be encoded: ${problem}${where}`,
  closed: 'the command producer is closed',
  badOption: (name: string, value: unknown, expected: string) => `invalid ${name} ${String(value)}: expected ${expected}`,
} as const;

/** The consumer a producer acts as is not in the generated ACL. */
export class UnknownConsumerError extends FeatureStoreError {
  override readonly name = 'UnknownConsumerError';
  constructor(
    readonly consumer: string,
    known: readonly string[],
  ) {
    super(PRODUCER_ERRORS.unknownConsumer(consumer, known));
  }
}

/** A read on a producer configured without a reader. */
export class ReadsUnsupportedError extends FeatureStoreError {
  override readonly name = 'ReadsUnsupportedError';
  constructor(readonly feature: string) {
    super(PRODUCER_ERRORS.readsUnsupported(feature));
  }
}

/** A send after close(). */
export class ProducerClosedError extends FeatureStoreError {
  override readonly name = 'ProducerClosedError';
  constructor() {
    super(PRODUCER_ERRORS.closed);
  }
}
