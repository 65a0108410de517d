/**
 * Encoding and decoding of the command envelope (feature-command-schema.ts). Encoding goes through avsc
 * with the runtime's bigint long and Date timestamp types: the reference implementation of the schema, and
 * it refuses what does not fit. Decoding is strict and hand-written (binary-reader.ts) because the worker
 * decodes every record of a topic anyone may write to and must say why bytes are not a command; its
 * `key` and `value` are views into the input bytes, not copies.
 */
import type avro from 'avsc';
import { isAvroLong } from '../serde/long-type.ts';
import { parseAvroType } from '../serde/avro-types.ts';
import { MAX_DATE_MILLIS } from '../serde/timestamp-type.ts';
import { BinaryReader } from './binary-reader.ts';
import { COMMAND_ERRORS, CommandEncodeError } from './command-errors.ts';
import { FEATURE_COMMAND_SCHEMA } from './feature-command-schema.ts';

/** One command, as the envelope carries it (field names camelCased). */
export interface FeatureCommand {
  /** Full name, `ns::name-vN`. */
  readonly feature: string;
  /** Avro binary of the feature's key record (keyCodecForCommands). */
  readonly key: Uint8Array;
  readonly eventTime: Date;
  /** Fingerprint of the value's writer schema (signed CRC-64-AVRO of its canonical form). */
  readonly writerSchemaId: bigint;
  /** Avro binary of the value under that writer schema. */
  readonly value: Uint8Array;
  /** The consumer sending it. */
  readonly producer: string;
  readonly sentAt: Date;
}

const SUBJECT = 'FeatureCommand';

let envelopeType: avro.Type | undefined;
function type(): avro.Type {
  envelopeType ??= parseAvroType(FEATURE_COMMAND_SCHEMA);
  return envelopeType;
}

const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

function checkString(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new CommandEncodeError(COMMAND_ERRORS.notAString(field, value));
  return value;
}

function checkBytes(field: string, value: unknown): Buffer {
  if (!(value instanceof Uint8Array)) throw new CommandEncodeError(COMMAND_ERRORS.notBytes(field, value));
  return asBuffer(value);
}

function checkDate(field: string, value: unknown): Date {
  const ok = value instanceof Date && Math.abs(value.getTime()) <= MAX_DATE_MILLIS;
  if (!ok) throw new CommandEncodeError(COMMAND_ERRORS.notADate(field, value));
  return value;
}

/** Avro binary of `cmd` (no header). Throws CommandEncodeError naming the field when one is not of its type. */
export function encodeFeatureCommand(cmd: FeatureCommand): Uint8Array {
  if (!isAvroLong(cmd.writerSchemaId)) throw new CommandEncodeError(COMMAND_ERRORS.notALong('writerSchemaId', cmd.writerSchemaId));
  return type().toBuffer({
    feature: checkString('feature', cmd.feature),
    key: checkBytes('key', cmd.key),
    event_time: checkDate('eventTime', cmd.eventTime),
    writer_schema_id: cmd.writerSchemaId,
    value: checkBytes('value', cmd.value),
    producer: checkString('producer', cmd.producer),
    sent_at: checkDate('sentAt', cmd.sentAt),
  });
}

/**
 * The command in `bytes`; throws CommandDecodeError (with a `reason`) on truncated input, trailing
 * bytes, over-long varints, negative lengths, invalid UTF-8 or timestamps beyond the Date range.
 * `key` and `value` are views into `bytes`.
 */
export function decodeFeatureCommand(bytes: Uint8Array): FeatureCommand {
  const r = new BinaryReader(bytes, SUBJECT);
  const feature = r.string('feature');
  const key = r.bytesField('key');
  const eventTime = r.timestamp('event_time');
  const writerSchemaId = r.long('writer_schema_id');
  const value = r.bytesField('value');
  const producer = r.string('producer');
  const sentAt = r.timestamp('sent_at');
  r.end();
  return { feature, key, eventTime, writerSchemaId, value, producer, sentAt };
}
