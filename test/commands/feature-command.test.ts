/**
 * The command envelope: round trips through the strict decoder, against avsc reading the published
 * schema text (the reference any JVM/Python producer is checked against), and every malformed input.
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import {
  CommandDecodeError,
  CommandEncodeError,
  commandRecordKey,
  decodeFeatureCommand,
  encodeFeatureCommand,
  FEATURE_COMMAND_SCHEMA_TEXT,
  splitCommandRecordKey,
  type FeatureCommand,
} from '../../core/commands/index.ts';
import { parseAvroType } from '../../core/serde/avro-types.ts';

const command = (over: Partial<FeatureCommand> = {}): FeatureCommand => ({
  feature: 'azar-lounge::user-stats-v1',
  key: Uint8Array.of(2, 0x61),
  eventTime: new Date('2024-05-01T10:00:00.123Z'),
  writerSchemaId: -6318371548853064539n,
  value: Uint8Array.of(1, 2, 3, 4),
  producer: 'lounge-api',
  sentAt: new Date('2024-05-01T10:00:01.000Z'),
  ...over,
});

function decodeError(bytes: Uint8Array): CommandDecodeError {
  try {
    decodeFeatureCommand(bytes);
  } catch (e) {
    if (e instanceof CommandDecodeError) return e;
    throw e;
  }
  throw new Error('decoded');
}

/** Avro binary of a long (zig-zag varint), for hand-built inputs. */
function varint(n: bigint): number[] {
  let z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  const out: number[] = [];
  do {
    const b = Number(z & 0x7fn);
    z >>= 7n;
    out.push(z ? b | 0x80 : b);
  } while (z);
  return out;
}

