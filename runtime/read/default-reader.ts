/**
 * A process-wide reader slot, so generated code can offer a ready-made `features` object
 * (`features.live.hakunaHostStatV1.get(...)`) while the service decides at startup which store backs it.
 */
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

/** Delegates each call to the configured reader at call time, so configuring late still works. */
export const defaultFeatureReader: FeatureReader = {
  get: async (feature, key) => current().get(feature, key),
  getMany: async (feature, keys) => current().getMany(feature, keys),
  latest: async (feature, key, n) => current().latest(feature, key, n),
  range: async (feature, key, from, to) => current().range(feature, key, from, to),
};
