export {
  DEFAULT_OFFLINE_PAGE_SIZE,
  OFFLINE_ERRORS,
  OFFLINE_INVALID_OPTIONS,
  OFFLINE_INVALID_ROW,
  OFFLINE_SCHEMA_MISMATCH,
  OFFLINE_STORE_CLOSED,
  OFFLINE_STORE_UNREACHABLE,
  OFFLINE_TABLE_NOT_FOUND,
  OFFLINE_UNREADABLE_ROW,
  OFFLINE_UPDATED_AT,
  OfflineStoreError,
  isUnreadableRow,
  type AppendResult,
  type OfflineColumn,
  type OfflineErrorCode,
  type OfflineFieldType,
  type OfflineReadItem,
  type OfflineReadOptions,
  type OfflineRow,
  type OfflineScalar,
  type OfflineScalarType,
  type OfflineScalarValues,
  type OfflineShard,
  type OfflineStore,
  type OfflineTable,
  type OfflineValue,
  type OfflineValueOf,
  type OfflineValues,
  type OfflineValuesOf,
  type UnreadableOfflineRow,
} from './offline-store.ts';
export { MAX_OFFLINE_PAGE_SIZE, MAX_OFFLINE_TIME_MS, MIN_OFFLINE_TIME_MS, ROW_PROBLEMS } from './offline-row-check.ts';
export { CELL_PROBLEMS } from './offline-cells.ts';
export { MAX_OFFLINE_SHARDS } from './offline-read.ts';
export { defineOfflineTable, identityColumns, offlineTableOf } from './offline-table.ts';
export { openOfflineStore, type OfflineStoreOptions } from './open-offline-store.ts';
