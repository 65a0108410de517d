/**
 * The `updatedAt` of the in-process writes (`put`/`append` of the runtime and of typed clients).
 *
 * The stores keep the newest `updatedAt` (last-writer-wins, runtime/online/write-timestamp.ts), with
 * millisecond precision: two puts of one key by one process within the same millisecond would tie,
 * and the tie would be broken by a hash, not by order, so the second put could be lost. Each call
 * therefore gets a time strictly after the previous call's: wall-clock time while calls are slower than
 * one per millisecond, and one millisecond more than the previous otherwise (a burst runs ahead of the
 * clock by at most its length in calls). Writes from different processes are ordered by their clocks,
 * as any last-writer-wins store orders them; the sync jobs pass the data's own times instead.
 */
let last = 0;

export function nextWriteTime(now: number = Date.now()): Date {
  last = now > last ? now : last + 1;
  return new Date(last);
}
