/**
 * Command emitter (downsync, docs/commands.md): the envelope schema every producer writes
 * (`avro/featurestore.command.FeatureCommand.avsc`, the same for every project: the text of
 * core/commands) and each feature's key record (`avro/<namespace>/<name>-v<N>.key.avsc`, beside its value
 * schema), so a JVM or Python producer builds commands from generated files alone. Both come from
 * core/commands, the module the TypeScript producer and the worker encode and decode with: a generated
 * file cannot disagree with the runtime. The do-not-edit notice sits in `x-` attributes, which parsers
 * and the canonical form ignore.
 */
import { FEATURE_COMMAND_SCHEMA, FEATURE_COMMAND_SCHEMA_FILE, keySchemaOf } from '../../../core/commands/index.ts';
import { stringifyAvroSchema, type AvroSchemaJson } from '../../../core/serde/index.ts';
import type { FeatureIR, IR } from '../../ir/types.ts';
import type { FileMap } from '../../write/file-map.ts';
import { JSON_NOTICE } from '../../write/preamble.ts';

export { FEATURE_COMMAND_SCHEMA_FILE } from '../../../core/commands/index.ts';

/** Where a feature's key schema is written, relative to the output folder. */
export function keySchemaFile(feature: Pick<FeatureIR, 'namespace' | 'name' | 'version'>): string {
  return `avro/${feature.namespace}/${feature.name}-v${feature.version}.key.avsc`;
}

export function emitCommandSchemas(ir: IR): FileMap {
  const files = new Map<string, string>();
  files.set(FEATURE_COMMAND_SCHEMA_FILE, render({ 'x-generated-by': JSON_NOTICE }, FEATURE_COMMAND_SCHEMA));
  for (const feature of ir.features) {
    const header = { 'x-generated-by': JSON_NOTICE, 'x-source': feature.location.file, 'x-feature': feature.fullName };
    files.set(keySchemaFile(feature), render(header, keySchemaOf(feature)));
  }
  return files;
}

function render(header: Record<string, string>, schema: AvroSchemaJson): string {
  return `${stringifyAvroSchema({ ...header, ...(schema as Record<string, never>) }, 2)}\n`;
}
