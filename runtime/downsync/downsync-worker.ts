/**
 * The downsync worker: consumes the command topic as a member of a consumer group (FeatureStream) and
 * applies each command to the online store, samples features with `downsync.enabled` into the offline
 * store, and dead-letters what it can never apply. The CLI (cli/downsync.ts) is a thin shell over it.
 *
 * Per batch (one partition's messages, in offset order):
 * 1. Each envelope is decoded and checked (record key, feature, the producer's `access.write`, key
 *    bytes, writer schema, value bytes, History event time); a failure is a dead letter (dead-letter.ts).
 *    The check decodes the value once; that record is what the sampler writes offline.
 * 2. The good commands are applied per feature through the write module's WritePath, with a grant for
 *    the envelope's producer (the ACL again), and the bytes as step 1 checked them (OnlineWriter would
 *    decode every value a second time to prove what step 1 has just proved), with `updatedAt` = the command's
 *    event time, so the stores' last-writer-wins makes replays, out-of-order delivery and a later
 *    upsync of older data harmless. Object features keep only the newest command per key of a batch
 *    (fewer writes, same result; equal times keep the later offset, as the stores' tie rule would
 *    apply them in order). History commands are all appended (key + event time identify an event).
 * 3. Writes go through the cache decorator. A CacheInvalidationError means the store took the rows but
 *    Redis did not confirm the delete: the keys go to PendingInvalidations (retried with backoff) and
 *    the worker does not stop. Any other failure fails the batch, which the stream delivers again.
 * 4. Dead letters are published to `<topic>.dlq` (part of the batch: before any commit covering it).
 * 5. Sampled rows (sampler.ts, state from sampler-state.ts for the batch's keys) are buffered. The
 *    state is loaded while the online write runs (independent calls, started together).
 *
 * Sampler state in memory: per partition this member holds (a key's commands all come from one
 * partition), loaded once per key per assignment, dropped when the stream revokes the partition (and,
 * as a second guard, when a batch does not start where this worker's previous one of that partition
 * ended). That is enough because only the partition's holder moves the state, and it only ever rises.
 * State rows are written only for keys that were sampled, in one batch per flush.
 *
 * Every `flushRows` sampled rows or `flushMs` (whichever first, also when idle), the buffer is
 * appended to the offline store (idempotent by key + updatedAt / event time, updatedAt = event time),
 * then the sampler state of those rows is saved, then the offsets of everything processed are
 * committed. That order is the at-least-once contract end to end: a crash at any point re-delivers
 * only what is not yet in both stores, and both writes are idempotent, so the stores see it once.
 *
 * Batches of different partitions run concurrently (the stream's `partitionsConsumedConcurrently`;
 * each partition's own batches in order); a flush is exclusive: it waits until no batch is running and
 * holds new ones back, so it never sees half a batch and commits only what is fully stored. Whatever
 * waits (a batch for a flush, a flush for a slow store) calls the stream's `heartbeat()` every
 * `heartbeatMs`, so a slow offline store does not get the member thrown out of the group (and its
 * partitions moved) by the session timeout. `stop()` refuses new batches (they stay uncommitted, for
 * the next holder), waits for those running, flushes, commits, then leaves the group.
 */
import { CommandDecodeError, commandRecordKey, decodeFeatureCommand, type FeatureCommand } from '../../core/commands/index.ts';
import type { KeyColumnType } from '../../core/field-types.ts';
import { CacheInvalidationError, type FeatureCache } from '../cache/feature-cache.ts';
import { cacheKey } from '../cache/cache-key.ts';
import type { FeatureCatalog } from '../manifest/feature-catalog.ts';
import type { OfflineRow, OfflineStore, OfflineTable, OfflineValue, OfflineValues } from '../offline/offline-store.ts';
import { identityOf } from '../offline/offline-table.ts';
import type { KeyValues, WriteReport } from '../online/online-store.ts';
import type { BatchContext, FeatureStream, StreamBatch, StreamMessage, StreamRecord, StreamSubscription } from '../stream/feature-stream.ts';
import type { WritePath } from '../write/write-path.ts';
import { DEAD_LETTER_MESSAGES, deadLetterRecord, deadLetterTopicOf, type DeadLetterReason } from './dead-letter.ts';
import type { DownsyncFeature } from './downsync-features.ts';
import { createDownsyncMetrics, type DownsyncMetrics } from './downsync-metrics.ts';
import { PendingInvalidations } from './pending-invalidations.ts';
import { DEFAULT_SAMPLING_SEED, isSampled, needsSamplerState } from './sampler.ts';
import type { SamplerStateEntry, SamplerStateStore } from './sampler-state.ts';

