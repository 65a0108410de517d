/** Avro emitter: one `.avsc` per feature, the writer schema of the value stored in the online store. */
import type { IR } from '../../ir/types.ts';
import type { FileMap } from '../../write/file-map.ts';
import { avroSchemaOf } from './avro-schema.ts';
import { jsonText } from './json-text.ts';

export { avroSchemaOf, avroType } from './avro-schema.ts';

/**
 * `avro/<namespace>/<name>-v<N>.avsc`. Built as JSON in code rather than from a template: JSON
 * escaping and exact 64-bit defaults are easier to get right with a serializer than with handlebars.
 */
export function emitAvro(ir: IR): FileMap {
  const files = new Map<string, string>();
  for (const feature of ir.features) {
    const path = `avro/${feature.namespace}/${feature.name}-v${feature.version}.avsc`;
    files.set(path, `${jsonText(avroSchemaOf(feature))}\n`);
  }
  return files;
}
