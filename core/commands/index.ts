/**
 * The downsync command envelope: its schema, its binary encoding, the Kafka record key and the key record
 * of each feature — everything a producer in any language and the worker must agree on (docs/commands.md).
 */
export {
  COMMAND_ERRORS,
  CommandDecodeError,
  CommandEncodeError,
} from './command-errors.ts';
export { decodeFeatureCommand, encodeFeatureCommand, type FeatureCommand } from './feature-command.ts';
export {
  FEATURE_COMMAND_SCHEMA,
  FEATURE_COMMAND_SCHEMA_FILE,
  FEATURE_COMMAND_SCHEMA_NAME,
  FEATURE_COMMAND_SCHEMA_TEXT,
} from './feature-command-schema.ts';
export {
  keyCodecForCommands,
  keyRecordNameOf,
  keySchemaOf,
  type CommandKeyCodec,
  type CommandKeyScalar,
  type CommandKeySource,
  type CommandKeyValues,
} from './key-codec.ts';
export { commandRecordKey, splitCommandRecordKey } from './record-key.ts';
