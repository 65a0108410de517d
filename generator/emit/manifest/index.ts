/**
 * `manifest.json`: every feature's normalised IR with its writer-schema fingerprint and an input hash.
 * The runtime loads it (table names, keys, TTLs, ACLs) and `plan`/the evolution gate diff against it,
 * so it holds everything but source line numbers, which would churn on unrelated edits.
 */
import { createHash } from 'node:crypto';
import type { FeatureIR, FieldIR, IR } from '../../ir/types.ts';
import type { FileMap } from '../../write/file-map.ts';
import { JSON_NOTICE } from '../../write/preamble.ts';
import { featureFingerprint } from '../avro/index.ts';

export const MANIFEST_PATH = 'manifest.json';
export const MANIFEST_FORMAT_VERSION = 1;

export function emitManifest(ir: IR): FileMap {
  const features: Record<string, unknown> = {};
  for (const f of ir.features) {
    const body = featureBody(f);
    features[f.fullName] = {
      version: f.version,
      source: f.location.file,
      avroFingerprint: featureFingerprint(f).toString(),
      inputHash: createHash('sha256').update(JSON.stringify(body)).digest('hex'),
      ...body,
    };
  }
  const manifest = { $comment: JSON_NOTICE, formatVersion: MANIFEST_FORMAT_VERSION, project: ir.project, features };
  return new Map([[MANIFEST_PATH, JSON.stringify(manifest, null, 2) + '\n']]);
}

function featureBody(f: FeatureIR): Record<string, unknown> {
  const { location: _location, fields, ...rest } = f;
  return { ...rest, fields: fields.map(fieldBody) };
}

function fieldBody(field: FieldIR): Record<string, unknown> {
  const { location: _location, ...rest } = field;
  return rest;
}
