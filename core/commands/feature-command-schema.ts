/**
 * The command envelope's Avro schema: the one contract between every producer (the typed TS producer,
 * `featurestore send`, Flink/Spark/Python jobs) and the downsync worker. Fixed text, not derived from the
 * features: a command carries its feature's value as bytes under a named writer schema, so the envelope
 * never changes when a feature does. Codegen writes it verbatim to FEATURE_COMMAND_SCHEMA_FILE.
 */
import type { AvroSchemaJson } from '../serde/avro-json.ts';

/** Full name of the envelope record. */
export const FEATURE_COMMAND_SCHEMA_NAME = 'featurestore.command.FeatureCommand';

/** Where codegen writes the envelope schema, relative to the generated folder. */
export const FEATURE_COMMAND_SCHEMA_FILE = 'avro/featurestore.command.FeatureCommand.avsc';

const FIELDS = [
  { name: 'feature', type: 'string', doc: 'full name, ns::name-vN' },
  { name: 'key', type: 'bytes', doc: "Avro binary of the feature's key record (generated/avro/<ns>/<name>.key.avsc)" },
  {
    name: 'event_time',
    type: { type: 'long', logicalType: 'timestamp-millis' },
    doc: "when the value became true; last-writer-wins compares it (Object) / the event time (History, must equal the value's event-time field)",
  },
  {
    name: 'writer_schema_id',
    type: 'long',
    doc: "fingerprint of the value's writer schema (a schema in generated/avro, as the manifest's writerSchemas)",
  },
  { name: 'value', type: 'bytes', doc: 'Avro binary of the value record under that writer schema' },
  {
    name: 'producer',
    type: 'string',
    doc: "the consumer (featurestore.yaml consumers) sending it; must be in the feature's access.write",
  },
  {
    name: 'sent_at',
    type: { type: 'long', logicalType: 'timestamp-millis' },
    doc: 'when the producer sent it (freshness metrics)',
  },
] as const;

/** The envelope schema as data. */
export const FEATURE_COMMAND_SCHEMA: AvroSchemaJson = {
  type: 'record',
  name: 'FeatureCommand',
  namespace: 'featurestore.command',
  doc:
    'A command to set (Object) or append (History) one value of one feature for one entity, sent to the ' +
    "project's Kafka topic keyed by UTF-8(feature) 0x00 key, applied by featurestore downsync with " +
    'last-writer-wins by event_time. Avro binary, no container and no single-object header.',
  fields: FIELDS,
};

/** The envelope schema as JSON text (two-space indent, as every generated .avsc). */
export const FEATURE_COMMAND_SCHEMA_TEXT: string = `${JSON.stringify(FEATURE_COMMAND_SCHEMA, null, 2)}\n`;
