/**
 * The writer-schema history of each feature version, as the manifest records it: fingerprint → schema
 * text. Rows written under any of these schemas may still be stored (the online store keeps each row's
 * writer-schema id), so the history only grows while the version lives, and every new value schema must
 * read all of them. Shared by the manifest emitter (which records it) and the gate (which checks it).
 */
import type { Manifest, ManifestFeature } from '../../../core/manifest/manifest-schema.ts';
import { stringifyAvroSchema } from '../../../core/serde/index.ts';
import { avroValueSchema, featureFingerprint } from '../../emit/avro/index.ts';
import type { FeatureIR, SourceLocation } from '../../ir/types.ts';

/** Fingerprint (signed 64-bit, decimal) → compact schema JSON text with exact long defaults. */
export type WriterSchemaTexts = ReadonlyMap<string, string>;

export interface WriterSchema {
  readonly fingerprint: string;
  readonly text: string;
}

/** The top-level manifest key of feature versions removed from the definitions (see FEATURE_REMOVED). */
export const RETIRED_FEATURES_KEY = 'retiredFeatures' satisfies keyof Manifest;

const currentCache = new WeakMap<FeatureIR, WriterSchema>();

/** The value schema `feature` writes with, as the manifest stores it. */
export function currentWriterSchema(feature: FeatureIR): WriterSchema {
  let schema = currentCache.get(feature);
  if (!schema) {
    // Text, not an embedded JSON object: the manifest is read back with JSON.parse, which would round
    // a long default beyond 2^53 and corrupt the history on the next run.
    schema = { fingerprint: featureFingerprint(feature).toString(), text: stringifyAvroSchema(avroValueSchema(feature)) };
    currentCache.set(feature, schema);
  }
  return schema;
}

const NO_LOCATION: SourceLocation = { file: '', line: 0, column: 0 };
const rebuilt = new WeakMap<ManifestFeature, FeatureIR>();

/** A manifest entry as a FeatureIR (it is one minus source positions), to rebuild its Avro schema. */
export function featureFromManifest(entry: ManifestFeature): FeatureIR {
  let feature = rebuilt.get(entry);
  if (!feature) {
    feature = { ...entry, fields: entry.fields.map((f) => ({ ...f, location: NO_LOCATION })), location: NO_LOCATION };
    rebuilt.set(entry, feature);
  }
  return feature;
}

/**
 * Every writer schema the previous manifest entry knows. Manifests written before `writerSchemas`
 * existed only had the current schema, which is rebuilt from the entry's fields. (The manifest schema
 * has already checked the history's shape; each text is checked where it is parsed.)
 */
export function previousWriterSchemas(entry: ManifestFeature): WriterSchemaTexts {
  if (entry.writerSchemas === undefined) {
    const schema = currentWriterSchema(featureFromManifest(entry));
    return new Map([[schema.fingerprint, schema.text]]);
  }
  return new Map(Object.entries(entry.writerSchemas));
}

/** The history to record for `feature`: the previous one plus the current schema, sorted by fingerprint. */
export function writerSchemaHistory(previous: ManifestFeature | undefined, feature: FeatureIR): Record<string, string> {
  const all = new Map(previous ? previousWriterSchemas(previous) : []);
  const current = currentWriterSchema(feature);
  // Same fingerprint = same canonical form; the text may differ in docs and defaults, which do not affect
  // decoding, so the newest text wins.
  all.set(current.fingerprint, current.text);
  return Object.fromEntries([...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Feature versions removed from the definitions earlier: their tables and data still exist. */
export function retiredFeatures(manifest: Manifest | undefined): Readonly<Record<string, ManifestFeature>> {
  return manifest?.retiredFeatures ?? {};
}

/** The last manifest entry of a feature version, live or retired (a retired name stays reserved). */
export function previousEntry(manifest: Manifest | undefined, fullName: string): ManifestFeature | undefined {
  if (!manifest) return undefined;
  return Object.hasOwn(manifest.features, fullName) ? manifest.features[fullName] : retiredFeatures(manifest)[fullName];
}
