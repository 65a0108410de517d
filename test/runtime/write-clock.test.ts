import { describe, expect, it } from 'vitest';
import { nextWriteTime } from '../../runtime/write/write-clock.ts';

describe('nextWriteTime', () => {
  it('is strictly increasing within a process, even within one millisecond or when the clock steps back', () => {
    const times = [5_000, 5_000, 5_000, 4_000, 7_000].map((now) => nextWriteTime(now + 1e12).getTime() - 1e12);
    expect(times).toEqual([5_000, 5_001, 5_002, 5_003, 7_000]);
  });
});
