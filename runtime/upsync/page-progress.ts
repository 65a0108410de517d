/**
 * The watermark rule of a run whose pages are written concurrently: pages are numbered in read order
 * (which is `fs_updated_at` order), finish in any order, and the watermark may only move to the newest
 * update time of the longest prefix of pages that are all finished. A page that failed never finishes,
 * so nothing after it counts, and the next run reads it again.
 *
 * Saves are coalesced: while one save is in flight, later advances only replace the value the next
 * save writes, so a fast run makes one save per round trip, not one per page, and a kill -9 loses at
 * most the pages finished since the last save completed.
 */
import type { WatermarkStore } from './watermark-store.ts';

export class PagePrefix {
  private nextToFinish = 0;
  private readonly finished = new Map<number, number | null>();
  private newestMs: number | null = null;

  /** Marks page `seq` finished (its newest update time, null if none was readable); the prefix's newest time if it grew. */
  finish(seq: number, newestMs: number | null): number | null {
    this.finished.set(seq, newestMs);
    let grew = false;
    while (this.finished.has(this.nextToFinish)) {
      const t = this.finished.get(this.nextToFinish) ?? null;
      this.finished.delete(this.nextToFinish);
      this.nextToFinish++;
      if (t !== null && (this.newestMs === null || t > this.newestMs)) {
        this.newestMs = t;
        grew = true;
      }
    }
    return grew ? this.newestMs : null;
  }

  get newest(): number | null {
    return this.newestMs;
  }
}

export class WatermarkSaver {
  private pending: number | null = null;
  private running: Promise<void> | null = null;
  private savedMs: number | null;
  private error: unknown = null;

  constructor(
    private readonly store: WatermarkStore,
    private readonly feature: string,
    private readonly shard: string,
    private readonly runId: string,
    /** The stored watermark: never moved backwards. */
    beforeMs: number | null,
  ) {
    this.savedMs = beforeMs;
  }

  /** Asks for `ms` to be saved (ignored unless newer than what is saved or pending). */
  advance(ms: number): void {
    if (this.savedMs !== null && ms <= this.savedMs) return;
    if (this.pending !== null && ms <= this.pending) return;
    this.pending = ms;
    this.running ??= this.loop();
  }

  /** Waits for every requested save; rethrows the first save failure. */
  async flush(): Promise<number | null> {
    while (this.running) await this.running;
    if (this.error !== null) throw this.error;
    return this.savedMs;
  }

  get saved(): number | null {
    return this.savedMs;
  }

  private async loop(): Promise<void> {
    try {
      while (this.pending !== null && this.error === null) {
        const ms = this.pending;
        this.pending = null;
        try {
          await this.store.set(this.feature, this.shard, new Date(ms), this.runId);
          this.savedMs = ms;
        } catch (e) {
          this.error = e;
        }
      }
    } finally {
      this.running = null;
    }
  }
}
