/** Key records of commands: the schema from a manifest entry and from the runtime catalog, and the codec. */
import { describe, expect, it } from 'vitest';
import { CommandDecodeError, CommandEncodeError, keyCodecForCommands, keySchemaOf } from '../../core/commands/index.ts';
import { parseAvroType } from '../../core/serde/avro-types.ts';

const manifestEntry = {
  fullName: 'azar-lounge::user-interaction-v1',
  avroName: 'featurestore.azar_lounge.UserInteractionV1',
  keyFields: ['user_id', 'target_user_id'],
  fields: [
    { name: 'clicks', type: { kind: 'scalar', scalar: 'Int' } },
    { name: 'target_user_id', type: { kind: 'scalar', scalar: 'Long' } },
    { name: 'user_id', type: { kind: 'scalar', scalar: 'Text' } },
  ],
} as const;

const allTypes = {
  fullName: 'live::all-keys-v3',
  keyFields: [
    { name: 't', type: 'Text' },
    { name: 'l', type: 'Long' },
    { name: 'i', type: 'Int' },
    { name: 'b', type: 'Boolean' },
    { name: 'ts', type: 'Timestamp' },
  ],
};

function decodeError(run: () => unknown): CommandDecodeError {
  try {
    run();
  } catch (e) {
    if (e instanceof CommandDecodeError) return e;
    throw e;
  }
  throw new Error('decoded');
}

describe('keyCodecForCommands', () => {
  it('derives the key record from a manifest entry, in key order, named <avroName>Key', () => {
    expect(keySchemaOf(manifestEntry)).toEqual({
      type: 'record',
      name: 'UserInteractionV1Key',
      namespace: 'featurestore.azar_lounge',
      doc: 'Key of azar-lounge::user-interaction-v1 in downsync commands (FeatureCommand.key and the Kafka record key).',
      fields: [
        { name: 'user_id', type: 'string' },
        { name: 'target_user_id', type: 'long' },
      ],
    });
  });

  it('derives the same schema from the catalog form (key fields with type labels, no avroName)', () => {
    const catalogForm = { fullName: manifestEntry.fullName, keyFields: [{ name: 'user_id', type: 'Text' }, { name: 'target_user_id', type: 'Long' }] };
    expect(keyCodecForCommands(catalogForm).schemaText).toBe(keyCodecForCommands(manifestEntry).schemaText);
  });

  it('round trips every key type, Longs beyond 2^53, and matches avsc on the schema text', () => {
    const codec = keyCodecForCommands(allTypes);
    const key = ['ü', -(2n ** 63n), -2147483648, true, new Date('1960-01-01T00:00:00.001Z')] as const;
    const bytes = codec.encode(key);
    expect(codec.decode(bytes)).toEqual(key);
    const reference = parseAvroType(JSON.parse(codec.schemaText)).fromBuffer(Buffer.from(bytes)) as Record<string, unknown>;
    expect(reference).toEqual({ t: 'ü', l: -(2n ** 63n), i: -2147483648, b: true, ts: key[4] });
    expect(codec.decode(codec.encode(['', 2n ** 53n + 1n, 7, false, new Date(0)]))[1]).toBe(2n ** 53n + 1n);
  });

  it('refuses keys of the wrong arity or type, naming the field and a hint', () => {
    const codec = keyCodecForCommands(allTypes);
    expect(() => codec.encode(['a'])).toThrow('live::all-keys-v3: the key has 5 fields (t, l, i, b, ts), got 1 value');
    expect(() => codec.encode(['a', 5, 1, true, new Date(0)])).toThrow(/key field l \(Long\) cannot be number 5: a Long is a bigint/);
    expect(() => codec.encode(['a', 5n, 2 ** 31, true, new Date(0)])).toThrow(/key field i \(Int\) cannot be number 2147483648/);
    expect(() => codec.encode(['a', 5n, 1, 'yes', new Date(0)])).toThrow(/key field b \(Boolean\) cannot be "yes"/);
    expect(() => codec.encode(['a', 5n, 1, true, new Date(Number.NaN)])).toThrow(CommandEncodeError);
  });

  it('refuses malformed, truncated and trailing key bytes', () => {
    const codec = keyCodecForCommands(allTypes);
    const bytes = codec.encode(['a', 1n, 1, true, new Date(0)]);
    for (let n = 0; n < bytes.length; n++) expect(decodeError(() => codec.decode(bytes.subarray(0, n))).reason).toMatch(/^truncated/);
    expect(decodeError(() => codec.decode(Buffer.concat([bytes, Buffer.of(1)]))).reason).toMatch(/^1 trailing byte/);
    const badBool = Buffer.from(bytes);
    badBool[4] = 2;
    expect(decodeError(() => codec.decode(badBool)).message).toBe('cannot decode the key of live::all-keys-v3: b: boolean byte 0x02 (expected 0x00 or 0x01)');
    // An int field holding a value beyond 32 bits.
    const wide = Buffer.from([2, 0x61, 2, 0x80, 0x80, 0x80, 0x80, 0x10, 1, 0]);
    expect(decodeError(() => codec.decode(wide)).reason).toBe('i: 2147483648 is outside the 32-bit int range');
  });

  it('refuses features whose key cannot be a command key', () => {
    expect(() => keyCodecForCommands({ fullName: 'a::b-v1', keyFields: [{ name: 'x', type: 'Double' }] })).toThrow(/key field x has type Double/);
    expect(() => keyCodecForCommands({ fullName: 'nonsense', keyFields: [{ name: 'x', type: 'Text' }] })).toThrow(/not a feature's full name/);
    expect(() => keyCodecForCommands({ ...manifestEntry, keyFields: ['missing'] })).toThrow('azar-lounge::user-interaction-v1: key field missing is not among the feature\'s fields');
  });
});
