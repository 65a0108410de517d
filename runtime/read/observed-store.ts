/**
 * An OnlineStore that reports its failures to RuntimeObserver.storeError (metrics) and rethrows them.
 * It wraps the adapter itself, inside the cache decorator, so only the store's own errors count (a
 * cache hit never reaches it; a CacheInvalidationError is not a store error).
 */
import type { OnlineStore, OnlineTable } from '../online/online-store.ts';
import type { RuntimeObserver } from './online-runtime.ts';

export function observeStoreErrors(store: OnlineStore, observer: RuntimeObserver): OnlineStore {
  const report = observer.storeError;
  if (!report) return store;
  const watch = <T>(table: OnlineTable, operation: 'read' | 'write', call: Promise<T>): Promise<T> =>
    call.catch((e: unknown) => {
      report(table.featureName, operation, e);
      throw e;
    });
  return {
    getMany: (table, keys) => watch(table, 'read', store.getMany(table, keys)),
    latest: (table, key, n) => watch(table, 'read', store.latest(table, key, n)),
    range: (table, key, from, to, limit) => watch(table, 'read', store.range(table, key, from, to, limit)),
    putMany: (table, rows) => watch(table, 'write', store.putMany(table, rows)),
    appendMany: (table, rows) => watch(table, 'write', store.appendMany(table, rows)),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
