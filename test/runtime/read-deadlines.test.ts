/**
 * ReadDeadlines, the per-connection bound on Redis reads without a timer per read: a read is reported
 * late after more than one timeout and at most one and a half, oldest first, and answered reads never
 * are. Fake timers; the Redis side (dropping the connection, reads answering as misses) is in
 * redis-outage.test.ts against a SIGSTOPped server.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReadDeadlines } from '../../runtime/cache/redis/read-deadlines.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ReadDeadlines', () => {
  it('reports the connection hung once the oldest read waited more than the timeout, at most 1.5 timeouts', () => {
    const hung = vi.fn();
    const deadlines = new ReadDeadlines(50, hung);
    vi.advanceTimersByTime(10);
    expect(deadlines.start()).toBe(true);
    vi.advanceTimersByTime(50);
    expect(hung).not.toHaveBeenCalled(); // 50 ms: not yet more than the timeout
    vi.advanceTimersByTime(25);
    expect(hung).toHaveBeenCalledTimes(1); // 65 ms after the read, within 75
    expect(deadlines.inFlight).toBe(0); // forgotten: the caller fails them all
    deadlines.close();
  });

  it('answered reads are never late; the next oldest is timed from its own send', () => {
    const hung = vi.fn();
    const deadlines = new ReadDeadlines(50, hung);
    deadlines.start();
    vi.advanceTimersByTime(40);
    deadlines.start();
    deadlines.done(); // the first answers (in order)
    vi.advanceTimersByTime(40);
    expect(hung).not.toHaveBeenCalled(); // the second has waited 40 ms
    deadlines.done();
    vi.advanceTimersByTime(1_000);
    expect(hung).not.toHaveBeenCalled();
    expect(deadlines.inFlight).toBe(0);
    deadlines.close();
  });

  it('refuses to track beyond its capacity (the caller bounds such a read with a timer of its own)', () => {
    const deadlines = new ReadDeadlines(50, () => {}, 2);
    expect([deadlines.start(), deadlines.start(), deadlines.start()]).toEqual([true, true, false]);
    deadlines.done();
    expect(deadlines.start()).toBe(true);
    deadlines.close();
    expect(deadlines.inFlight).toBe(0);
  });
});
