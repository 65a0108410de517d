/**
 * One suite for every SamplerStateStore (runtime/downsync/sampler-state.ts): what the worker relies on
 * to make the same sampling decisions after a restart or a rebalance. `open` must open the SAME
 * backing each time it is called (the durability case reopens it).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { SamplerStateStore } from '../../runtime/downsync/index.ts';

export function samplerStateSuite(name: string, open: () => Promise<SamplerStateStore>): void {
  describe(`sampler state: ${name}`, () => {
    const opened: SamplerStateStore[] = [];
    const fresh = async () => {
      const s = await open();
      opened.push(s);
      return s;
    };
    afterAll(async () => {
      for (const s of opened) await s.close();
    });
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

    it('knows nothing of a key never saved', async () => {
      const s = await fresh();
      expect(await s.load(`ns::never-${run}-v1`, ['fs:{x}:1', 'fs:{x}:2'])).toEqual(new Map());
      expect(await s.load(`ns::never-${run}-v1`, [])).toEqual(new Map());
    });

    it('loads what was saved, per feature and entity', async () => {
      const s = await fresh();
      const a = `ns::a-${run}-v1`;
      const b = `ns::b-${run}-v1`;
      await s.save([
        { feature: a, entity: 'k1', lastSampledMs: 1_000 },
        { feature: a, entity: 'k:2%', lastSampledMs: 1_700_000_000_123 },
        { feature: b, entity: 'k1', lastSampledMs: 5 },
      ]);
      expect(await s.load(a, ['k1', 'k:2%', 'k3'])).toEqual(new Map([['k1', 1_000], ['k:2%', 1_700_000_000_123]]));
      expect(await s.load(b, ['k1', 'k:2%'])).toEqual(new Map([['k1', 5]]));
    });

    it('loads many entities at once, saved ones and never-saved ones mixed, each exactly', async () => {
      const s = await fresh();
      const f = `ns::many-${run}-v1`;
      const entities = Array.from({ length: 75 }, (_, i) => `e-${i}`);
      await s.save(entities.filter((_, i) => i % 3 !== 0).map((entity, i) => ({ feature: f, entity, lastSampledMs: 10_000 + i })));
      const expected = new Map(entities.filter((_, i) => i % 3 !== 0).map((entity, i) => [entity, 10_000 + i]));
      expect(await s.load(f, entities)).toEqual(expected);
    });

    it('only ever raises a time (a late save from a worker that lost the partition cannot lower it)', async () => {
      const s = await fresh();
      const f = `ns::raise-${run}-v1`;
      await s.save([{ feature: f, entity: 'k', lastSampledMs: 2_000 }]);
      await s.save([{ feature: f, entity: 'k', lastSampledMs: 1_000 }]);
      expect(await s.load(f, ['k'])).toEqual(new Map([['k', 2_000]]));
      await s.save([{ feature: f, entity: 'k', lastSampledMs: 3_000 }]);
      expect(await s.load(f, ['k'])).toEqual(new Map([['k', 3_000]]));
      await s.save([]);
    });

    it('survives closing and reopening (a restart, another worker)', async () => {
      const s = await fresh();
      const f = `ns::durable-${run}-v1`;
      const entries = Array.from({ length: 300 }, (_, i) => ({ feature: f, entity: `fs:{${f}}:${i}`, lastSampledMs: 1_000_000 + i }));
      await s.save(entries);
      await s.close();
      opened.splice(opened.indexOf(s), 1);
      const again = await fresh();
      const loaded = await again.load(f, entries.map((e) => e.entity));
      expect(loaded.size).toBe(300);
      expect(loaded.get(`fs:{${f}}:299`)).toBe(1_000_299);
    });
  });
}
