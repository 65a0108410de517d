/**
 * Cached keys whose delete the cache did not confirm: what the worker does instead of stopping when
 * Redis is down. The online write had succeeded (withCache rejects with CacheInvalidationError only
 * after the store took the rows), so the worker records the keys here and goes on applying commands;
 * this retries deleting them with exponential backoff until Redis confirms, and the worker exposes the
 * count as a metric.
 *
 * Bounded in time, not by a size limit: an entry in the cache lives at most MAX_CACHE_TTL_MS (60 s)
 * from its fill, so a key pending for longer than that (plus a margin for clocks) cannot have a stale
 * entry left that a delete would remove, and is dropped. During a long outage the set therefore holds
 * at most the keys written in the last minute. What a confirmed retry does not cover is the cache's
 * general race (a read that loaded the old row before the write and fills after the delete), bounded by
 * the same 60 s as everywhere else (docs/online-runtime.md).
 *
 * A key written again while pending stays pending until a delete sent after that write is confirmed:
 * a retry confirmed for an earlier write may have run before the later store write.
 */
import { MAX_CACHE_TTL_MS, type FeatureCache } from '../cache/feature-cache.ts';

export interface PendingInvalidationsOptions {
  /** Told the count after every change (the metric). */
  readonly onCount?: (count: number) => void;
  /** Told when a retry failed for the first time after a success, and when deletes work again. */
  readonly onState?: (state: 'failing' | 'recovered', pending: number, error?: unknown) => void;
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Keys pending longer are dropped (default MAX_CACHE_TTL_MS + 5 s). */
  readonly maxAgeMs?: number;
  /** Keys per DEL (default 500). */
  readonly chunk?: number;
  readonly now?: () => number;
}

export class PendingInvalidations {
  /** Key → when it was (last) recorded. */
  private readonly keys = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private delayMs: number;
  private failing = false;
  private closed = false;
  private readonly now: () => number;

  constructor(
    private readonly cache: FeatureCache,
    private readonly options: PendingInvalidationsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.delayMs = options.firstDelayMs ?? 100;
  }

  get size(): number {
    return this.keys.size;
  }

  /** Keys whose delete failed after their write. */
  add(keys: readonly string[]): void {
    const t = this.now();
    for (const k of keys) {
      this.keys.delete(k);
      this.keys.set(k, t);
    }
    this.changed();
    this.schedule();
  }

  /** Keys a later write deleted with confirmation: nothing left to do for them. */
  confirmed(keys: readonly string[]): void {
    if (this.keys.size === 0) return;
    let removed = false;
    for (const k of keys) removed = this.keys.delete(k) || removed;
    if (removed) this.changed();
  }

  /** One retry now; true when nothing is pending afterwards. */
  async retryNow(): Promise<boolean> {
    await this.attempt();
    return this.keys.size === 0;
  }

  /** Retries until empty or `timeoutMs` passed; true when empty. */
  async drain(timeoutMs: number): Promise<boolean> {
    const until = this.now() + timeoutMs;
    while (this.keys.size > 0 && this.now() < until) {
      if (await this.retryNow()) return true;
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, Math.max(0, until - this.now()))));
    }
    return this.keys.size === 0;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.closed || this.timer || this.running || this.keys.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.attempt().then(() => this.schedule());
    }, this.delayMs);
    this.timer.unref?.();
  }

  private attempt(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  private async run(): Promise<void> {
    const started = this.now();
    const maxAge = this.options.maxAgeMs ?? MAX_CACHE_TTL_MS + 5_000;
    for (const [k, t] of this.keys) if (started - t > maxAge) this.keys.delete(k);
    const chunk = this.options.chunk ?? 500;
    const all = [...this.keys.keys()];
    try {
      for (let i = 0; i < all.length; i += chunk) {
        const part = all.slice(i, i + chunk);
        await this.cache.invalidate(part);
        // Only what was recorded before this attempt began (strictly: same-millisecond adds wait for the next) is covered.
        for (const k of part) if ((this.keys.get(k) ?? Infinity) < started) this.keys.delete(k);
      }
      this.delayMs = this.options.firstDelayMs ?? 100;
      if (this.failing) {
        this.failing = false;
        this.options.onState?.('recovered', this.keys.size);
      }
    } catch (e) {
      this.delayMs = Math.min(this.delayMs * 2, this.options.maxDelayMs ?? 5_000);
      if (!this.failing) {
        this.failing = true;
        this.options.onState?.('failing', this.keys.size, e);
      }
    } finally {
      this.changed();
    }
  }

  private changed(): void {
    this.options.onCount?.(this.keys.size);
  }
}
