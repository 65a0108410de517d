/**
 * The stream interface: how producers send feature commands and how the downsync worker consumes them.
 * Kafka in production, an in-process stream as the embedded default; one conformance suite for both.
 * It moves bytes (the Avro command envelopes of issue 10); what they mean is the worker's business.
 *
 * The shape is Kafka's, because that is the guarantee the worker is built on:
 * - a topic has partitions; a record goes to the partition its key hashes to (Kafka's default murmur2
 *   partitioner, in both adapters), so the commands of one entity stay in order;
 * - consumers subscribe as a group: each partition is consumed by one member at a time, and a member
 *   joining or leaving moves partitions between members (a rebalance);
 * - the handler gets one partition's messages at a time, in offset order, and the next batch of a
 *   partition only after the handler's promise resolved: per partition one batch in flight; batches of
 *   different partitions may be in flight together, up to the adapter's `partitionsConsumedConcurrently`
 *   (default 1: one batch in flight per member);
 * - the member is told when its partitions change (`onAssigned`, `onRevoked`): revoked before another
 *   member can take them (every rebalance revokes all, as Kafka's eager protocol does), assigned when
 *   it may consume them again. What a member keeps in memory per partition is valid between the two;
 * - a handler that runs long keeps its membership with `context.heartbeat()` (Kafka drops a member
 *   that is silent for the session timeout, and moves its partitions); call it between slow stages;
 * - offsets are committed explicitly, by the caller, after processing — never automatically. Whatever a
 *   member processed but did not commit is delivered again to whoever holds the partition next (after
 *   a rebalance, a crash or a restart): at-least-once. The worker makes that effectively-once with
 *   idempotent writes; committing only after the online write and the offline flush is its job;
 * - a handler that throws gets the same batch again after a pause (nothing is skipped silently); a
 *   message that can never succeed must be dead-lettered by the handler itself;
 * - a group without committed offsets starts at the oldest message the stream holds: a new worker
 *   never skips commands. (There is no "from the end" option: on Kafka the end is resolved at the
 *   first fetch, not at the join, so what it skips is a race; to skip history, commit positions.)
 */

/** What a producer sends: the entity key (decides the partition) and the value. */
export interface StreamRecord {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export interface StreamMessage extends StreamRecord {
  readonly partition: number;
  /** Kafka offsets are 64-bit: a bigint, never a number. */
  readonly offset: bigint;
  /** When the stream appended it. */
  readonly timestamp: Date;
}

export interface StreamBatch {
  readonly topic: string;
  readonly partition: number;
  /** In offset order, never empty. */
  readonly messages: readonly StreamMessage[];
  /** The offset the partition's next record will get: `highWatermark - (last offset + 1)` is the lag. */
  readonly highWatermark: bigint;
}

/** A processed message: committing it means everything up to and including `offset` in `partition` is done. */
export interface StreamPosition {
  readonly partition: number;
  readonly offset: bigint;
}

/** Handed to the handler with each batch. */
export interface BatchContext {
  /**
   * Tells the group this member is alive (Kafka: a heartbeat, throttled to the heartbeat interval, so
   * calling it often is cheap). Never rejects: a rebalance it learns about is acted on after the handler.
   */
  heartbeat(): Promise<void>;
}

export interface SubscribeOptions {
  readonly topic: string;
  readonly groupId: string;
  /** Called with one batch per partition at a time; resolve when it is processed (committing is separate). */
  readonly handler: (batch: StreamBatch, context: BatchContext) => Promise<void>;
  /** Told about every handler failure (the batch is then delivered again). */
  readonly onError?: (error: unknown, batch: StreamBatch) => void;
  /** The partitions this member may consume from now on (ascending), after every rebalance. */
  readonly onAssigned?: (partitions: readonly number[]) => void;
  /**
   * The partitions this member loses (all it held: rebalances are eager), before another member can
   * consume them. A batch of theirs may still be in flight; its commit will fail or be superseded.
   */
  readonly onRevoked?: (partitions: readonly number[]) => void;
}

export interface StreamSubscription {
  /**
   * Commits the positions (the last processed message per partition). Resolves once the stream stored
   * them: a member that takes a partition over after this starts after them.
   */
  commit(processed: readonly StreamPosition[]): Promise<void>;
  /** The partitions this member holds now (empty while a rebalance is in progress). */
  assignment(): readonly number[];
  /** Waits for the batch in flight, leaves the group (its partitions move to the others), delivers no more. */
  close(): Promise<void>;
}

export interface FeatureStream {
  /** Appends the records; resolves once the stream acknowledged all of them (Kafka: acks=all). */
  publish(topic: string, records: readonly StreamRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<StreamSubscription>;
  /** Closes every subscription, then the producer. */
  close(): Promise<void>;
}

export const STREAM_CLOSED = 'STREAM_CLOSED';
export const STREAM_UNREACHABLE = 'STREAM_UNREACHABLE';
export const STREAM_INVALID_INPUT = 'STREAM_INVALID_INPUT';

export type StreamErrorCode = typeof STREAM_CLOSED | typeof STREAM_UNREACHABLE | typeof STREAM_INVALID_INPUT;

export const STREAM_ERRORS = {
  closed: (what: string) => `the ${what} is closed`,
  unreachable: (brokers: string, reason: string) => `cannot reach Kafka at ${brokers}: ${reason}`,
  notBytes: (index: number, field: 'key' | 'value') => `record ${index}: ${field} must be a Uint8Array`,
  badOffset: (position: unknown) => `cannot commit ${String(position)}: expected { partition, offset } with a partition number and a bigint offset >= 0`,
  concurrency: (value: unknown) => `partitionsConsumedConcurrently must be a positive integer, got ${String(value)}`,
  partitions: (value: unknown) => `partitions must be an integer from 1 to 10000, got ${String(value)}`,
} as const;

export class StreamError extends Error {
  override readonly name = 'StreamError';
  constructor(
    readonly code: StreamErrorCode,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The checks both adapters make before publishing or committing. */
export function checkRecords(records: readonly StreamRecord[]): void {
  records.forEach((record, i) => {
    if (!(record?.key instanceof Uint8Array)) throw new StreamError(STREAM_INVALID_INPUT, STREAM_ERRORS.notBytes(i, 'key'));
    if (!(record.value instanceof Uint8Array)) throw new StreamError(STREAM_INVALID_INPUT, STREAM_ERRORS.notBytes(i, 'value'));
  });
}

export function checkPositions(positions: readonly StreamPosition[]): void {
  for (const p of positions) {
    if (!Number.isInteger(p?.partition) || p.partition < 0 || typeof p.offset !== 'bigint' || p.offset < 0n) {
      throw new StreamError(STREAM_INVALID_INPUT, STREAM_ERRORS.badOffset(p === null || typeof p !== 'object' ? p : JSON.stringify({ partition: p.partition, offset: String(p.offset) })));
    }
  }
}