export const DEFAULT_FLUSH_ROWS = 5_000;
/** At most one `batch failed` line per this interval (the others are counted on the next line). */
const FAILURE_LOG_INTERVAL_MS = 5_000;
/** Sampler-state entries kept in memory at most (then forgotten, and loaded again when needed). */
const MAX_KNOWN_STATE = 1_000_000;
export const DEFAULT_FLUSH_MS = 1_000;
/** How often whatever waits in a handler tells the group it is alive (kafkajs throttles it further). */
export const DEFAULT_HEARTBEAT_MS = 1_000;

/** The `event` of the worker's lifecycle log lines. */
export const DOWNSYNC_LOG = {
  started: 'started',
  samplingOff: 'sampling disabled',
  batchFailed: 'batch failed',
  flushFailed: 'flush failed',
  commitFailed: 'commit failed',
  cacheFailing: 'cache deletes failing',
  cacheRecovered: 'cache deletes confirmed again',
  assigned: 'partitions assigned',
  revoked: 'partitions revoked',
  stopping: 'stopping',
  stopped: 'stopped',
} as const;

export type DownsyncLog = (event: string, fields: Readonly<Record<string, unknown>>) => void;

export const DOWNSYNC_ERRORS = {
  stopping: 'the worker is stopping: the batch is left for the next holder of the partition',
  badFlush: (flag: string, value: unknown) => `${flag} must be a positive integer, got ${String(value)}`,
} as const;

/** A batch refused because the worker is stopping (not an error: it stays uncommitted). */
export class WorkerStoppingError extends Error {
  override readonly name = 'WorkerStoppingError';
  readonly code = 'DOWNSYNC_STOPPING';
  constructor() {
    super(DOWNSYNC_ERRORS.stopping);
  }
}

export interface DownsyncWorkerOptions {
  readonly stream: FeatureStream;
  readonly topic: string;
  readonly groupId: string;
  /** Default `<topic>.dlq`. */
  readonly deadLetterTopic?: string;
  readonly catalog: FeatureCatalog;
  readonly features: ReadonlyMap<string, DownsyncFeature>;
  /** Over the online store as reads use it (cache decorator included). */
  readonly writePath: WritePath;
  /** The cache behind the decorator, to retry deletes it did not confirm; null without a cache. */
  readonly cache: FeatureCache | null;
  /** null: nothing is sampled (logged once at start). */
  readonly offline: OfflineStore | null;
  readonly samplerState: SamplerStateStore;
  /** Every worker of a group must use the same seed (sampler.ts). */
  readonly samplingSeed?: string;
  readonly flushRows?: number;
  readonly flushMs?: number;
  readonly metrics?: DownsyncMetrics;
  readonly log?: DownsyncLog;
  readonly now?: () => number;
  /** Pending cache deletes: first retry delay (default 100 ms, doubling up to 5 s). */
  readonly invalidationRetryMs?: number;
  /** Heartbeats while a handler waits (default 1 s; keep it well under the session timeout). */
  readonly heartbeatMs?: number;
}

export interface DownsyncStats {
  readonly batches: number;
  readonly applied: number;
  readonly deadLettered: number;
  readonly sampled: number;
  readonly offlineDuplicates: number;
  readonly commits: number;
  readonly pendingInvalidations: number;
  /** Times the stream assigned partitions to this worker (1 without any rebalance). */
  readonly assignments: number;
  /** Sampler-state entries loaded from the state store. */
  readonly stateLoads: number;
}

/** A command that passed every check. */
interface Checked {
  readonly message: StreamMessage;
  readonly command: FeatureCommand;
  readonly feature: DownsyncFeature;
  readonly key: KeyValues;
  readonly record: Readonly<Record<string, unknown>>;
}

type Verdict = { readonly ok: true; readonly checked: Checked } | { readonly ok: false; readonly reason: DeadLetterReason; readonly text: string; readonly command: FeatureCommand | null };

