/**
 * Pieces of the upsync engine with no store: the row checks and encoding (values a typed offline read
 * can still hand over but the feature cannot hold), the page-prefix watermark rule, the coalescing
 * saver, the transient-error rule, the plan's name checks.
 */
import { describe, expect, it } from 'vitest';
import { CacheInvalidationError } from '../../runtime/cache/feature-cache.ts';
import { parseManifest } from '../../core/manifest/parse-manifest.ts';
import type { OfflineRow } from '../../runtime/offline/offline-store.ts';
import { AccessDeniedError, InvalidInputError } from '../../runtime/read/online-runtime.ts';
import { PagePrefix, WatermarkSaver } from '../../runtime/upsync/page-progress.ts';
import { jsonSafe } from '../../runtime/upsync/quarantine.ts';
import { RowEncoder } from '../../runtime/upsync/row-encoder.ts';
import { isTransientStoreError } from '../../runtime/upsync/transient-errors.ts';
import { ROW_REASONS } from '../../runtime/upsync/upsync-errors.ts';
import { closest } from '../../runtime/upsync/upsync-plan.ts';
import type { Watermark, WatermarkStore } from '../../runtime/upsync/watermark-store.ts';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { catalogOf, eventRow, objRow, T0 } from './upsync-fixtures.ts';
import { EVENTS, OBJ, upsyncProject } from './upsync-project.ts';

const p = await upsyncProject('upsync-engine');
const catalog = await catalogOf(p.generated);
const manifestFile = path.join(p.generated, 'manifest.json');
const manifest = parseManifest(JSON.parse(await readFile(manifestFile, 'utf8')) as unknown, manifestFile, { formats: 'current' });
const obj = new RowEncoder(catalog.features.get(OBJ)!, manifest.features[OBJ]!);

function withValue(field: string, value: unknown): OfflineRow {
  const row = objRow(1, T0);
  return { values: { ...row.values, [field]: value as never }, updatedAt: row.updatedAt };
}

describe('RowEncoder', () => {
  it('encodes a good row once, under the current writer schema, with the key in key order', () => {
    const { rows, refused } = obj.encodeObjects([objRow(43, T0 + 5)]);
    expect(refused).toEqual([]);
    const f = catalog.features.get(OBJ)!;
    expect(rows[0]!.key).toEqual([43n]);
    expect(rows[0]!.value.schemaId).toBe(f.serde.readerId);
    expect(rows[0]!.value.updatedAt.getTime()).toBe(T0 + 5);
    expect(f.serde.decode(rows[0]!.value)).toMatchObject({ score: 43, amount: 9_007_199_254_740_993n + 43n, name: 'user 43' });
  });

  it.each([
    ['user_id', null, ROW_REASONS.nullKey('user_id')],
    ['user_id', 5, ROW_REASONS.wrongType('user_id', 'a 64-bit integer', 'number')],
    ['score', 2 ** 31, ROW_REASONS.intRange('score', 2 ** 31)],
    ['score', -(2 ** 31) - 1, ROW_REASONS.intRange('score', -(2 ** 31) - 1)],
    ['score', 1.5, ROW_REASONS.wrongType('score', 'a 32-bit integer', 'number')],
    ['score', null, ROW_REASONS.nullField('score')],
    ['amount', 2n ** 63n, ROW_REASONS.longRange('amount', 2n ** 63n)],
    ['amount', -(2n ** 63n) - 1n, ROW_REASONS.longRange('amount', -(2n ** 63n) - 1n)],
    ['name', 7, ROW_REASONS.wrongType('name', 'a string', 'number')],
    ['ratio', '1.5', ROW_REASONS.wrongType('ratio', 'a number', 'string')],
    ['seen_at', new Date(Number.NaN), ROW_REASONS.badTime('seen_at')],
    ['seen_at', '2026-01-01', ROW_REASONS.badTime('seen_at')],
    ['tags', 'a', ROW_REASONS.notAList('tags')],
    ['tags', ['a', null], ROW_REASONS.nullElement('tags', 1)],
  ])('refuses %s = %s', (field, value, reason) => {
    const { rows, refused } = obj.encodeObjects([withValue(field, value), objRow(2, T0)]);
    expect(rows).toHaveLength(1);
    expect(refused.map((r) => r.problem)).toEqual([{ column: field, reason }]);
  });

  it('takes the boundary values and nulls where allowed', () => {
    const rows = [withValue('score', 2 ** 31 - 1), withValue('amount', 2n ** 63n - 1n), withValue('amount', -(2n ** 63n)), withValue('name', null), withValue('seen_at', null), withValue('tags', [])];
    expect(obj.encodeObjects(rows).refused).toEqual([]);
  });

  it('refuses an invalid fs_updated_at', () => {
    const row = { values: objRow(1, T0).values, updatedAt: new Date(Number.NaN) };
    expect(obj.encodeObjects([row]).refused[0]!.problem).toEqual({ column: 'fs_updated_at', reason: ROW_REASONS.badUpdatedAt });
  });

  it('History: the event time is the event-time field, which cannot be null', () => {
    const events = new RowEncoder(catalog.features.get(EVENTS)!, manifest.features[EVENTS]!);
    const { rows } = events.encodeEvents([eventRow(1, T0 + 7, 3n, T0 + 9)]);
    expect(rows[0]!.event.eventTime.getTime()).toBe(T0 + 7);
    expect(rows[0]!.event.updatedAt.getTime()).toBe(T0 + 9);
    const bad = { values: { user_id: 1n, event_at: null, amount: 1n }, updatedAt: new Date(T0) };
    expect(events.encodeEvents([bad]).refused[0]!.problem).toEqual({ column: 'event_at', reason: ROW_REASONS.nullEventTime('event_at') });
  });
});

