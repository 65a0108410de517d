import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import {
  canonicalForm,
  LONG_ERRORS,
  parseAvroType,
  rabinFingerprint64,
  schemaFingerprint,
  stringifyAvroSchema,
  TIMESTAMP_ERRORS,
  toAvroLong,
  type AvroSchemaJson,
} from '../../core/serde/index.ts';

const MAX = 2n ** 63n - 1n;
const MIN = -(2n ** 63n);

describe('bigint long', () => {
  const long = parseAvroType('long');

  it('round-trips the signed 64-bit extremes exactly, with the spec zig-zag encoding', () => {
    const cases: [bigint, string][] = [
      [MAX, 'feffffffffffffffff01'],
      [MIN, 'ffffffffffffffffff01'],
      [0n, '00'],
      [-1n, '01'],
      [1n, '02'],
      [-64n, '7f'],
      [64n, '8001'],
    ];
    for (const [value, hex] of cases) {
      const buf = long.toBuffer(value);
      expect(buf.toString('hex')).toBe(hex);
      expect(long.fromBuffer(buf)).toBe(value);
    }
    // Just past where a JS number starts rounding.
    expect(long.fromBuffer(long.toBuffer(2n ** 53n + 1n))).toBe(2n ** 53n + 1n);
  });

  it('reads every varint length exactly, across the 49-bit switch from number to bigint sums; a truncated one is refused', () => {
    // Each length of the zig-zag varint (1 to 10 bytes), on both sides of 2^49 and 2^53.
    const values: bigint[] = [];
    for (let bits = 0n; bits <= 63n; bits++) values.push(2n ** bits - 1n, 2n ** bits, -(2n ** bits), -(2n ** bits) + 1n);
    for (const value of values.filter((v) => v >= MIN && v <= MAX)) expect(long.fromBuffer(long.toBuffer(value))).toBe(value);
    // In a record, after and before other fields: the read leaves the position where the next field starts.
    const record = parseAvroType({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'long' }, { name: 'b', type: 'string' }, { name: 'c', type: 'long' }] });
    expect(record.fromBuffer(record.toBuffer({ a: MIN, b: 'x', c: 2n ** 49n }))).toEqual({ a: MIN, b: 'x', c: 2n ** 49n });
    expect(() => long.fromBuffer(Buffer.from('ffff', 'hex'))).toThrow(/truncated/);
    // An over-long varint (beyond 64 bits) wraps to 64 bits instead of growing without bound.
    expect(long.decode(Buffer.from('ffffffffffffffffff7f', 'hex'), 0)).toEqual({ value: MIN, offset: 10 });
  });

  it('reads what a number-based long writer wrote (wire compatible)', () => {
    const plain = avro.Type.forSchema('long');
    for (const n of [0, -1, 1, 2 ** 40, -(2 ** 50)]) {
      expect(long.fromBuffer(plain.toBuffer(n))).toBe(BigInt(n));
    }
  });

  it('rejects values outside the signed 64-bit range and non-bigints on write', () => {
    expect(() => long.toBuffer(MAX + 1n)).toThrow(new RangeError(LONG_ERRORS.outOfRange(MAX + 1n)));
    expect(() => long.toBuffer(MIN - 1n)).toThrow(new RangeError(LONG_ERRORS.outOfRange(MIN - 1n)));
    expect(() => long.toBuffer(5)).toThrow(new TypeError(LONG_ERRORS.notBigint(5)));
    expect(long.isValid(MAX)).toBe(true);
    expect(long.isValid(MAX + 1n)).toBe(false);
    expect(long.isValid(5)).toBe(false);
  });

  it('converts JSON forms exactly and refuses lossy ones', () => {
    expect(toAvroLong('-9223372036854775808')).toBe(MIN);
    expect(toAvroLong(42)).toBe(42n);
    expect(toAvroLong(7n)).toBe(7n);
    expect(() => toAvroLong(2 ** 60)).toThrow(RangeError);
    expect(() => toAvroLong(1.5)).toThrow(TypeError);
    expect(() => toAvroLong('9223372036854775808')).toThrow(RangeError);
    expect(() => toAvroLong('12a')).toThrow(TypeError);
  });

  it('keeps 64-bit defaults exact through schema resolution', () => {
    const writer = parseAvroType({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] });
    const reader = parseAvroType({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'a', type: 'int' },
        { name: 'big', type: 'long', default: 9007199254740993n },
        { name: 'min', type: ['long', 'null'], default: MIN },
        { name: 'list', type: { type: 'array', items: 'long' }, default: [MAX] },
        { name: 'maybe', type: ['null', 'long'], default: null },
      ],
    });
    const value = reader.fromBuffer(writer.toBuffer({ a: 1 }), reader.createResolver(writer)) as Record<string, unknown>;
    expect(value).toMatchObject({ a: 1, big: 9007199254740993n, min: MIN, list: [MAX], maybe: null });
  });

  it('picks the long branch of an unwrapped union for bigints', () => {
    const type = parseAvroType(['null', 'long']);
    expect(type.fromBuffer(type.toBuffer(MAX))).toBe(MAX);
    expect(type.fromBuffer(type.toBuffer(null))).toBe(null);
  });
});

