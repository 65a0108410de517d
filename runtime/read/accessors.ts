/**
 * The per-feature objects generated code hands out (`features.live.hakunaHostStatV1.get(...)`): they
 * check arguments against the descriptor, with errors naming the feature and field, then delegate to the
 * reader, so every FeatureReader implementation can trust its inputs.
 */
import type { z } from 'zod';
import type {
  FeatureDescriptor,
  FeatureReader,
  HistoryFeatureDescriptor,
  ObjectFeatureDescriptor,
} from './feature-reader.ts';

/** `latest(key)` without `n` on a feature without `maxEvents`. */
export const DEFAULT_LATEST_EVENTS = 20;

export const READ_ERRORS = {
  invalidKey: (feature: string, where: string, problems: readonly string[]) =>
    `invalid key${where} for feature ${feature}: ${problems.join('; ')}`,
  keyField: (field: string, column: string, problem: string) =>
    field === column ? `field "${field}": ${problem}` : `field "${field}" (${column}): ${problem}`,
  unknownKeyFields: (fields: readonly string[], expected: readonly string[]) =>
    `unknown field(s) ${fields.map((f) => `"${f}"`).join(', ')} (key fields: ${expected.join(', ')})`,
  notAKeyObject: (expected: readonly string[], problem: string) =>
    `expected an object with the key fields ${expected.join(', ')}: ${problem}`,
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
  return {
    descriptor,
    // async, so argument errors arrive as rejections like every other read failure.
    get: async (key) => reader.get(descriptor, checkKey(descriptor, key, '')),
    getMany: async (keys) =>
      reader.getMany(
        descriptor,
        keys.map((key, i) => checkKey(descriptor, key, ` at keys[${i}]`)),
      ),
  };
}

export function historyAccessor<K, V>(
  reader: FeatureReader,
  descriptor: HistoryFeatureDescriptor<K, V>,
): HistoryAccessor<K, V> {
  return {
    descriptor,
    latest: async (key, n = descriptor.maxEvents ?? DEFAULT_LATEST_EVENTS) => {
      const checked = checkKey(descriptor, key, '');
      const max = descriptor.maxEvents;
      if (!Number.isSafeInteger(n) || n < 1 || (max !== null && n > max)) {
        throw new RangeError(READ_ERRORS.invalidCount(descriptor.fullName, n, max));
      }
      return reader.latest(descriptor, checked, n);
    },
    range: async (key, from, to) => {
      const checked = checkKey(descriptor, key, '');
      if (!isValidDate(from) || !isValidDate(to) || from.getTime() > to.getTime()) {
        throw new RangeError(READ_ERRORS.invalidRange(descriptor.fullName, from, to));
      }
      return reader.range(descriptor, checked, from, to);
    },
  };
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/** The parsed key (zod strips nothing from a strict object, but returns a fresh, checked copy). */
function checkKey<K, V>(descriptor: FeatureDescriptor<K, V>, key: K, where: string): K {
  const result = descriptor.keySchema.safeParse(key);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => describeIssue(descriptor, issue));
  throw new TypeError(READ_ERRORS.invalidKey(descriptor.fullName, where, problems));
}

function describeIssue<K, V>(descriptor: FeatureDescriptor<K, V>, issue: z.core.$ZodIssue): string {
  const expected = descriptor.keyFields.map((f) => f.tsName);
  const [head] = issue.path;
  if (head === undefined) {
    return issue.code === 'unrecognized_keys'
      ? READ_ERRORS.unknownKeyFields(issue.keys, expected)
      : READ_ERRORS.notAKeyObject(expected, issue.message);
  }
  const field = descriptor.keyFields.find((f) => f.tsName === head);
  return READ_ERRORS.keyField(String(head), field?.name ?? String(head), issue.message);
}