describe('PagePrefix', () => {
  it('advances only over the contiguous prefix of finished pages', () => {
    const prefix = new PagePrefix();
    expect(prefix.finish(1, 20)).toBeNull();
    expect(prefix.finish(2, 30)).toBeNull();
    expect(prefix.finish(0, 10)).toBe(30);
    expect(prefix.finish(4, 50)).toBeNull();
    expect(prefix.finish(3, null)).toBe(50);
    expect(prefix.newest).toBe(50);
  });
});

class MemoryWatermarks implements WatermarkStore {
  readonly saves: number[] = [];
  gate: Promise<void> = Promise.resolve();
  fail = false;
  async get(): Promise<Watermark | null> {
    return null;
  }
  async set(_f: string, _s: string, at: Date): Promise<void> {
    await this.gate;
    if (this.fail) throw new Error('disk full');
    this.saves.push(at.getTime());
  }
  async close(): Promise<void> {}
}

describe('WatermarkSaver', () => {
  it('coalesces advances while a save is in flight, never moves backwards, and flush waits for the last', async () => {
    const store = new MemoryWatermarks();
    let open!: () => void;
    store.gate = new Promise((r) => (open = r));
    const saver = new WatermarkSaver(store, 'f', '0/1', 'run', 5);
    saver.advance(3); // older than the stored one: ignored
    saver.advance(10);
    saver.advance(20);
    saver.advance(30);
    open();
    expect(await saver.flush()).toBe(30);
    expect(store.saves).toEqual([10, 30]);
  });

  it('flush rethrows a failed save', async () => {
    const store = new MemoryWatermarks();
    store.fail = true;
    const saver = new WatermarkSaver(store, 'f', '0/1', 'run', null);
    saver.advance(1);
    await expect(saver.flush()).rejects.toThrow('disk full');
  });
});

describe('transient store errors', () => {
  it('retries timeouts, overload, locks and unconfirmed cache deletes; never ACL, input or plain bugs', () => {
    const named = (name: string, extra: object = {}) => Object.assign(Object.defineProperty(new Error('x'), 'name', { value: name }), extra);
    expect(isTransientStoreError(named('OperationTimedOutError'))).toBe(true);
    expect(isTransientStoreError(named('NoHostAvailableError'))).toBe(true);
    expect(isTransientStoreError(named('ResponseError', { code: 0x1001 }))).toBe(true);
    expect(isTransientStoreError(named('ResponseError', { code: 0x2200 }))).toBe(false);
    expect(isTransientStoreError(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }))).toBe(true);
    expect(isTransientStoreError(new CacheInvalidationError(1, 3, new Error('down')))).toBe(true);
    expect(isTransientStoreError(new AccessDeniedError('c', 'f', 'write'))).toBe(false);
    expect(isTransientStoreError(new InvalidInputError('f', undefined, 'bad'))).toBe(false);
    expect(isTransientStoreError(new TypeError('bug'))).toBe(false);
    expect(isTransientStoreError('string')).toBe(false);
  });
});

describe('small helpers', () => {
  it('did-you-mean picks the closest name within reach, else none', () => {
    expect(closest('t::obj-v2', [OBJ, EVENTS])).toBe(OBJ);
    expect(closest('completely::different-v9', [OBJ, EVENTS])).toBeNull();
  });

  it('quarantined values are JSON-safe', () => {
    expect(jsonSafe([1n, Number.NaN, new Date(0), new Uint8Array([255]), null, 'x'])).toEqual(['1', 'NaN', '1970-01-01T00:00:00.000Z', '/w==', null, 'x']);
  });
});
