/**
 * The per-feature objects generated code hands out (`features.live.hakunaHostStatV1.get(...)`): they
 * check arguments once, the key through the feature's key codec (key-codec.ts) and counts and time
 * ranges here, with errors naming the feature and field, then hand the reader KeyValues it trusts.
 * Failures are rejections, like every other read failure, without an extra async layer per call.
 */
import type { KeyValues } from '../online/online-store.ts';
import type { FeatureDescriptor, FeatureReader, HistoryFeatureDescriptor, ObjectFeatureDescriptor } from './feature-reader.ts';
import { keyCodecOf, KeyShapeError, type KeyCodec } from './key-codec.ts';

/** `latest(key)` without `n` on a feature without `maxEvents`. */
export const DEFAULT_LATEST_EVENTS = 20;

export const READ_ERRORS = {
  invalidKey: (feature: string, where: string, problems: readonly string[]) =>
    `invalid key${where} for feature ${feature}: ${problems.join('; ')}`,
  invalidCount: (feature: string, n: unknown, max: number | null) =>
    `invalid event count ${String(n)} for feature ${feature}: expected an integer from 1 to ${max ?? 'any'}`,
  invalidRange: (feature: string, from: unknown, to: unknown) =>
    `invalid time range for feature ${feature}: expected valid Dates with from <= to, got ${String(from)} .. ${String(to)}`,
} as const;

export interface ObjectAccessor<K, V> {
  readonly descriptor: ObjectFeatureDescriptor<K, V>;
  get(key: K): Promise<V | null>;
  /** One result per key, in input order. */
  getMany(keys: readonly K[]): Promise<(V | null)[]>;
}

export interface HistoryAccessor<K, V> {
  readonly descriptor: HistoryFeatureDescriptor<K, V>;
  /** The `n` most recent events, newest first; `n` defaults to `maxEvents`, else DEFAULT_LATEST_EVENTS. */
  latest(key: K, n?: number): Promise<V[]>;
  /** Events with `from <= eventTime < to`, newest first. */
  range(key: K, from: Date, to: Date): Promise<V[]>;
}

export function objectAccessor<K, V>(
  reader: FeatureReader,
  descriptor: ObjectFeatureDescriptor<K, V>,
): ObjectAccessor<K, V> {
  const codec = keyCodecOf(descriptor.fullName, descriptor.keyFields);
  return {
    descriptor,
    get(key) {
      try {
        return reader.get(descriptor, typedKey(codec, descriptor, key, ''));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    getMany(keys) {
      try {
        return reader.getMany(descriptor, keys.map((key, i) => typedKey(codec, descriptor, key, ` at keys[${i}]`)));
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}

export function historyAccessor<K, V>(
  reader: FeatureReader,
  descriptor: HistoryFeatureDescriptor<K, V>,
): HistoryAccessor<K, V> {
  const codec = keyCodecOf(descriptor.fullName, descriptor.keyFields);
  const max = descriptor.maxEvents;
  return {
    descriptor,
    latest(key, n = max ?? DEFAULT_LATEST_EVENTS) {
      try {
        const checked = typedKey(codec, descriptor, key, '');
        if (!Number.isSafeInteger(n) || n < 1 || (max !== null && n > max)) {
          throw new RangeError(READ_ERRORS.invalidCount(descriptor.fullName, n, max));
        }
        return reader.latest(descriptor, checked, n);
      } catch (e) {
        return Promise.reject(e);
      }
    },
    range(key, from, to) {
      try {
        const checked = typedKey(codec, descriptor, key, '');
        if (!isValidDate(from) || !isValidDate(to) || from.getTime() > to.getTime()) {
          throw new RangeError(READ_ERRORS.invalidRange(descriptor.fullName, from, to));
        }
        return reader.range(descriptor, checked, from, to);
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/** The key's KeyValues; a key that is not of the generated key type is a TypeError naming the fields. */
export function typedKey<K, V>(codec: KeyCodec, descriptor: FeatureDescriptor<K, V>, key: K, where: string): KeyValues {
  try {
    return codec.fromTyped(key);
  } catch (e) {
    if (e instanceof KeyShapeError) throw new TypeError(READ_ERRORS.invalidKey(descriptor.fullName, where, e.problems));
    throw e;
  }
}
