/** Avro emitter: one `.avsc` per feature, the writer schema of the value stored in the online store. */
import { stringifyAvroSchema } from '../../../core/serde/index.ts';
import type { IR } from '../../ir/types.ts';
import type { FileMap } from '../../write/file-map.ts';
import { JSON_NOTICE } from '../../write/preamble.ts';
import { avroValueSchema } from './avro-schema.ts';

export { avroFieldType, avroValueSchema } from './avro-schema.ts';
export { featureFingerprint } from './fingerprint.ts';

/**
 * `avro/<namespace>/<name>-v<N>.avsc`. The notice sits in `x-` attributes, which the Avro spec allows
 * and parsers ignore (.avsc has no comments). Printed with exact 64-bit defaults.
 */
export function emitAvro(ir: IR): FileMap {
  const files = new Map<string, string>();
  for (const feature of ir.features) {
    const path = `avro/${feature.namespace}/${feature.name}-v${feature.version}.avsc`;
    const header = { 'x-generated-by': JSON_NOTICE, 'x-source': feature.location.file, 'x-feature': feature.fullName };
    const schema = avroValueSchema(feature) as Record<string, never>;
    files.set(path, `${stringifyAvroSchema({ ...header, ...schema }, 2)}\n`);
  }
  return files;
}