describe('timestamp-millis', () => {
  const ts = parseAvroType({ type: 'long', logicalType: 'timestamp-millis' });

  it('round-trips Dates to the millisecond, before and after the epoch, on the bigint long', () => {
    for (const iso of ['2024-05-01T12:34:56.789Z', '1969-07-20T20:17:40.001Z', '1970-01-01T00:00:00.000Z']) {
      const date = new Date(iso);
      const back = ts.fromBuffer(ts.toBuffer(date)) as Date;
      expect(back).toBeInstanceOf(Date);
      expect(back.toISOString()).toBe(iso);
    }
    // The wire form is the plain long of epoch millis.
    const long = parseAvroType('long');
    expect(long.fromBuffer(ts.toBuffer(new Date(1700000000000)))).toBe(1700000000000n);
  });

  it('rejects invalid Dates and non-Dates, and stored millis no Date can hold', () => {
    expect(() => ts.toBuffer(new Date(Number.NaN))).toThrow(TIMESTAMP_ERRORS.notADate(new Date(Number.NaN)));
    expect(() => ts.toBuffer(1700000000000)).toThrow(TypeError);
    expect(ts.isValid(new Date(Number.NaN))).toBe(false);
    expect(ts.isValid('2024-01-01')).toBe(false);
    const tooFar = parseAvroType('long').toBuffer(8_640_000_000_000_001n);
    expect(() => ts.fromBuffer(tooFar)).toThrow(TIMESTAMP_ERRORS.outOfRange(8_640_000_000_000_001n));
  });

  it('works in nullable unions and records, and resolves from a plain long writer', () => {
    const record = parseAvroType({
      type: 'record',
      name: 'E',
      fields: [
        { name: 't', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null },
        { name: 'd', type: { type: 'long', logicalType: 'timestamp-millis' }, default: 1700000000000n },
      ],
    });
    const date = new Date('2024-01-02T03:04:05.006Z');
    expect(record.fromBuffer(record.toBuffer({ t: date, d: date }))).toMatchObject({ t: date, d: date });
    expect(record.fromBuffer(record.toBuffer({ t: null, d: date }))).toMatchObject({ t: null });
    const oldWriter = parseAvroType({ type: 'record', name: 'E', fields: [{ name: 'd', type: 'long' }] });
    const read = record.fromBuffer(oldWriter.toBuffer({ d: 5n }), record.createResolver(oldWriter));
    expect(read).toMatchObject({ t: null, d: new Date(5) });
  });
});

/** share/test/data/schema-tests.txt of the Avro project (inputs with their canonical form and fingerprint). */
const AVRO_SPEC_VECTORS: readonly [input: string, canonical: string, fingerprint: bigint | null][] = [
  ['"null"', '"null"', 7195948357588979594n],
  ['{"type":"null"}', '"null"', null],
  ['"boolean"', '"boolean"', -6970731678124411036n],
  ['"int"', '"int"', 8247732601305521295n],
  ['{"type":"int"}', '"int"', null],
  ['"long"', '"long"', -3434872931120570953n],
  ['"float"', '"float"', 5583340709985441680n],
  ['"double"', '"double"', -8181574048448539266n],
  ['"bytes"', '"bytes"', 5746618253357095269n],
  ['"string"', '"string"', -8142146995180207161n],
  ['[  ]', '[]', -1241056759729112623n],
  ['[ "int"  ]', '["int"]', -5232228896498058493n],
  ['[ "int" , {"type":"boolean"} ]', '["int","boolean"]', 5392556393470105090n],
  ['{"fields":[], "type":"record", "name":"foo"}', '{"name":"foo","type":"record","fields":[]}', -4824392279771201922n],
  ['{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}', '{"name":"x.y.foo","type":"record","fields":[]}', 5916914534497305771n],
  ['{"fields":[], "type":"record", "name":"a.b.foo", "namespace":"x.y"}', '{"name":"a.b.foo","type":"record","fields":[]}', -4616218487480524110n],
  ['{"fields":[], "type":"record", "name":"foo", "doc":"Useful info"}', '{"name":"foo","type":"record","fields":[]}', -4824392279771201922n],
  ['{"fields":[], "type":"record", "name":"foo", "aliases":["foo","bar"]}', '{"name":"foo","type":"record","fields":[]}', -4824392279771201922n],
  ['{"fields":[{"type":{"type":"boolean"}, "name":"f1"}], "type":"record", "name":"foo"}', '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}', 7843277075252814651n],
  [
    '{ "fields":[{"type":"boolean", "aliases":[], "name":"f1", "default":"true"}, {"order":"descending","name":"f2","doc":"Hello","type":"int"}], "type":"record", "name":"foo" }',
    '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    -4860222112080293046n,
  ],
  ['{"type":"enum", "name":"foo", "symbols":["A1"]}', '{"name":"foo","type":"enum","symbols":["A1"]}', -6342190197741309591n],
  ['{"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar", "symbols":["A1", "A2"]}', '{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}', -4448647247586288245n],
  ['{"name":"foo","type":"fixed","size":15}', '{"name":"foo","type":"fixed","size":15}', 1756455273707447556n],
  ['{"namespace":"x.y.z", "type":"fixed", "name":"foo", "doc":"foo bar", "size":32}', '{"name":"x.y.z.foo","type":"fixed","size":32}', -3064184465700546786n],
  ['{ "items":{"type":"null"}, "type":"array"}', '{"type":"array","items":"null"}', -589620603366471059n],
  ['{ "values":"string", "type":"map"}', '{"type":"map","values":"string"}', -8732877298790414990n],
  [
    '{"name":"PigValue","type":"record", "fields":[{"name":"value", "type":["null", "int", "long", "PigValue"]}]}',
    '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    -1759257747318642341n,
  ],
];

