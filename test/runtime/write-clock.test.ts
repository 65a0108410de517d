import { describe, expect, it } from 'vitest';
import { WriteClock } from '../../runtime/write/write-clock.ts';

describe('WriteClock', () => {
  it('gives a key written again within its millisecond a later time, and other keys the clock', () => {
    let now = 1_000;
    const clock = new WriteClock(() => now);
    const t = (key: string) => clock.timeFor('ns::f-v1', [key]).getTime();
    expect([t('a'), t('a'), t('a'), t('b')]).toEqual([1_000, 1_001, 1_002, 1_000]);
    now = 1_001;
    // 'a' was given 1_001 and 1_002 already: it stays ahead; 'b' gets the clock.
    expect([t('a'), t('b'), t('c')]).toEqual([1_003, 1_001, 1_001]);
  });

  it('does not run ahead of the clock with many keys per millisecond (5,000 writes/s for 20 s)', () => {
    let now = 0;
    const clock = new WriteClock(() => now);
    let latest = 0;
    for (let i = 0; i < 100_000; i++) {
      now = Math.floor(i / 5); // 5 writes per millisecond
      latest = Math.max(latest, clock.timeFor('ns::f-v1', [BigInt(i % 50_000)]).getTime());
    }
    expect(latest).toBe(now);
    expect(clock.size).toBeLessThanOrEqual(5);
  });

  it('keeps its order when the wall clock steps back', () => {
    let now = 5_000;
    const clock = new WriteClock(() => now);
    const first = clock.timeFor('ns::f-v1', [1n]).getTime();
    now = 4_000;
    expect(clock.timeFor('ns::f-v1', [1n]).getTime()).toBeGreaterThan(first);
  });

  it('tells keys of different types and features apart', () => {
    const clock = new WriteClock(() => 7);
    expect(clock.timeFor('ns::f-v1', ['1']).getTime()).toBe(7);
    expect(clock.timeFor('ns::f-v1', [1n]).getTime()).toBe(7);
    expect(clock.timeFor('ns::g-v1', ['1']).getTime()).toBe(7);
    expect(clock.timeFor('ns::f-v1', [new Date(1)]).getTime()).toBe(7);
  });
});
