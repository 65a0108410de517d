/**
 * A process-wide reader slot, so generated code can offer a ready-made `features` object
 * (`features.live.hakunaHostStatV1.get(...)`) while the service decides at startup which store backs it.
 */
import { isFeatureWriter, type FeatureClient } from '../write/feature-writer.ts';
import { WritesUnsupportedError } from '../write/write-errors.ts';
import type { FeatureReader } from './feature-reader.ts';

export const NO_FEATURE_READER_CONFIGURED =
  'no FeatureReader configured: call configureFeatureReader(reader) at startup, or pass a reader to createFeatures(reader)';

let configured: FeatureReader | null = null;

/** Sets the reader behind `defaultFeatureReader`; `null` clears it (tests). */
export function configureFeatureReader(reader: FeatureReader | null): void {
  configured = reader;
}

export function configuredFeatureReader(): FeatureReader | null {
  return configured;
}

function current(): FeatureReader {
  if (configured === null) throw new Error(NO_FEATURE_READER_CONFIGURED);
  return configured;
}

/**
 * Delegates each call to the configured reader at call time, so configuring late still works; writes
 * too, when that reader writes (`runtime.reader(consumer)` does). Plain functions returning the
 * configured reader's promise (an async wrapper would add a promise and two microtask turns per read).
 */
export const defaultFeatureReader: FeatureClient = {
  get: (feature, key) => delegate((r) => r.get(feature, key)),
  getMany: (feature, keys) => delegate((r) => r.getMany(feature, keys)),
  latest: (feature, key, n) => delegate((r) => r.latest(feature, key, n)),
  range: (feature, key, from, to) => delegate((r) => r.range(feature, key, from, to)),
  put: (feature, rows) =>
    delegate((r) => {
      if (!isFeatureWriter(r)) throw new WritesUnsupportedError(feature.fullName);
      return r.put(feature, rows);
    }),
  append: (feature, rows) =>
    delegate((r) => {
      if (!isFeatureWriter(r)) throw new WritesUnsupportedError(feature.fullName);
      return r.append(feature, rows);
    }),
};

/** Failures, a missing reader included, as rejections. */
function delegate<T>(call: (reader: FeatureReader) => Promise<T>): Promise<T> {
  try {
    return call(current());
  } catch (e) {
    return Promise.reject(e);
  }
}
