/**
 * The in-process stream: the embedded default (no Kafka), with Kafka's semantics where the worker
 * relies on them, so the downsync tests on it mean something:
 *
 * - partitions by the key's murmur2 hash, exactly as Kafka's default partitioner;
 * - consumer groups with committed offsets, partitions assigned to members in contiguous ranges by
 *   join order (Kafka's range assignor);
 * - rebalances are eager, as in Kafka's classic protocol: on a join or a leave every member first
 *   finishes its batches in flight, is told its partitions are revoked, then all positions restart
 *   from the committed offsets and each member is told what it is assigned. So what a closed member
 *   processed but did not commit is delivered again to the next holder of its partitions, and no
 *   partition is ever consumed by two members at once;
 * - up to `partitionsConsumedConcurrently` partitions (default 4, as the Kafka adapter) have a batch in
 *   flight at once, one batch per partition. There is no session timeout here (a member lives as long
 *   as its subscription), so `heartbeat()` has nothing to do.
 *
 * Everything lives in this process's memory and ends with it: it is not durable, and only consumers in
 * this process see the records. That is the point of an embedded default (tests, a laptop, a
 * single-process deployment); anything that must survive a restart uses Kafka.
 */
import {
  checkPositions,
  checkRecords,
  STREAM_CLOSED,
  STREAM_ERRORS,
  STREAM_INVALID_INPUT,
  StreamError,
  type FeatureStream,
  type StreamBatch,
  type StreamMessage,
  type StreamPosition,
  type StreamRecord,
  type StreamSubscription,
  type SubscribeOptions,
} from '../feature-stream.ts';
import { partitionOf } from '../key-partitioner.ts';

export interface MemoryFeatureStreamOptions {
  /** Partitions of a topic created on first use (default 8); createTopic sets it per topic. */
  readonly partitions?: number;
  /** Messages per batch at most (default 500). */
  readonly maxBatchSize?: number;
  /** Pause before a failed batch is delivered again (default 100 ms). */
  readonly retryDelayMs?: number;
  /** Partitions with a batch in flight at once per member (default 4). */
  readonly partitionsConsumedConcurrently?: number;
}

const HEARTBEAT_NOTHING_TO_DO = { heartbeat: async (): Promise<void> => {} };

const MAX_PARTITIONS = 10_000;

interface Topic {
  readonly logs: StreamMessage[][];
  readonly groups: Map<string, Group>;
  /** Wakes every consumer of the topic (a publish, a rebalance). */
  readonly waiters: Set<() => void>;
}

interface Group {
  readonly committed: Map<number, bigint>;
  readonly members: Member[];
  /** Resolves when the rebalance in progress is done. */
  rebalancing: Promise<void> | null;
}

export class MemoryFeatureStream implements FeatureStream {
  private readonly topics = new Map<string, Topic>();
  private readonly subscriptions = new Set<Member>();
  private closed = false;
  readonly defaultPartitions: number;
  readonly maxBatchSize: number;
  readonly retryDelayMs: number;
  readonly concurrency: number;

  constructor(options: MemoryFeatureStreamOptions = {}) {
    this.concurrency = options.partitionsConsumedConcurrently ?? 4;
    if (!Number.isSafeInteger(this.concurrency) || this.concurrency < 1) throw new StreamError(STREAM_INVALID_INPUT, STREAM_ERRORS.concurrency(this.concurrency));
    this.defaultPartitions = checkPartitions(options.partitions ?? 8);
    this.maxBatchSize = options.maxBatchSize ?? 500;
    this.retryDelayMs = options.retryDelayMs ?? 100;
  }

  /** Creates a topic with its own partition count; a topic that exists keeps its partitions. */
  createTopic(name: string, partitions: number = this.defaultPartitions): void {
    this.open();
    if (!this.topics.has(name)) this.topics.set(name, { logs: Array.from({ length: checkPartitions(partitions) }, () => []), groups: new Map(), waiters: new Set() });
  }

  async publish(topic: string, records: readonly StreamRecord[]): Promise<void> {
    this.open();
    checkRecords(records);
    const t = this.topic(topic);
    const timestamp = new Date();
    for (const record of records) {
      const partition = partitionOf(record.key, t.logs.length);
      const log = t.logs[partition] as StreamMessage[];
      // Copies: a producer reusing its buffers must not change what was sent.
      log.push({ key: new Uint8Array(record.key), value: new Uint8Array(record.value), partition, offset: BigInt(log.length), timestamp });
    }
    wake(t);
  }

  async subscribe(options: SubscribeOptions): Promise<StreamSubscription> {
    this.open();
    const topic = this.topic(options.topic);
    let group = topic.groups.get(options.groupId);
    if (!group) {
      group = { committed: new Map(), members: [], rebalancing: null };
      topic.groups.set(options.groupId, group);
    }
    const member = new Member(this, topic, group, options, () => this.subscriptions.delete(member));
    this.subscriptions.add(member);
    await rebalance(topic, group, () => group.members.push(member));
    member.start();
    return member;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
  }

  private topic(name: string): Topic {
    this.createTopic(name);
    return this.topics.get(name) as Topic;
  }

  private open(): void {
    if (this.closed) throw new StreamError(STREAM_CLOSED, STREAM_ERRORS.closed('in-process stream'));
  }
}

/**
 * Changes the membership: waits for every member's batch in flight, applies `change`, assigns
 * partitions by ranges in join order, and restarts every position from the committed offsets.
 */