describe('fingerprint (CRC-64-AVRO of the Parsing Canonical Form)', () => {
  it.each(AVRO_SPEC_VECTORS)('%s', (input, canonical, fingerprint) => {
    const schema = JSON.parse(input) as AvroSchemaJson;
    expect(canonicalForm(schema)).toBe(canonical);
    if (fingerprint !== null) {
      expect(rabinFingerprint64(Buffer.from(canonical))).toBe(fingerprint);
      expect(schemaFingerprint(schema)).toBe(fingerprint);
    }
  });

  const sample: AvroSchemaJson = {
    type: 'record',
    name: 'R',
    namespace: 'a.b',
    doc: 'ignored',
    fields: [
      { name: 'x', type: 'long', default: 9007199254740993n },
      { name: 't', type: { type: 'long', logicalType: 'timestamp-millis' }, default: 1700000000000n },
      { name: 'n', type: ['null', 'long'], default: null },
      { name: 'm', type: ['long', 'null'], default: MIN },
      { name: 'l', type: { type: 'array', items: 'long' }, default: [1n, 2n] },
      { name: 'by', type: 'bytes', default: '\u0000\u00ff' },
      { name: 'ot', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null },
      { name: 'inner', type: { type: 'record', name: 'In', fields: [{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] } }] } },
      { name: 'again', type: 'In' },
    ],
  };

  it('agrees with avsc on the canonical form (doc, defaults, logical types stripped; names qualified)', () => {
    expect(canonicalForm(sample)).toBe(JSON.stringify(parseAvroType(sample).schema()));
    expect(canonicalForm(parseAvroType(sample))).toBe(canonicalForm(sample));
  });

  it('matches an independent implementation (fastavro 1.13.1, CRC-64-AVRO)', () => {
    // Computed with fastavro.schema.fingerprint over this canonical form (it prints little-endian hex
    // 984bfe7576143d5c, i.e. the signed 64-bit value below).
    const first7 = { ...(sample as Record<string, AvroSchemaJson>), fields: (sample as { fields: AvroSchemaJson[] }).fields.slice(0, 7) };
    expect(schemaFingerprint(first7)).toBe(6646491124087016344n);
  });
});

describe('parseAvroType', () => {
  it('caches per schema: by identity and by exact text', () => {
    const a = { type: 'record', name: 'C', fields: [{ name: 'x', type: 'long', default: 1n }] } as const;
    const b = { type: 'record', name: 'C', fields: [{ name: 'x', type: 'long', default: 1n }] } as const;
    expect(parseAvroType(a)).toBe(parseAvroType(a));
    expect(parseAvroType(b)).toBe(parseAvroType(a));
  });

  it('unwraps unions, so nullable values are plain `T | null`', () => {
    const type = parseAvroType({ type: 'record', name: 'U', fields: [{ name: 's', type: ['null', 'string'] }] });
    expect(type.fromBuffer(type.toBuffer({ s: 'x' }))).toMatchObject({ s: 'x' });
  });
});

describe('stringifyAvroSchema', () => {
  it('prints bigints as exact JSON integers and otherwise matches JSON.stringify', () => {
    expect(stringifyAvroSchema({ default: MAX, list: [MIN, 1n] })).toBe(
      '{"default":9223372036854775807,"list":[-9223372036854775808,1]}',
    );
    const plain = { type: 'record', name: 'P', fields: [{ name: 'a', type: ['null', 'int'], default: null }], x: {}, y: [] };
    expect(stringifyAvroSchema(plain, 2)).toBe(JSON.stringify(plain, null, 2));
    expect(stringifyAvroSchema(plain)).toBe(JSON.stringify(plain));
  });
});
