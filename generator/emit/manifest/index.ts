/**
 * `manifest.json`: every feature's normalised IR with its writer-schema fingerprint, the history of its
 * writer schemas and an input hash, plus the versions removed from the definitions (`retiredFeatures`).
 * The runtime loads it (table names, keys, TTLs, ACLs, writer schemas by id) and the evolution gate
 * diffs against it, so it holds everything but source line numbers, which would churn on unrelated edits.
 */
import { createHash } from 'node:crypto';
import type { FeatureIR, FieldIR, IR } from '../../ir/types.ts';
import type { ManifestFeature, PreviousState } from '../../plan/previous-state.ts';
import {
  previousEntry,
  previousWriterSchemas,
  RETIRED_FEATURES_KEY,
  retiredFeatures,
  writerSchemaHistory,
} from '../../plan/evolution/writer-schemas.ts';
import type { FileMap } from '../../write/file-map.ts';
import { JSON_NOTICE } from '../../write/preamble.ts';
import { featureFingerprint } from '../avro/index.ts';

export const MANIFEST_PATH = 'manifest.json';
/** 2: `writerSchemas` per feature and `retiredFeatures` (format 1 had neither; it is still read). */
export const MANIFEST_FORMAT_VERSION = 2;

export function emitManifest(ir: IR, ctx: { readonly previous: PreviousState }): FileMap {
  const previous = ctx.previous.manifest;
  const features: Record<string, unknown> = {};
  for (const f of ir.features) {
    const body = featureBody(f);
    features[f.fullName] = {
      version: f.version,
      source: f.location.file,
      avroFingerprint: featureFingerprint(f).toString(),
      inputHash: featureInputHash(f),
      ...body,
      // Fingerprint → schema JSON *text*: exact long defaults through any JSON parser (see writer-schemas.ts).
      writerSchemas: writerSchemaHistory(previousEntry(previous, f.fullName), f),
    };
  }
  const manifest = {
    $comment: JSON_NOTICE,
    formatVersion: MANIFEST_FORMAT_VERSION,
    project: ir.project,
    features,
    [RETIRED_FEATURES_KEY]: retired(ir, ctx.previous),
  };
  return new Map([[MANIFEST_PATH, JSON.stringify(manifest, null, 2) + '\n']]);
}

const hashes = new WeakMap<FeatureIR, string>();

/** The hash the manifest records of a feature's IR; equal hashes mean nothing but positions changed. */
export function featureInputHash(f: FeatureIR): string {
  let hash = hashes.get(f);
  if (hash === undefined) {
    hash = hashBody(featureBody(f));
    // Computed once per run: the evolution gate compares it before the manifest records it.
    hashes.set(f, hash);
  }
  return hash;
}

/**
 * Versions no longer defined keep their last entry: their tables and rows still exist (nothing is
 * dropped automatically), so the evolution gate checks a re-added version against it.
 */
function retired(ir: IR, previous: PreviousState): Record<string, ManifestFeature> {
  const live = new Set(ir.features.map((f) => f.fullName));
  const entries = [...Object.values(retiredFeatures(previous.manifest)), ...Object.values(previous.manifest?.features ?? {})]
    .filter((entry) => !live.has(entry.fullName))
    .map((entry): [string, ManifestFeature] => [
      entry.fullName,
      // Format-1 entries get their (rebuilt) writer schema now, while the Avro builder still matches.
      { ...entry, writerSchemas: Object.fromEntries(previousWriterSchemas(entry)) },
    ]);
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function hashBody(body: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

function featureBody(f: FeatureIR): Record<string, unknown> {
  const { location: _location, fields, ...rest } = f;
  return { ...rest, fields: fields.map(fieldBody) };
}

function fieldBody(field: FieldIR): Record<string, unknown> {
  const { location: _location, ...rest } = field;
  return rest;
}