interface Buffered {
  readonly table: OfflineTable;
  /**
   * By row identity (offline-table.ts): a batch delivered again after a failed flush replaces its rows
   * instead of adding them, so an offline outage cannot grow the buffer beyond the distinct rows.
   */
  readonly rows: Map<string, OfflineRow>;
}

export class DownsyncWorker {
  private readonly metrics: DownsyncMetrics;
  private readonly log: DownsyncLog;
  private readonly now: () => number;
  private readonly seed: string;
  private readonly flushRows: number;
  private readonly flushMs: number;
  private readonly deadLetterTopic: string;
  private readonly pending: PendingInvalidations | null;
  private subscription: StreamSubscription | null = null;
  /** Batches running now. */
  private active = 0;
  private readonly idleWaiters: (() => void)[] = [];
  /** The flush in progress (exclusive: batches wait for it, it waits for running batches). */
  private gate: Promise<void> | null = null;
  private readonly heartbeatMs: number;
  private timer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  private readonly positions = new Map<number, bigint>();
  private readonly buffer = new Map<string, Buffered>();
  private bufferedRows = 0;
  /** Sampler state not saved yet: `feature\0entity` → entry. */
  private readonly unsavedState = new Map<string, SamplerStateEntry>();
  /**
   * The sampler state this worker loaded or decided, per partition (a key's commands all come from one
   * partition), so a hot key costs one state read per stint, not one per batch. Valid while the
   * partition's offsets are continuous: a batch that does not start where the previous one of this
   * worker ended means the partition was elsewhere in between (a rebalance), and another worker may
   * have moved the state on, so the partition's entries are dropped and loaded again. (A continuous
   * batch after a rebalance means nobody committed past this worker; what another holder processed
   * without committing started from the same state and made the same decisions.)
   */
  private readonly knownState = new Map<number, Map<string, number | null>>();
  private knownStateSize = 0;
  /** Per partition: the offset after the last message this worker processed. */
  private readonly nextOffset = new Map<number, bigint>();
  private lastFlush: number;
  private lastFailureLog = -Infinity;
  private suppressedFailures = 0;
  private counts = { batches: 0, applied: 0, deadLettered: 0, sampled: 0, offlineDuplicates: 0, commits: 0, assignments: 0, stateLoads: 0 };