async function rebalance(topic: Topic, group: Group, change: () => void): Promise<void> {
  while (group.rebalancing) await group.rebalancing;
  let done = (): void => {};
  group.rebalancing = new Promise((resolve) => (done = resolve));
  try {
    for (const m of group.members) m.pause();
    await Promise.all(group.members.map((m) => m.idle()));
    for (const m of group.members) m.revoke();
    change();
    const partitions = topic.logs.length;
    const members = group.members;
    const per = Math.floor(partitions / Math.max(1, members.length));
    const extra = partitions % Math.max(1, members.length);
    let next = 0;
    members.forEach((m, i) => {
      const count = per + (i < extra ? 1 : 0);
      m.assign(Array.from({ length: count }, (_, j) => next + j));
      next += count;
    });
  } finally {
    group.rebalancing = null;
    done();
    wake(topic);
  }
}

function wake(topic: Topic): void {
  const waiters = [...topic.waiters];
  topic.waiters.clear();
  for (const w of waiters) w();
}

class Member implements StreamSubscription {
  private partitions: number[] = [];
  private readonly positions = new Map<number, bigint>();
  private closed = false;
  private paused = true;
  /** The batch in flight per partition. */
  private readonly inFlight = new Map<number, Promise<void>>();
  private loop: Promise<void> | null = null;
  private turn = 0;
  /** Wakes the loop when a batch in flight ends (a slot is free again). */
  private slotFreed: (() => void) | null = null;

  constructor(
    private readonly stream: MemoryFeatureStream,
    private readonly topic: Topic,
    private readonly group: Group,
    private readonly options: SubscribeOptions,
    private readonly onClosed: () => void,
  ) {}

  assignment(): readonly number[] {
    return this.paused ? [] : [...this.partitions];
  }

  async commit(processed: readonly StreamPosition[]): Promise<void> {
    if (this.closed) throw new StreamError(STREAM_CLOSED, STREAM_ERRORS.closed('subscription'));
    checkPositions(processed);
    for (const p of processed) {
      if (p.partition >= this.topic.logs.length) throw new StreamError(STREAM_INVALID_INPUT, STREAM_ERRORS.badOffset(`partition ${p.partition}`));
      this.group.committed.set(p.partition, p.offset + 1n);
    }
  }

  async close(): Promise<void> {
    if (this.closed) {
      await this.loop;
      return;
    }
    this.closed = true;
    await rebalance(this.topic, this.group, () => {
      const i = this.group.members.indexOf(this);
      if (i >= 0) this.group.members.splice(i, 1);
    });
    wake(this.topic);
    this.slotFreed?.();
    await this.loop;
    this.onClosed();
  }

  // ---- driven by rebalance ----

  pause(): void {
    this.paused = true;
  }

  idle(): Promise<void> {
    return Promise.all(this.inFlight.values()).then(() => undefined);
  }

  /** Called with every batch finished: the partitions go (all of them, eagerly). */
  revoke(): void {
    const revoked = this.partitions;
    this.partitions = [];
    this.positions.clear();
    if (revoked.length > 0) this.options.onRevoked?.(revoked);
  }

  assign(partitions: number[]): void {
    this.partitions = partitions;
    this.positions.clear();
    for (const p of partitions) {
      // A group without a commit starts at the oldest message, as Kafka's with fromBeginning.
      this.positions.set(p, this.group.committed.get(p) ?? 0n);
    }
    this.paused = false;
    if (!this.closed) this.options.onAssigned?.([...partitions]);
  }

  start(): void {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const batch = this.paused || this.inFlight.size >= this.stream.concurrency ? null : this.nextBatch();
      if (!batch) {
        await new Promise<void>((resolve) => {
          this.topic.waiters.add(resolve);
          this.slotFreed = resolve;
        });
        this.slotFreed = null;
        continue;
      }
      const partition = batch.partition;
      this.inFlight.set(
        partition,
        this.deliver(batch).finally(() => {
          this.inFlight.delete(partition);
          this.slotFreed?.();
        }),
      );
    }
    await this.idle();
  }

  private async deliver(batch: StreamBatch): Promise<void> {
    try {
      await this.options.handler(batch, HEARTBEAT_NOTHING_TO_DO);
      // A rebalance during the handler reset the positions: what it did not commit is delivered again.
      if (!this.paused && this.positions.has(batch.partition)) {
        this.positions.set(batch.partition, (batch.messages.at(-1) as StreamMessage).offset + 1n);
      }
    } catch (e) {
      this.options.onError?.(e, batch);
      await new Promise((resolve) => setTimeout(resolve, this.stream.retryDelayMs));
    }
  }

  /** The next partition (round robin) without a batch in flight and with messages past its position. */
  private nextBatch(): StreamBatch | null {
    for (let i = 0; i < this.partitions.length; i++) {
      const partition = this.partitions[(this.turn + i) % this.partitions.length] as number;
      if (this.inFlight.has(partition)) continue;
      const log = this.topic.logs[partition] as StreamMessage[];
      const from = Number(this.positions.get(partition) ?? 0n);
      if (from >= log.length) continue;
      this.turn = (this.turn + i + 1) % this.partitions.length;
      return {
        topic: this.options.topic,
        partition,
        messages: log.slice(from, from + this.stream.maxBatchSize),
        highWatermark: BigInt(log.length),
      };
    }
    return null;
  }
}

function checkPartitions(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_PARTITIONS) throw new StreamError(STREAM_INVALID_INPUT, STREAM_ERRORS.partitions(value));
  return value;
}