describe('FeatureCommand envelope', () => {
  it('round trips every field, longs beyond 2^53 and negative ones exactly', () => {
    for (const writerSchemaId of [0n, 1n, -1n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), -6318371548853064539n]) {
      const sent = command({ writerSchemaId, eventTime: new Date(-86_400_000), feature: 'live::hakuna-host-stat-v1', producer: 'π-service' });
      const got = decodeFeatureCommand(encodeFeatureCommand(sent));
      expect(got.writerSchemaId).toBe(writerSchemaId);
      expect({ ...got, key: [...got.key], value: [...got.value] }).toEqual({ ...sent, key: [...sent.key], value: [...sent.value] });
    }
  });

  it('encodes what avsc reads with the published schema text, field by field', () => {
    const sent = command({ writerSchemaId: 2n ** 62n + 12345n });
    const reference = parseAvroType(JSON.parse(FEATURE_COMMAND_SCHEMA_TEXT));
    const read = reference.fromBuffer(Buffer.from(encodeFeatureCommand(sent))) as Record<string, unknown>;
    expect(read['writer_schema_id']).toBe(sent.writerSchemaId);
    expect(read['event_time']).toEqual(sent.eventTime);
    expect(read['feature']).toBe(sent.feature);
    // And the strict decoder reads what avsc writes (a plain avsc, numbers for longs that fit).
    const plain = avro.Type.forSchema(JSON.parse(FEATURE_COMMAND_SCHEMA_TEXT), { logicalTypes: {} });
    const bytes = plain.toBuffer({ feature: 'a::b-v1', key: Buffer.from([7]), event_time: 5, writer_schema_id: -9, value: Buffer.alloc(0), producer: 'p', sent_at: 6 });
    const got = decodeFeatureCommand(bytes);
    expect([got.feature, [...got.key], got.eventTime.getTime(), got.writerSchemaId, got.value.byteLength, got.producer, got.sentAt.getTime()]).toEqual([
      'a::b-v1', [7], 5, -9n, 0, 'p', 6,
    ]);
  });

  it('the schema text is the fixed envelope: seven fields in order, Avro record featurestore.command.FeatureCommand', () => {
    const schema = JSON.parse(FEATURE_COMMAND_SCHEMA_TEXT) as { name: string; namespace: string; fields: { name: string }[] };
    expect(`${schema.namespace}.${schema.name}`).toBe('featurestore.command.FeatureCommand');
    expect(schema.fields.map((f) => f.name)).toEqual(['feature', 'key', 'event_time', 'writer_schema_id', 'value', 'producer', 'sent_at']);
  });

  it('refuses every truncation of a valid command', () => {
    const bytes = encodeFeatureCommand(command());
    for (let n = 0; n < bytes.length; n++) {
      const e = decodeError(bytes.subarray(0, n));
      expect(e.code).toBe('COMMAND_DECODE');
      expect(e.reason).toMatch(/^truncated: \w+ needs bytes beyond the end/);
    }
  });

  it('refuses trailing bytes', () => {
    const bytes = encodeFeatureCommand(command());
    expect(decodeError(Buffer.concat([bytes, Buffer.of(0)])).reason).toBe(`1 trailing byte after the record (${bytes.length + 1} bytes in all)`);
  });

  it('refuses malformed bytes with a reason naming the field', () => {
    expect(decodeError(Uint8Array.of(...varint(-1n))).reason).toBe('feature: negative length -1');
    expect(decodeError(Uint8Array.of(...varint(2n), 0xc3, 0x28)).reason).toBe('feature: not valid UTF-8');
    // Eleven continuation bytes: a varint longer than 64 bits.
    expect(decodeError(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)).reason).toMatch(/^feature: malformed varint at byte 0/);
    expect(decodeError(Uint8Array.of(...varint(2n ** 40n))).reason).toMatch(/^truncated: feature/);
    const beyondDates = Uint8Array.of(...varint(1n), 0x61, ...varint(0n), ...varint(8_640_000_000_000_001n));
    expect(decodeError(beyondDates).reason).toBe('event_time: timestamp 8640000000000001 ms is outside the Date range');
    const badProducer = [...varint(1n), 0x61, ...varint(0n), ...varint(0n), ...varint(0n), ...varint(0n), ...varint(1n), 0xff];
    expect(decodeError(Uint8Array.of(...badProducer)).reason).toBe('producer: not valid UTF-8');
    expect(decodeError(Uint8Array.of(...badProducer)).message).toBe('cannot decode FeatureCommand: producer: not valid UTF-8');
  });

  it('refuses to encode a command with a field of the wrong type, naming it', () => {
    expect(() => encodeFeatureCommand(command({ writerSchemaId: 2n ** 63n }))).toThrow(CommandEncodeError);
    expect(() => encodeFeatureCommand(command({ writerSchemaId: 5 as unknown as bigint }))).toThrow(/writerSchemaId must be a bigint/);
    expect(() => encodeFeatureCommand(command({ eventTime: new Date(Number.NaN) }))).toThrow('eventTime must be a valid Date, got an Invalid Date');
    expect(() => encodeFeatureCommand(command({ value: 'x' as unknown as Uint8Array }))).toThrow('value must be a Uint8Array, got "x"');
    expect(() => encodeFeatureCommand(command({ producer: undefined as unknown as string }))).toThrow('producer must be a string, got undefined');
  });
});

describe('command record key', () => {
  it('is UTF-8(feature), 0x00, the key bytes, and splits back', () => {
    const key = commandRecordKey('a::b-v1', Uint8Array.of(0, 9));
    expect([...key]).toEqual([...Buffer.from('a::b-v1'), 0, 0, 9]);
    const split = splitCommandRecordKey(key);
    expect(split.feature).toBe('a::b-v1');
    expect([...split.key]).toEqual([0, 9]);
  });

  it('refuses a feature name with NUL, and a record key without a separator', () => {
    expect(() => commandRecordKey('a\0b', Uint8Array.of())).toThrow(CommandEncodeError);
    expect(() => splitCommandRecordKey(Buffer.from('abc'))).toThrow('cannot decode the command record key: no 0x00 separator after the feature name');
    expect(() => splitCommandRecordKey(Uint8Array.of(0xff, 0))).toThrow(/not valid UTF-8/);
  });
});
