/**
 * Deadlines for the reads in flight on one Redis connection, without a timer per read. A timer per
 * command (ioredis's `commandTimeout`) costs a Timeout object, a timer-list insert and a clearTimeout on
 * every cache hit: measured at about 1.4 µs of a 10 µs GET, 15 % of the hit path's throughput. A
 * connection answers in order, so the oldest read in flight is the one that has waited longest: this
 * keeps the send times of the reads in flight in a ring (oldest first), stamped with a coarse clock that
 * one interval timer advances twice per timeout, and reports the connection as hung when the oldest has
 * waited more than the timeout (between 1 and 1.5 timeouts, the clock's resolution). What to do then is
 * the caller's: RedisFeatureCache drops the connection, which fails every read in flight at once (they
 * answer as misses) and reconnects.
 */

/** Reads tracked at most; beyond, a read is bounded by a timer of its own (`start` answers false). */
export const READ_DEADLINE_CAPACITY = 16_384;

export class ReadDeadlines {
  private readonly sentAt: Float64Array;
  private head = 0;
  private count = 0;
  private clock = 0;
  private timer: NodeJS.Timeout | null = null;

  /**
   * @param timeoutMs how long a read may wait
   * @param onHung called (from the timer) when the oldest read in flight has waited longer; the reads
   *   in flight are forgotten first (the caller fails them all)
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly onHung: () => void,
    private readonly capacity = READ_DEADLINE_CAPACITY,
  ) {
    this.sentAt = new Float64Array(capacity);
  }

  /** A read is about to be sent; false when the ring is full (bound that read some other way). */
  start(): boolean {
    if (this.count === this.capacity) return false;
    this.sentAt[(this.head + this.count) % this.capacity] = this.clock;
    this.count++;
    if (this.timer === null) {
      // Two ticks per timeout: a read sent just after a tick is late after 3 ticks (1.5 timeouts) at most.
      this.timer = setInterval(() => this.tick(), Math.max(1, this.timeoutMs / 2));
      this.timer.unref();
    }
    return true;
  }

  /** The oldest tracked read was answered or failed. */
  done(): void {
    if (this.count === 0) return;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }

  /** Reads being waited for. */
  get inFlight(): number {
    return this.count;
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.head = 0;
    this.count = 0;
  }

  private tick(): void {
    this.clock++;
    if (this.count > 0 && this.clock - (this.sentAt[this.head] as number) >= 3) {
      this.head = 0;
      this.count = 0;
      this.onHung();
    }
  }
}
