/**
 * `manifest.json`: every feature's normalised IR with its writer-schema fingerprint, the history of its
 * writer schemas and an input hash, plus the versions removed from the definitions (`retiredFeatures`).
 * The runtime loads it (table names, keys, TTLs, ACLs, writer schemas by id) and the evolution gate
 * diffs against it, so it holds everything but source line numbers, which would churn on unrelated edits.
 */
import { createHash } from 'node:crypto';
import { MANIFEST_FORMAT_VERSION, type Manifest, type ManifestFeature, type ManifestField } from '../../../core/manifest/manifest-schema.ts';
import type { FeatureIR, FieldIR, IR } from '../../ir/types.ts';
import type { PreviousState } from '../../plan/previous-state.ts';
import { previousEntry, previousWriterSchemas, retiredFeatures, writerSchemaHistory } from '../../plan/evolution/writer-schemas.ts';
import type { FileMap } from '../../write/file-map.ts';
import { JSON_NOTICE } from '../../write/preamble.ts';
import { featureFingerprint } from '../avro/index.ts';

export const MANIFEST_PATH = 'manifest.json';

/** A manifest entry without what codegen derives beside the IR: what the input hash covers. */
type FeatureBody = DistributiveOmit<ManifestFeature, 'source' | 'avroFingerprint' | 'inputHash' | 'writerSchemas'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function emitManifest(ir: IR, ctx: { readonly previous: PreviousState }): FileMap {
  const previous = ctx.previous.manifest;
  const features: Record<string, ManifestFeature> = {};
  for (const f of ir.features) {
    // The body (what the hash covers) has `version` after the name; the file lists it first.
    const { version, ...body } = featureBody(f);
    features[f.fullName] = {
      version,
      source: f.location.file,
      avroFingerprint: featureFingerprint(f).toString(),
      inputHash: featureInputHash(f),
      ...body,
      // Fingerprint → schema JSON *text*: exact long defaults through any JSON parser (see writer-schemas.ts).
      writerSchemas: writerSchemaHistory(previousEntry(previous, f.fullName), f),
    };
  }
  // Checked against the one manifest type every reader parses with: a wrong or missing property fails tsc.
  const manifest = {
    $comment: JSON_NOTICE,
    formatVersion: MANIFEST_FORMAT_VERSION,
    project: ir.project,
    features,
    retiredFeatures: retired(ir, ctx.previous),
  } satisfies Manifest;
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

function hashBody(body: FeatureBody): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/**
 * The IR of a feature minus source positions, property by property: the order is the file's (and the
 * input hash's), whatever order the IR was built in. The type-dependent trio is written once per
 * variant, so each literal is checked against its own variant of the union.
 */
function featureBody(f: FeatureIR): FeatureBody {
  const names = {
    fullName: f.fullName,
    namespace: f.namespace,
    name: f.name,
    version: f.version,
    tableName: f.tableName,
    tsNamespace: f.tsNamespace,
    tsName: f.tsName,
    tsTypeName: f.tsTypeName,
    avroName: f.avroName,
  } satisfies Partial<FeatureBody>;
  const about = { owner: f.owner, description: f.description, keyFields: f.keyFields } satisfies Partial<FeatureBody>;
  const options = {
    upsync: f.upsync,
    downsync: f.downsync,
    retentionMs: f.retentionMs,
    cacheTtlMs: f.cacheTtlMs,
    access: f.access,
    fields: f.fields.map(fieldBody),
  } satisfies Partial<FeatureBody>;
  return f.featureType === 'History'
    ? { ...names, featureType: f.featureType, ...about, eventTimeField: f.eventTimeField, maxEvents: f.maxEvents, ...options }
    : { ...names, featureType: f.featureType, ...about, eventTimeField: f.eventTimeField, maxEvents: f.maxEvents, ...options };
}

function fieldBody(field: FieldIR): ManifestField {
  return {
    name: field.name,
    tsName: field.tsName,
    type: field.type,
    description: field.description,
    isKey: field.isKey,
    isEventTime: field.isEventTime,
    nullable: field.nullable,
    ...(field.defaultValue !== undefined ? { defaultValue: field.defaultValue } : {}),
  };
}
