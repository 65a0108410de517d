/** One suite for every WatermarkStore: SQLite (unit tier) and Cassandra (integration tier). */
import { describe, expect, it } from 'vitest';
import type { WatermarkStore } from '../../runtime/upsync/watermark-store.ts';

export function watermarkStoreSuite(name: string, open: () => Promise<WatermarkStore>): void {
  describe(`WatermarkStore: ${name}`, () => {
    it('answers null for a feature and shard never saved', async () => {
      const store = await open();
      try {
        expect(await store.get('ns::never-v1', '0/1')).toBeNull();
      } finally {
        await store.close();
      }
    });

    it('keeps one watermark per feature and shard, the last one saved, across connections', async () => {
      const feature = `ns::f${Math.random().toString(36).slice(2, 8)}-v1`;
      const a = await open();
      const before = Date.now();
      await a.set(feature, '0/2', new Date(1_000), 'run-1');
      await a.set(feature, '1/2', new Date(2_000), 'run-1');
      await a.set(feature, '0/1', new Date(3_000), 'run-2');
      await a.set(feature, '0/2', new Date(4_000), 'run-3');
      await a.close();
      const b = await open();
      try {
        const got = await b.get(feature, '0/2');
        expect(got?.at.getTime()).toBe(4_000);
        expect(got?.runId).toBe('run-3');
        expect(got!.savedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
        expect((await b.get(feature, '1/2'))?.at.getTime()).toBe(2_000);
        expect((await b.get(feature, '0/1'))?.at.getTime()).toBe(3_000);
        expect(await b.get('ns::other-v1', '0/2')).toBeNull();
      } finally {
        await b.close();
      }
    });

    it('keeps millisecond precision, dates before 1970 included', async () => {
      const store = await open();
      try {
        const feature = `ns::ms${Math.random().toString(36).slice(2, 8)}-v1`;
        for (const ms of [Date.UTC(2026, 0, 1, 0, 0, 0, 123), -1, 253_402_300_799_999]) {
          await store.set(feature, '0/1', new Date(ms), 'r');
          expect((await store.get(feature, '0/1'))?.at.getTime()).toBe(ms);
        }
      } finally {
        await store.close();
      }
    });
  });
}
