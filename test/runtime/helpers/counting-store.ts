/** Wraps an OnlineStore to count (and optionally slow down) the calls that reach it. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KeyValues, OnlineStore, OnlineTable, StoredEvent, StoredValue, TaggedEvent, TaggedValue, WriteReport } from '../../../runtime/online/online-store.ts';

export interface StoreCalls {
  getMany: number;
  /** Keys asked for, over every getMany call. */
  keys: number;
  latest: number;
  range: number;
  writes: number;
}

export class CountingStore implements OnlineStore {
  readonly calls: StoreCalls = { getMany: 0, keys: 0, latest: 0, range: 0, writes: 0 };
  /** Added before every read answers, to make concurrent requests overlap. */
  delayMs = 0;

  constructor(readonly inner: OnlineStore) {}

  reset(): void {
    Object.assign(this.calls, { getMany: 0, keys: 0, latest: 0, range: 0, writes: 0 });
  }

  async getMany(table: OnlineTable, keys: readonly KeyValues[]): Promise<(TaggedValue | null)[]> {
    this.calls.getMany++;
    this.calls.keys += keys.length;
    if (this.delayMs) await sleep(this.delayMs);
    return this.inner.getMany(table, keys);
  }

  async latest(table: OnlineTable, key: KeyValues, n: number): Promise<TaggedEvent[]> {
    this.calls.latest++;
    if (this.delayMs) await sleep(this.delayMs);
    return this.inner.latest(table, key, n);
  }

  async range(table: OnlineTable, key: KeyValues, from: Date, to: Date, limit: number): Promise<TaggedEvent[]> {
    this.calls.range++;
    return this.inner.range(table, key, from, to, limit);
  }

  async putMany(table: OnlineTable, rows: readonly { readonly key: KeyValues; readonly value: StoredValue }[]): Promise<WriteReport> {
    this.calls.writes++;
    return this.inner.putMany(table, rows);
  }

  async appendMany(table: OnlineTable, rows: readonly { readonly key: KeyValues; readonly event: StoredEvent }[]): Promise<WriteReport> {
    this.calls.writes++;
    return this.inner.appendMany(table, rows);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
