/**
 * Batching of command records over a FeatureStream, like the Java client's `linger.ms`/`batch.size`
 * (kafkajs has neither: each `send` is one request). Sends queue; one publish is in flight at a time,
 * and everything queued while it is goes out together in the next, up to `maxBatchRecords` records
 * and `maxBatchBytes` bytes. Throughput is therefore (records per publish) / (publish round trip): with
 * acks=all on a loaded broker a round trip is 50–150 ms, so the old cap of 500 records held a producer
 * near 3–4k sends/s. The cap is now 10,000 records / 900 kB (under Kafka's default 1 MiB
 * `message.max.bytes` even if every record goes to one partition), so the batch grows with the load
 * instead. Several publishes in flight would not help on Kafka: kafkajs's idempotent producer holds a
 * lock per broker around each produce request, so they would queue there anyway, and a failed one
 * could let a later one of the same key overtake it.
 * So a lone send waits `lingerMs` at most (0, the default: the next turn of the event loop) and
 * concurrent sends share requests without any waiting at all. One publish at a time is also what keeps
 * per-key order: batches reach the broker in queue order, and the Kafka adapter's idempotent producer
 * (acks=all, one request in flight) keeps a retried request from reordering or duplicating.
 *
 * Each send resolves when the stream acknowledged its records (Kafka: every in-sync replica), or rejects
 * with the stream's error; a failed batch fails only the sends in it (a caller retrying may then put
 * its commands behind later ones of the same key: last-writer-wins by event time still decides).
 * A send's records stay in one publish (never split), even beyond maxBatchRecords.
 */
import type { FeatureStream, StreamRecord } from '../../stream/feature-stream.ts';

export interface BatchSettings {
  /** How long a send waits for others to share its request (default 0). */
  readonly lingerMs?: number;
  /** Records per publish at most (default 10,000). */
  readonly maxBatchRecords?: number;
  /** Key and value bytes per publish at most (default 900,000); a single send larger than this still goes alone. */
  readonly maxBatchBytes?: number;
}

interface Pending {
  readonly records: readonly StreamRecord[];
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export const DEFAULT_LINGER_MS = 0;
export const DEFAULT_MAX_BATCH_RECORDS = 10_000;
export const DEFAULT_MAX_BATCH_BYTES = 900_000;
/** Kafka's per-record overhead in a record batch, roughly (varints, attributes, headers count). */
const RECORD_OVERHEAD_BYTES = 20;

export class CommandBatcher {
  private queue: Pending[] = [];
  private queued = 0;
  private queuedBytes = 0;
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private readonly lingerMs: number;
  private readonly maxBatchRecords: number;
  private readonly maxBatchBytes: number;
  /** Publishes made so far (tests and metrics). */
  publishes = 0;

  constructor(
    private readonly stream: FeatureStream,
    private readonly topic: string,
    settings: BatchSettings = {},
  ) {
    this.lingerMs = settings.lingerMs ?? DEFAULT_LINGER_MS;
    this.maxBatchRecords = settings.maxBatchRecords ?? DEFAULT_MAX_BATCH_RECORDS;
    this.maxBatchBytes = settings.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
  }

  send(records: readonly StreamRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let bytes = 0;
      for (const r of records) bytes += r.key.byteLength + r.value.byteLength + RECORD_OVERHEAD_BYTES;
      this.queue.push({ records, bytes, resolve, reject });
      this.queued += records.length;
      this.queuedBytes += bytes;
      this.schedule();
    });
  }

  /** Resolves once everything queued so far was published (or failed). */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight) {
      if (this.timer) this.fire();
      await this.inFlight?.catch(() => {});
    }
  }

  private schedule(): void {
    if (this.inFlight || this.queue.length === 0) return;
    if (this.queued >= this.maxBatchRecords || this.queuedBytes >= this.maxBatchBytes) {
      this.fire();
      return;
    }
    if (this.timer) return;
    this.timer = this.lingerMs > 0 ? setTimeout(() => this.fire(), this.lingerMs) : setImmediate(() => this.fire());
  }

  private fire(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
    if (this.inFlight || this.queue.length === 0) return;
    const batch: Pending[] = [];
    let count = 0;
    let bytes = 0;
    let taken = 0;
    while (taken < this.queue.length) {
      const next = this.queue[taken]!;
      if (batch.length > 0 && (count + next.records.length > this.maxBatchRecords || bytes + next.bytes > this.maxBatchBytes)) break;
      batch.push(next);
      count += next.records.length;
      bytes += next.bytes;
      taken++;
    }
    // One splice, not a shift per send: at 10,000 queued sends shift() is quadratic.
    this.queue.splice(0, taken);
    this.queued -= count;
    this.queuedBytes -= bytes;
    const records = batch.length === 1 ? batch[0]!.records : batch.flatMap((p) => p.records);
    this.publishes++;
    this.inFlight = this.stream.publish(this.topic, records).then(
      () => batch.forEach((p) => p.resolve()),
      (e: unknown) => batch.forEach((p) => p.reject(e)),
    );
    void this.inFlight.finally(() => {
      this.inFlight = null;
      this.schedule();
    });
  }
}
