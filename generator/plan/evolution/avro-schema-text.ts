/** Moved to the runtime (it reads writer schemas from the manifest too); kept here for existing imports. */
export { parseAvroSchemaText } from '../../../runtime/serde/avro-schema-text.ts';