  constructor(private readonly options: DownsyncWorkerOptions) {
    this.metrics = options.metrics ?? createDownsyncMetrics();
    this.log = options.log ?? (() => {});
    this.now = options.now ?? Date.now;
    this.seed = options.samplingSeed ?? DEFAULT_SAMPLING_SEED;
    this.flushRows = positiveInteger('flushRows', options.flushRows ?? DEFAULT_FLUSH_ROWS);
    this.flushMs = positiveInteger('flushMs', options.flushMs ?? DEFAULT_FLUSH_MS);
    this.heartbeatMs = positiveInteger('heartbeatMs', options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    this.deadLetterTopic = options.deadLetterTopic ?? deadLetterTopicOf(options.topic);
    this.lastFlush = this.now();
    this.pending = options.cache
      ? new PendingInvalidations(options.cache, {
          onCount: (n) => this.metrics.pendingInvalidations(n),
          onState: (state, pending, error) =>
            this.log(state === 'failing' ? DOWNSYNC_LOG.cacheFailing : DOWNSYNC_LOG.cacheRecovered, { pending, ...(error ? { error: errorText(error) } : {}) }),
          ...(options.invalidationRetryMs !== undefined ? { firstDelayMs: options.invalidationRetryMs } : {}),
          ...(options.now ? { now: options.now } : {}),
        })
      : null;
  }

  /** Joins the group and starts consuming. */
  async start(): Promise<void> {
    const sampled = [...this.options.features.values()].filter((f) => f.sampling !== null).map((f) => f.feature.fullName);
    if (this.options.offline === null && sampled.length > 0) this.log(DOWNSYNC_LOG.samplingOff, { features: sampled, reason: 'no offline store' });
    this.subscription = await this.options.stream.subscribe({
      topic: this.options.topic,
      groupId: this.options.groupId,
      handler: (batch, context) => this.handle(batch, context),
      onAssigned: (partitions) => {
        this.counts.assignments++;
        this.log(DOWNSYNC_LOG.assigned, { partitions });
      },
      onRevoked: (partitions) => {
        for (const p of partitions) this.dropKnownState(p);
        this.log(DOWNSYNC_LOG.revoked, { partitions });
      },
      onError: (error, batch) => {
        if (error instanceof WorkerStoppingError) return;
        // A store that is down fails every retry (10 a second): one line, then one per interval with a count.
        const now = this.now();
        if (now - this.lastFailureLog < FAILURE_LOG_INTERVAL_MS) {
          this.suppressedFailures++;
          return;
        }
        this.log(DOWNSYNC_LOG.batchFailed, { partition: batch.partition, firstOffset: String(batch.messages[0]?.offset), error: errorText(error), ...(this.suppressedFailures > 0 ? { alsoFailedSinceLastLine: this.suppressedFailures } : {}) });
        this.lastFailureLog = now;
        this.suppressedFailures = 0;
      },
    });
    this.timer = setInterval(() => {
      if (this.stopping || this.now() - this.lastFlush < this.flushMs) return;
      if (this.gate) return;
      void this.exclusive(() => this.flushIfDue()).catch((e: unknown) => this.log(DOWNSYNC_LOG.flushFailed, { error: errorText(e) }));
    }, Math.max(10, Math.min(this.flushMs, 250)));
    this.log(DOWNSYNC_LOG.started, { topic: this.options.topic, group: this.options.groupId, deadLetterTopic: this.deadLetterTopic, flushRows: this.flushRows, flushMs: this.flushMs, sampled: this.options.offline ? sampled : [] });
  }

  /** Finishes the batch in flight, flushes, commits, leaves the group. Idempotent. */
  stop(reason = 'stop'): Promise<void> {
    this.stopping ??= (async () => {
      this.log(DOWNSYNC_LOG.stopping, { reason });
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      let flushError: unknown = null;
      try {
        await this.exclusive(() => this.flush());
      } catch (e) {
        flushError = e;
        this.log(DOWNSYNC_LOG.flushFailed, { error: errorText(e) });
      }
      await this.subscription?.close();
      const cacheClean = this.pending ? await this.pending.drain(1_000) : true;
      this.pending?.close();
      this.log(DOWNSYNC_LOG.stopped, { ...this.stats(), cacheClean });
      if (flushError) throw flushError;
    })();
    return this.stopping;
  }

  stats(): DownsyncStats {
    return { ...this.counts, pendingInvalidations: this.pending?.size ?? 0 };
  }

  /** The partitions this worker holds now. */
  assignment(): readonly number[] {
    return this.subscription?.assignment() ?? [];
  }

  get registry(): DownsyncMetrics {
    return this.metrics;
  }

  // ---- one batch ----

  private async handle(batch: StreamBatch, context: BatchContext): Promise<void> {
    if (this.stopping) throw new WorkerStoppingError();
    // A flush in progress: wait (alive) for it; its failure is not this batch's.
    while (this.gate) await this.beating(this.gate.catch(() => {}), context);
    if (this.stopping) throw new WorkerStoppingError();
    this.active++;
    try {
      await this.process(batch, context);
    } finally {
      this.active--;
      if (this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
    if (this.flushDue()) await this.beating(this.gate ?? this.exclusive(() => this.flushIfDue()), context);
  }

  /** Runs `work` after the flush in progress, once no batch is running; batches arriving meanwhile wait. */
  private exclusive(work: () => Promise<void>): Promise<void> {
    const previous = this.gate;
    let run: Promise<void> | null = null;
    run = (async () => {
      if (previous) await previous.catch(() => {});
      while (this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      try {
        await work();
      } finally {
        if (this.gate === run) this.gate = null;
      }
    })();
    this.gate = run;
    return run;
  }

  /** Awaits `work`, heartbeating every heartbeatMs meanwhile. */
  private async beating<T>(work: Promise<T>, context: BatchContext): Promise<T> {
    const timer = setInterval(() => void context.heartbeat(), this.heartbeatMs);
    try {
      return await work;
    } finally {
      clearInterval(timer);
    }
  }

  private dropKnownState(partition: number): void {
    const dropped = this.knownState.get(partition);
    if (dropped) this.knownStateSize -= dropped.size;
    this.knownState.delete(partition);
    this.nextOffset.delete(partition);
  }

  private async process(batch: StreamBatch, context: BatchContext): Promise<void> {
    const first = batch.messages[0] as StreamMessage;
    if (this.nextOffset.get(batch.partition) !== first.offset) this.dropKnownState(batch.partition);
    let known = this.knownState.get(batch.partition);
    if (!known) this.knownState.set(batch.partition, (known = new Map()));
    const dead: StreamRecord[] = [];
    const byFeature = new Map<DownsyncFeature, Checked[]>();
    for (const message of batch.messages) {
      const verdict = this.check(message);
      if (verdict.ok) {
        let list = byFeature.get(verdict.checked.feature);
        if (!list) byFeature.set(verdict.checked.feature, (list = []));
        list.push(verdict.checked);
      } else {
        dead.push(deadLetterRecord(batch.topic, message, verdict.reason, verdict.text, verdict.command));
        this.metrics.deadLettered(verdict.reason);
      }
    }
    await context.heartbeat();
    // Per feature, the online write and the sampler-state load together; features side by side.
    const stores = Promise.all(
      [...byFeature].map(async ([feature, commands]) => {
        const sampling = this.options.offline ? feature.sampling : null;
        const entities = sampling ? commands.map((c) => cacheKey(feature.feature.fullName, feature.feature.table.keyColumns, c.key)) : [];
        const [kept, state] = await Promise.all([
          this.apply(feature, commands),
          sampling && needsSamplerState(sampling.policy) ? this.stateOf(feature, entities, known) : Promise.resolve(null),
        ]);
        return { feature, commands, kept, entities, state };
      }),
    );
    const results = await this.beating(stores, context);
    if (dead.length > 0) await this.beating(this.options.stream.publish(this.deadLetterTopic, dead), context);
    for (const r of results) {
      if (r.kept.length === 0 || !this.options.offline || !r.feature.sampling) continue;
      // Refused rows are not sampled: keep the entity list aligned with what was applied.
      const entities = r.kept.length === r.commands.length ? r.entities : r.kept.map((c) => r.entities[r.commands.indexOf(c)]!);
      this.sample(r.kept, entities, r.state, known);
    }

    const last = batch.messages.at(-1) as StreamMessage;
    this.positions.set(batch.partition, last.offset);
    this.nextOffset.set(batch.partition, last.offset + 1n);
    this.metrics.lag(batch.partition, batch.highWatermark - (last.offset + 1n));
    this.counts.batches++;
    this.counts.deadLettered += dead.length;
  }

  /** Every check before a write; the decoded value comes along for the sampler. */
  private check(message: StreamMessage): Verdict {
    let command: FeatureCommand;
    try {
      command = decodeFeatureCommand(message.value);
    } catch (e) {
      return { ok: false, reason: 'malformed', text: e instanceof CommandDecodeError ? e.message : errorText(e), command: null };
    }
    const feature = this.options.features.get(command.feature);
    if (!feature) return { ok: false, reason: 'unknown-feature', text: DEAD_LETTER_MESSAGES.unknownFeature(command.feature), command };
    if (!sameBytes(message.key, commandRecordKey(command.feature, command.key))) return { ok: false, reason: 'malformed', text: DEAD_LETTER_MESSAGES.keyMismatch, command };
    const f = feature.feature;
    if (!this.options.catalog.canWrite(command.producer, f.fullName)) return { ok: false, reason: 'unauthorised', text: DEAD_LETTER_MESSAGES.unauthorised(command.producer, f.fullName), command };
    let key: KeyValues;
    try {
      key = feature.keyCodec.decode(command.key);
    } catch (e) {
      return { ok: false, reason: 'malformed-key', text: errorText(e), command };
    }
    if (!f.serde.has(command.writerSchemaId)) return { ok: false, reason: 'unknown-schema', text: DEAD_LETTER_MESSAGES.unknownSchema(command.writerSchemaId, f.fullName), command };
    let record: Readonly<Record<string, unknown>>;
    try {
      record = f.serde.decode({ value: command.value, schemaId: command.writerSchemaId });
    } catch (e) {
      return { ok: false, reason: 'undecodable', text: DEAD_LETTER_MESSAGES.undecodable(command.writerSchemaId, errorText(e)), command };
    }
    if (f.featureType === 'History') {
      const inValue = record[f.eventTimeField];
      if (!(inValue instanceof Date) || inValue.getTime() !== command.eventTime.getTime()) {
        return { ok: false, reason: 'event-time-mismatch', text: DEAD_LETTER_MESSAGES.eventTimeMismatch(f.eventTimeField, command.eventTime, inValue), command };
      }
    }
    return { ok: true, checked: { message, command, feature, key, record } };
  }

  /** Writes one feature's commands (checked by `check`); returns them, counted and timed as applied. */
  private async apply(feature: DownsyncFeature, commands: Checked[]): Promise<Checked[]> {
    const f = feature.feature;
    const rows = f.featureType === 'Object' ? newestPerKey(f.table.keyColumns, commands) : commands;
    const byProducer = new Map<string, Checked[]>();
    for (const c of rows) {
      let list = byProducer.get(c.command.producer);
      if (!list) byProducer.set(c.command.producer, (list = []));
      list.push(c);
    }
    for (const [producer, list] of byProducer) await this.write(producer, feature, list);
    const at = this.now();
    for (const c of commands) {
      this.metrics.freshness('event_time', (at - c.command.eventTime.getTime()) / 1000);
      this.metrics.freshness('sent_at', (at - c.command.sentAt.getTime()) / 1000);
    }
    this.metrics.applied(f.fullName, commands.length);
    this.counts.applied += commands.length;
    return commands;
  }

  private async write(producer: string, feature: DownsyncFeature, list: readonly Checked[]): Promise<void> {
    const f = feature.feature;
    const path = this.options.writePath;
    let report: WriteReport;
    try {
      if (f.featureType === 'Object') {
        const grant = path.grant(producer, f.fullName, 'Object', 'put');
        report = await path.put(grant, list.map((c) => ({ key: c.key, value: { value: c.command.value, schemaId: c.command.writerSchemaId, updatedAt: c.command.eventTime } })));
      } else {
        const grant = path.grant(producer, f.fullName, 'History', 'append');
        report = await path.append(
          grant,
          list.map((c) => ({ key: c.key, event: { value: c.command.value, schemaId: c.command.writerSchemaId, updatedAt: c.command.eventTime, eventTime: c.command.eventTime } })),
        );
      }
    } catch (e) {
      if (!(e instanceof CacheInvalidationError)) throw e;
      // The store took the rows; the cached copies may be stale until a retried delete is confirmed.
      this.pending?.add(this.cacheKeys(feature, list));
      return;
    }
    this.pending?.confirmed(this.cacheKeys(feature, list));
    if (report.superseded) this.metrics.superseded(f.fullName, report.superseded);
  }

  private cacheKeys(feature: DownsyncFeature, list: readonly Checked[]): string[] {
    if (this.pending === null) return [];
    const f = feature.feature;
    return list.map((c) => cacheKey(f.fullName, f.table.keyColumns, c.key));
  }

  /**
   * The sampler state of a batch's entities for one feature: what this partition's stint already
   * knows, else decided but not saved yet, else loaded (one load call for the rest).
   */
  private async stateOf(feature: DownsyncFeature, entities: readonly string[], known: Map<string, number | null>): Promise<Map<string, number | null>> {
    const name = feature.feature.fullName;
    const state = new Map<string, number | null>();
    const toLoad: string[] = [];
    for (const e of new Set(entities)) {
      const id = `${name}\u0000${e}`;
      // Decided here but not saved yet (after a drop of the partition's entries, or a failed flush).
      const held = known.has(id) ? known.get(id)! : this.unsavedState.get(id)?.lastSampledMs;
      if (held !== undefined) state.set(e, held);
      else toLoad.push(e);
    }
    if (toLoad.length > 0) {
      const loaded = await this.options.samplerState.load(name, toLoad);
      for (const e of toLoad) {
        const t = loaded.get(e) ?? null;
        state.set(e, t);
        known.set(`${name}\u0000${e}`, t);
      }
      this.knownStateSize += toLoad.length;
      this.counts.stateLoads += toLoad.length;
    }
    return state;
  }

  /** The sampler's decisions for one feature's applied commands, in offset order; sampled rows are buffered. */
  private sample(commands: readonly Checked[], entities: readonly string[], state: Map<string, number | null> | null, known: Map<string, number | null>): void {
    const feature = commands[0]!.feature;
    const sampling = feature.sampling!;
    const f = feature.feature;
    let buffered = this.buffer.get(f.fullName);
    if (!buffered) this.buffer.set(f.fullName, (buffered = { table: sampling.offlineTable, rows: new Map() }));
    commands.forEach((c, i) => {
      const entity = entities[i]!;
      const t = c.command.eventTime.getTime();
      const last = state ? (state.get(entity) ?? null) : null;
      if (!isSampled(sampling.policy, this.seed, f.fullName, entity, t, last)) return;
      const row = offlineRow(feature, c);
      const id = identityOf(sampling.offlineTable, row);
      if (!buffered.rows.has(id)) this.bufferedRows++;
      buffered.rows.set(id, row);
      if (state && (last === null || t > last)) {
        state.set(entity, t);
        const stateId = `${f.fullName}\u0000${entity}`;
        known.set(stateId, t);
        this.unsavedState.set(stateId, { feature: f.fullName, entity, lastSampledMs: t });
      }
    });
    // A bound on memory, not on correctness: whatever is forgotten is loaded again.
    if (this.knownStateSize > MAX_KNOWN_STATE) {
      for (const m of this.knownState.values()) m.clear();
      this.knownStateSize = 0;
    }
  }

  // ---- flush and commit ----

  private flushDue(): boolean {
    return this.bufferedRows >= this.flushRows || this.now() - this.lastFlush >= this.flushMs;
  }

  private async flushIfDue(): Promise<void> {
    if (this.flushDue()) await this.flush();
  }

  /** Offline append, then the sampler state, then the offsets: nothing is committed before it is stored. */
  private async flush(): Promise<void> {
    this.lastFlush = this.now();
    if (this.bufferedRows > 0 && this.options.offline) {
      for (const [name, b] of this.buffer) {
        if (b.rows.size === 0) continue;
        const result = await this.options.offline.append(b.table, [...b.rows.values()]);
        this.metrics.sampled(name, result.appended);
        this.metrics.offlineDuplicates(name, result.duplicates);
        this.counts.sampled += result.appended;
        this.counts.offlineDuplicates += result.duplicates;
        // Appended: a later failure of another table retries only what is left.
        this.bufferedRows -= b.rows.size;
        b.rows.clear();
      }
      this.buffer.clear();
      this.bufferedRows = 0;
    }
    if (this.unsavedState.size > 0) {
      await this.options.samplerState.save([...this.unsavedState.values()]);
      this.unsavedState.clear();
    }
    if (this.positions.size === 0 || !this.subscription) return;
    const positions = [...this.positions].map(([partition, offset]) => ({ partition, offset }));
    this.positions.clear();
    try {
      await this.subscription.commit(positions);
      this.counts.commits++;
      this.metrics.commits();
    } catch (e) {
      // A rebalance took the partitions (or the group is gone): their next holder redelivers what was
      // not committed, and the stores already hold it. Nothing to retry here.
      this.log(DOWNSYNC_LOG.commitFailed, { partitions: positions.map((p) => p.partition), error: errorText(e) });
    }
  }
}

/** Object features: the newest command per key (by event time; equal times keep the later offset). */
function newestPerKey(columns: readonly { readonly type: KeyColumnType }[], commands: readonly Checked[]): Checked[] {
  if (commands.length < 2) return [...commands];
  const newest = new Map<string, Checked>();
  for (const c of commands) {
    const id = cacheKey('', columns, c.key);
    const held = newest.get(id);
    if (!held || c.command.eventTime.getTime() >= held.command.eventTime.getTime()) newest.set(id, c);
  }
  return [...newest.values()];
}

/** The typed offline row of a sampled command: key columns from the key, the rest from the decoded value. */
function offlineRow(feature: DownsyncFeature, c: Checked): OfflineRow<OfflineValues> {
  const table = feature.sampling!.offlineTable;
  const values: Record<string, OfflineValue> = {};
  const keys = feature.feature.keyFields;
  for (let i = 0; i < keys.length; i++) values[keys[i]!.name] = c.key[i] as OfflineValue;
  for (const column of table.columns) {
    if (column.name in values) continue;
    const v = c.record[column.name];
    values[column.name] = v === undefined || v === null ? (column.type.kind === 'list' ? [] : null) : (v as OfflineValue);
  }
  return { values, updatedAt: c.command.eventTime };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

function positiveInteger(what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(DOWNSYNC_ERRORS.badFlush(what, value));
  return value;
}

function errorText(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0] ?? message;
}
