/**
 * Typed writes on the generated accessors of features whose `access.write` names a consumer:
 * `put(key, value)` for Object features, `append(key, event)` for History features (codegen gives the
 * others no such method, so writing a read-only feature does not compile). The key goes through the
 * feature's key codec, the value through the generated zod schema: a string for an Int or a number for
 * a Long is an InvalidInputError naming the field, never a write. The reader must also be a
 * FeatureWriter (`runtime.reader(consumer)` is; the HTTP client is not: WritesUnsupportedError), and
 * the runtime checks `access.write` for the consumer it acts as.
 */
import type { z } from 'zod';
import {
  historyAccessor,
  objectAccessor,
  type HistoryAccessor,
  type ObjectAccessor,
} from '../read/accessors.ts';
import type { FeatureDescriptor, FeatureReader, HistoryFeatureDescriptor, ObjectFeatureDescriptor } from '../read/feature-reader.ts';
import { keyCodecOf, KeyShapeError, type KeyCodec } from '../read/key-codec.ts';
import { InvalidInputError } from '../read/online-runtime.ts';
import { isFeatureWriter, type TypedRow } from './feature-writer.ts';
import { WRITE_ERRORS, WritesUnsupportedError } from './write-errors.ts';

export interface WritableObjectAccessor<K, V> extends ObjectAccessor<K, V> {
  /** Inserts or replaces the value of `key`; resolves once stored and visible (cached copies deleted). */
  put(key: K, value: V): Promise<void>;
}

export interface WritableHistoryAccessor<K, V> extends HistoryAccessor<K, V> {
  /** Adds an event (an event at the same key and event time replaces the earlier one). */
  append(key: K, event: V): Promise<void>;
}

export function writableObjectAccessor<K, V>(reader: FeatureReader, descriptor: ObjectFeatureDescriptor<K, V>): WritableObjectAccessor<K, V> {
  const codec = keyCodecOf(descriptor.fullName, descriptor.keyFields);
  return {
    ...objectAccessor(reader, descriptor),
    put(key, value) {
      try {
        if (!isFeatureWriter(reader)) throw new WritesUnsupportedError(descriptor.fullName);
        return reader.put(descriptor, [typedRow(codec, descriptor, key, value)]);
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}

export function writableHistoryAccessor<K, V>(reader: FeatureReader, descriptor: HistoryFeatureDescriptor<K, V>): WritableHistoryAccessor<K, V> {
  const codec = keyCodecOf(descriptor.fullName, descriptor.keyFields);
  return {
    ...historyAccessor(reader, descriptor),
    append(key, event) {
      try {
        if (!isFeatureWriter(reader)) throw new WritesUnsupportedError(descriptor.fullName);
        return reader.append(descriptor, [typedRow(codec, descriptor, key, event)]);
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}

function typedRow<K, V>(codec: KeyCodec, descriptor: FeatureDescriptor<K, V>, key: K, value: V): TypedRow<V> {
  let checkedKey;
  try {
    checkedKey = codec.fromTyped(key);
  } catch (e) {
    if (e instanceof KeyShapeError) throw new InvalidInputError(descriptor.fullName, undefined, WRITE_ERRORS.invalidKey(e.problems));
    throw e;
  }
  const parsed = descriptor.valueSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const head = issues[0]?.path[0];
    const field = descriptor.valueFields.find((f) => f.tsName === head);
    throw new InvalidInputError(descriptor.fullName, field?.name, WRITE_ERRORS.invalidValue(issues.map((i) => describeIssue(descriptor, i))));
  }
  return { key: checkedKey, value: parsed.data };
}

function describeIssue<K, V>(descriptor: FeatureDescriptor<K, V>, issue: z.core.$ZodIssue): string {
  const [head, ...rest] = issue.path;
  if (head === undefined) return issue.message;
  const field = descriptor.valueFields.find((f) => f.tsName === head);
  const path = [String(head), ...rest.map((p) => `[${String(p)}]`)].join('');
  const named = field && field.name !== head ? `field "${path}" (${field.name})` : `field "${path}"`;
  return `${named}: ${issue.message}${field ? hint(field.type, issue) : ''}`;
}

/** The two mistakes a JS caller makes most, said plainly: a Long is a bigint, an Int a number. */
function hint(type: string, issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_type') return '';
  if (type === 'Long' || type === 'List<Long>') return ` (${WRITE_ERRORS.longHint})`;
  if (type === 'Int' || type === 'List<Int>') return ` (${WRITE_ERRORS.intHint})`;
  return '';
}
