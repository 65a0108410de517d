/** The Kafka stream's options, apart from the adapter so that declarations naming them import nothing of kafkajs. */
export interface KafkaFeatureStreamOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /**
   * Partitions whose batches are processed at the same time (kafkajs `partitionsConsumedConcurrently`),
   * each partition still one batch at a time in offset order. Default 4: the worker's time is mostly
   * waiting on its stores, and four partitions in flight overlap that waiting.
   */
  readonly partitionsConsumedConcurrently?: number;
  /** Bytes fetched per partition per request at most (default 128 kB): smaller fetches, fresher commands. */
  readonly maxBytesPerPartition?: number;
  /** Pause before a failed batch is fetched again (default 100 ms). */
  readonly retryDelayMs?: number;
  /** Connection retries before an unreachable broker is reported (kafkajs's default is 5, with backoff). */
  readonly connectRetries?: number;
  /**
   * How kafkajs is imported (tests replace it to see the missing-driver error). Typed `unknown` so these
   * options, which the runtime's public declarations reach, name no driver type.
   */
  readonly importDriver?: () => Promise<unknown>;
}
