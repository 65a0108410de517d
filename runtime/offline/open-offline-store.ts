/**
 * Builds the configured offline store. Adapters are imported on demand, so a service that never touches
 * offline data loads neither @duckdb/node-api nor @google-cloud/bigquery (both optional for it).
 */
import type { BigQueryOfflineStoreOptions } from './bigquery/bigquery-offline-store.ts';
import type { DuckDbOfflineStoreOptions } from './duckdb/duckdb-offline-store.ts';
import type { OfflineStore } from './offline-store.ts';

export type OfflineStoreOptions =
  | ({ readonly kind: 'duckdb' } & DuckDbOfflineStoreOptions)
  | ({ readonly kind: 'bigquery' } & BigQueryOfflineStoreOptions)
  | { readonly kind: 'custom'; readonly store: OfflineStore };

export async function openOfflineStore(options: OfflineStoreOptions): Promise<OfflineStore> {
  switch (options.kind) {
    case 'custom':
      return options.store;
    case 'duckdb': {
      const { openDuckDbOfflineStore } = await import('./duckdb/duckdb-offline-store.ts');
      return openDuckDbOfflineStore(options);
    }
    case 'bigquery': {
      const { openBigQueryOfflineStore } = await import('./bigquery/bigquery-offline-store.ts');
      return openBigQueryOfflineStore(options);
    }
  }
}
