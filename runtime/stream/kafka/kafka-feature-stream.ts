/**
 * The stream on Kafka (kafkajs, loaded when the stream opens, never by importing the runtime).
 *
 * - One idempotent producer (acks=all, one request in flight, Kafka's default murmur2 partitioner):
 *   the broker de-duplicates the producer's retries, so a retried send neither duplicates nor reorders
 *   a key's commands. Created on the first publish.
 * - One kafkajs consumer per subscription, with `eachBatch`, no auto-commit and no auto-resolve: a
 *   batch's offsets are resolved (so the consumer fetches past them) only after the handler resolved,
 *   and committed only when the caller commits. A handler that throws leaves them unresolved, and the
 *   consumer fetches the same messages again after `retryDelayMs`.
 * - Rebalances are kafkajs's (eager, range assignor): a member that leaves or dies hands its
 *   partitions to the others from their committed offsets. `assignment()`, `onRevoked` and
 *   `onAssigned` follow the REBALANCING and GROUP_JOIN events; a member the coordinator forgot (it was
 *   silent for the session timeout) rejoins without a REBALANCING event, so a GROUP_JOIN first revokes
 *   whatever was not revoked yet.
 * - `partitionsConsumedConcurrently` batches of different partitions run at once (default 4; kafkajs
 *   keeps each partition's batches in order). The handler's `heartbeat()` is eachBatch's; an error it
 *   raises (a rebalance) is held and rethrown to kafkajs after the handler, which then rejoins.
 *
 * Group timing is a trade-off: a dead member's partitions move after `sessionTimeoutMs` (default
 * 10 s; the broker's minimum is 6 s), and members learn about a join or a clean leave at their next
 * heartbeat (`heartbeatIntervalMs`, default 1 s). Shorter means faster takeover and more heartbeats.
 */
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { loadDriver } from '../../connect/optional-drivers.ts';
import {
  checkPositions,
  checkRecords,
  STREAM_CLOSED,
  STREAM_ERRORS,
  STREAM_INVALID_INPUT,
  STREAM_UNREACHABLE,
  StreamError,
  type FeatureStream,
  type StreamBatch,
  type StreamPosition,
  type StreamRecord,
  type StreamSubscription,
  type SubscribeOptions,
} from '../feature-stream.ts';
import type { KafkaFeatureStreamOptions } from './kafka-stream-options.ts';

export type { KafkaFeatureStreamOptions } from './kafka-stream-options.ts';

/** Bytes fetched per partition at most (kafkajs's default is 1 MB; see subscribe). */
export const DEFAULT_MAX_BYTES_PER_PARTITION = 128 * 1024;

export type KafkaDriver = typeof import('kafkajs');

export const DEFAULT_PARTITIONS_CONCURRENTLY = 4;

/** Named by MissingDriverError when kafkajs is not installed. */
export const KAFKA_STREAM_USE = "the Kafka stream (openFeatureStream({ kind: 'kafka' }))";

export async function openKafkaFeatureStream(options: KafkaFeatureStreamOptions): Promise<KafkaFeatureStream> {
  const driver = await loadDriver('kafkajs', KAFKA_STREAM_USE, (options.importDriver as (() => Promise<KafkaDriver>) | undefined) ?? (() => import('kafkajs')));
  const kafka = new driver.Kafka({
    clientId: options.clientId ?? 'featurestore',
    brokers: [...options.brokers],
    logLevel: driver.logLevel.NOTHING,
    ...(options.connectRetries !== undefined ? { retry: { retries: options.connectRetries } } : {}),
  });
  return new KafkaFeatureStream(driver, kafka, options);
}

export class KafkaFeatureStream implements FeatureStream {
  private producer: Promise<Producer> | null = null;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private closed = false;
  private readonly brokers: string;

  constructor(
    private readonly driver: KafkaDriver,
    readonly kafka: Kafka,
    private readonly options: KafkaFeatureStreamOptions,
  ) {
    this.brokers = options.brokers.join(',');
  }

  /** Creates a topic (a no-op when it exists). Not part of FeatureStream: topics are provisioned, not made by producers. */
  async createTopic(topic: string, partitions: number): Promise<void> {
    const admin = this.kafka.admin();
    await this.reach(() => admin.connect());
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
  }

  async publish(topic: string, records: readonly StreamRecord[]): Promise<void> {
    this.open();
    checkRecords(records);
    if (records.length === 0) return;
    const producer = await this.connectedProducer();
    await this.reach(() =>
      producer.send({
        topic,
        acks: -1,
        messages: records.map((r) => ({ key: toBuffer(r.key), value: toBuffer(r.value) })),
      }),
    );
  }

