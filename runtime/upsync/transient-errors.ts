/**
 * Which store failures a retry may cure: a node or coordinator timing out or overloaded, a connection
 * reset, a SQLite file locked by another writer, a cache DEL not confirmed (the store write is
 * idempotent by update time, so writing again and deleting again is safe). Never an invalid row, an
 * ACL refusal or a bug: those fail the same way every time, and retrying them only hides them.
 */
import { FeatureStoreError } from '../read/online-runtime.ts';

const TRANSIENT_NAMES = new Set(['NoHostAvailableError', 'OperationTimedOutError', 'BusyConnectionError', 'CacheInvalidationError']);
const TRANSIENT_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_BUSY_SNAPSHOT',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'CACHE_INVALIDATION_FAILED',
]);
/** CQL ResponseError codes: unavailable, overloaded, bootstrapping, write timeout, read timeout. */
const TRANSIENT_CQL_CODES = new Set([0x1000, 0x1001, 0x1002, 0x1100, 0x1200]);

export function isTransientStoreError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e instanceof FeatureStoreError) return false;
  if (TRANSIENT_NAMES.has(e.name)) return true;
  const code = (e as { readonly code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  if (e.name === 'ResponseError' && typeof code === 'number' && TRANSIENT_CQL_CODES.has(code)) return true;
  return false;
}
