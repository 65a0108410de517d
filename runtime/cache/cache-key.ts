/**
 * Cache keys: `fs:{<feature full name>}:<component>:<component>…`, one component per key field in
 * key-field order. Stable (the same key always maps to the same string, across processes and versions)
 * and injective (different keys never collide):
 *
 * - components are the coerced key values, so `7`, `"7"` and `7n` for a Long all become `7`;
 * - Long and Int are decimal, Boolean `true`/`false`, Timestamp epoch milliseconds;
 * - Text is escaped (`%` → `%25`, `:` → `%3A`), so `:` only ever separates components and splitting
 *   on it gives back exactly the key; the feature's key types are fixed, so no type tag is needed.
 *
 * The braces are a Redis Cluster hash tag: all keys of a feature live in one slot, so a multi-key read
 * of one feature is a single MGET even on a cluster (the price: a feature's keys share one shard).
 * Changing this format means a new prefix (`fs2:`), never a silent change: old entries would be misread.
 */
import type { KeyColumnType } from '../../core/field-types.ts';
import type { KeyScalar, KeyValues } from '../online/online-store.ts';

export const CACHE_KEY_PREFIX = 'fs:';

export function cacheKey(feature: string, columns: readonly { readonly type: KeyColumnType }[], key: KeyValues): string {
  return cacheKeyAfter(cacheKeyPrefix(feature), columns, key);
}

/** `fs:{<feature>}`, the part of a feature's keys that never changes: computed once per table on hot paths. */
export function cacheKeyPrefix(feature: string): string {
  return `${CACHE_KEY_PREFIX}{${feature}}`;
}

/** The key after its feature's prefix (cacheKeyPrefix). */
export function cacheKeyAfter(prefix: string, columns: readonly { readonly type: KeyColumnType }[], key: KeyValues): string {
  let out = prefix;
  for (let i = 0; i < columns.length; i++) out += `:${component(key[i] as KeyScalar, (columns[i] as { type: KeyColumnType }).type)}`;
  return out;
}

function component(value: KeyScalar, type: KeyColumnType): string {
  switch (type) {
    case 'Text':
      return escapeText(value as string);
    case 'Timestamp':
      return String((value as Date).getTime());
    case 'Boolean':
      return value ? 'true' : 'false';
    default:
      return String(value);
  }
}

function escapeText(text: string): string {
  // Fast path: most keys are ids without either character.
  if (!text.includes('%') && !text.includes(':')) return text;
  return text.replace(/%/g, '%25').replace(/:/g, '%3A');
}