  async subscribe(options: SubscribeOptions): Promise<StreamSubscription> {
    this.open();
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: this.options.heartbeatIntervalMs ?? 1_000,
      allowAutoTopicCreation: false,
      // Freshness over throughput per fetch: kafkajs fetches again only once every batch of the last
      // fetch is processed, so a 1 MB (default) fetch of 100-byte commands is ~10,000 commands a
      // partition that the newest command waits behind. 128 kB is ~1,000 commands: still large
      // batches for the stores, a fraction of the wait.
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION,
    });
    const subscription = new KafkaSubscription(consumer, options, this.options.retryDelayMs ?? 100, this.options.partitionsConsumedConcurrently ?? DEFAULT_PARTITIONS_CONCURRENTLY, () =>
      this.subscriptions.delete(subscription),
    );
    await this.reach(() => subscription.start());
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    const producer = this.producer;
    this.producer = null;
    if (producer) await producer.then((p) => p.disconnect()).catch(() => {});
  }

  private connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: this.driver.Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
        // An idempotent producer needs retries; connectRetries 0 still makes it give up soon.
        ...(this.options.connectRetries !== undefined ? { retry: { retries: Math.max(1, this.options.connectRetries) } } : {}),
      });
      this.producer = this.reach(() => producer.connect()).then(() => producer);
      // A failed connect is reported to this publish; the next one tries again.
      this.producer.catch(() => (this.producer = null));
    }
    return this.producer;
  }

  private open(): void {
    if (this.closed) throw new StreamError(STREAM_CLOSED, STREAM_ERRORS.closed('Kafka stream'));
  }

  /** Connection failures as STREAM_UNREACHABLE naming the brokers; other errors as they are. */
  private async reach<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      const name = (e as { readonly name?: unknown } | null)?.name;
      if (name === 'KafkaJSConnectionError' || name === 'KafkaJSNumberOfRetriesExceeded' || name === 'KafkaJSNonRetriableError') {
        const cause = (e as { readonly cause?: unknown; readonly originalError?: unknown }).cause ?? (e as { readonly originalError?: unknown }).originalError;
        const reason = cause instanceof Error ? `${(e as Error).message} (${cause.message})` : (e as Error).message;
        if (/connect|ECONNREFUSED|ENOTFOUND|timed? ?out|broker/i.test(reason)) throw new StreamError(STREAM_UNREACHABLE, STREAM_ERRORS.unreachable(this.brokers, reason), { cause: e });
      }
      throw e;
    }
  }
}

class KafkaSubscription implements StreamSubscription {
  private partitions: number[] = [];
  /** Partitions told to onAssigned and not yet to onRevoked. */
  private held: number[] = [];
  private closing: Promise<void> | null = null;

  constructor(
    private readonly consumer: Consumer,
    private readonly options: SubscribeOptions,
    private readonly retryDelayMs: number,
    private readonly concurrency: number,
    private readonly onClosed: () => void,
  ) {
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new StreamError(STREAM_INVALID_INPUT, STREAM_ERRORS.concurrency(concurrency));
  }

  private revoke(): void {
    this.partitions = [];
    if (this.held.length === 0) return;
    const revoked = this.held;
    this.held = [];
    this.options.onRevoked?.(revoked);
  }

  async start(): Promise<void> {
    const { consumer, options } = this;
    consumer.on(consumer.events.REBALANCING, () => this.revoke());
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.revoke();
      const assigned = [...(event.payload.memberAssignment[options.topic] ?? [])].sort((a, b) => a - b);
      this.partitions = assigned;
      this.held = [...assigned];
      options.onAssigned?.(assigned);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.concurrency,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        const delivered: StreamBatch = {
          topic: batch.topic,
          partition: batch.partition,
          highWatermark: BigInt(batch.highWatermark),
          messages: batch.messages.map((m) => ({
            key: m.key ?? Buffer.alloc(0),
            value: m.value ?? Buffer.alloc(0),
            partition: batch.partition,
            offset: BigInt(m.offset),
            timestamp: new Date(Number(m.timestamp)),
          })),
        };
        // The handler's heartbeats never reject: the rebalance one learns about is rethrown below.
        let heartbeatError: unknown = null;
        const context = {
          heartbeat: async () => {
            try {
              await heartbeat();
            } catch (e) {
              heartbeatError ??= e;
            }
          },
        };
        try {
          await options.handler(delivered, context);
        } catch (e) {
          // Unresolved: the consumer fetches these messages again.
          options.onError?.(e, delivered);
          await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
          if (heartbeatError) throw heartbeatError;
          return;
        }
        resolveOffset(batch.lastOffset());
        if (heartbeatError) throw heartbeatError;
        await heartbeat();
      },
    });
  }

  assignment(): readonly number[] {
    return [...this.partitions];
  }

  async commit(processed: readonly StreamPosition[]): Promise<void> {
    if (this.closing) throw new StreamError(STREAM_CLOSED, STREAM_ERRORS.closed('subscription'));
    checkPositions(processed);
    if (processed.length === 0) return;
    await this.consumer.commitOffsets(processed.map((p) => ({ topic: this.options.topic, partition: p.partition, offset: (p.offset + 1n).toString() })));
  }

  close(): Promise<void> {
    // disconnect() stops fetching, waits for the batch in flight and leaves the group.
    this.closing ??= this.consumer.disconnect().finally(() => {
      this.revoke();
      this.onClosed();
    });
    return this.closing;
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
