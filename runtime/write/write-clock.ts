/**
 * The `updatedAt` of the in-process writes and of commands sent without an event time (`put`/`append`
 * of the runtime, typed clients and the command producer).
 *
 * The stores keep the newest `updatedAt` (last-writer-wins, runtime/online/write-timestamp.ts), with
 * millisecond precision: two puts of one key by one process within the same millisecond would tie,
 * and the tie would be broken by a hash, not by order, so the second put could be lost. So a key
 * written again within the millisecond it was last given gets one millisecond more than that; every
 * other write gets the wall clock. Per key, not per process: a process-wide counter would run ahead
 * of the clock by one millisecond per write beyond 1,000 writes/s (63 s after 20 s at 5,000/s), and a
 * value written that far in the future would win against every real write of the next minute. Memory
 * stays small: only the keys given the current millisecond or a later one are remembered.
 * Writes from different processes are ordered by their clocks, as any last-writer-wins store orders
 * them; the sync jobs pass the data's own times instead.
 */
import type { KeyValues } from '../online/online-store.ts';

export class WriteClock {
  /** Keys → the time they were last given, for times >= `current` only. */
  private readonly given = new Map<string, number>();
  private current = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** A time for a write of `key` of `feature`: the clock, or just after this key's previous write. */
  timeFor(feature: string, key: KeyValues): Date {
    const now = this.now();
    if (now > this.current) {
      this.current = now;
      for (const [id, t] of this.given) if (t < now) this.given.delete(id);
    }
    const id = identity(feature, key);
    const last = this.given.get(id);
    const t = last !== undefined && last >= now ? last + 1 : now;
    this.given.set(id, t);
    return new Date(t);
  }

  /** Remembered keys (tests: memory stays bounded). */
  get size(): number {
    return this.given.size;
  }
}

/** The clock of this process's writes. */
export const writeClock = new WriteClock();

function identity(feature: string, key: KeyValues): string {
  let id = feature;
  for (const part of key) id += `\u0000${typeof part === 'object' ? `d${part.getTime()}` : `${(typeof part)[0]}${String(part)}`}`;
  return id;
}
