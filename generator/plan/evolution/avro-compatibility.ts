/**
 * The catch-all: avsc itself must resolve every writer schema the version has had into the new value
 * schema (the reader). The specific rules explain the usual mistakes; this catches whatever they do not
 * model (a field removed and later re-added with another type, a change in the Avro builder) with
 * exactly the resolution the runtime performs, including int → our bigint long.
 */
import type avro from 'avsc';
import { UsageError } from '../../diagnostics.ts';
import { avroValueSchema } from '../../emit/avro/index.ts';
import type { FeatureIR } from '../../ir/types.ts';
import { parseAvroSchemaText, parseAvroType, schemaFingerprint, type AvroJsonValue, type AvroSchemaJson } from '../../../core/serde/index.ts';
import type { ManifestFeature } from '../../../core/manifest/manifest-schema.ts';
import type { EvolutionRule, Violation } from './rule.ts';
import { currentWriterSchema, previousWriterSchemas } from './writer-schemas.ts';

/** The avsc error of resolving `writer` values into `reader`, or undefined when they resolve. */
export function resolutionError(reader: avro.Type, writer: avro.Type): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** A stored writer schema, checked against the fingerprint it is filed under. */
export function writerSchemaOf(feature: string, fingerprint: string, text: string): AvroSchemaJson {
  let schema: AvroSchemaJson;
  try {
    schema = parseAvroSchemaText(text);
  } catch (e) {
    throw new UsageError(`manifest.json: writer schema ${fingerprint} of ${feature} is not valid JSON (${(e as Error).message}); restore manifest.json from Git`);
  }
  if (schemaFingerprint(schema).toString() !== fingerprint) {
    throw new UsageError(`manifest.json: writer schema ${fingerprint} of ${feature} has another fingerprint; restore manifest.json from Git`);
  }
  return schema;
}

export const AVRO_SCHEMA_INCOMPATIBLE: EvolutionRule = {
  id: 'AVRO_SCHEMA_INCOMPATIBLE',
  purpose: 'Catch-all: the new value schema must read values written with every writer schema the version has had, as avsc resolves them.',
  severity: 'error',
  catchAll: true,
  check: (before, after) => {
    const history = previousWriterSchemas(before);
    const current = currentWriterSchema(after);
    // Unchanged schema: it was checked against the same history when it was first generated.
    if (history.get(before.avroFingerprint) === current.text) return [];
    const schema = avroValueSchema(after);
    const reader = parseAvroType(schema);
    const out: Violation[] = [];
    for (const [fingerprint, text] of history) {
      if (text === current.text) continue;
      const writerSchema = writerSchemaOf(before.fullName, fingerprint, text);
      const error = resolutionError(reader, parseAvroType(writerSchema));
      if (error === undefined) continue;
      const which = fingerprint === before.avroFingerprint ? `the current writer schema (id ${fingerprint})` : `earlier writer schema ${fingerprint}`;
      const culprit = incompatibleField(after, schema, writerSchema);
      out.push({
        location: culprit?.location ?? after.location,
        ...(culprit ? { field: culprit.name } : {}),
        message: `the new value schema cannot read values written with ${which}, which stored rows may still hold: ${error}`,
      });
    }
    return out;
  },
};

type JsonRecord = { readonly [key: string]: AvroJsonValue };

function fieldsOf(schema: AvroSchemaJson): readonly JsonRecord[] {
  const fields = (schema as JsonRecord)['fields'];
  return Array.isArray(fields) ? (fields as readonly JsonRecord[]) : [];
}

/** The first field of the new schema that avsc cannot fill from `writer`, to point the diagnostic at it. */
function incompatibleField(after: FeatureIR, reader: AvroSchemaJson, writer: AvroSchemaJson): FeatureIR['fields'][number] | undefined {
  const written = new Map(fieldsOf(writer).map((f) => [String(f['name']), f]));
  for (const field of fieldsOf(reader)) {
    const name = String(field['name']);
    const old = written.get(name);
    const broken = old
      ? resolutionError(parseAvroType(field['type'] ?? null), parseAvroType(old['type'] ?? null)) !== undefined
      : !('default' in field);
    if (broken) return after.fields.find((f) => f.name === name);
  }
  return undefined;
}

/**
 * Can clients generated from `before` decode values written with the new schema? (Forward
 * compatibility.) When not, readers must be redeployed before any writer uses the new schema.
 */
export function oldClientsCanRead(before: ManifestFeature, after: FeatureIR): boolean {
  const previous = previousWriterSchemas(before).get(before.avroFingerprint);
  const current = currentWriterSchema(after);
  if (previous === undefined || previous === current.text) return true;
  const oldReader = parseAvroType(writerSchemaOf(before.fullName, before.avroFingerprint, previous));
  return resolutionError(oldReader, parseAvroType(avroValueSchema(after))) === undefined;
}
