/** The JSON wire form of each field type, both directions, on the edge cases a fast path could get wrong. */
import { describe, expect, it } from 'vitest';
import { jsonWriterFor, KEY_PARSERS, parseIsoTimestamp, parseLong } from '../../runtime/server/json-scalars.ts';

describe('JSON writers', () => {
  it('Text matches JSON.stringify for every awkward string', () => {
    const write = jsonWriterFor('Text', false);
    for (const s of ['plain', '', 'quote " and \\ backslash', 'line\nbreak\ttab', '\u0000\u001f', '실내 😀', '\ud800 lone', '\u2028\u2029', 'x'.repeat(300)]) {
      expect(write(s)).toBe(JSON.stringify(s));
      expect(JSON.parse(write(s))).toBe(s);
    }
  });

  it('Long as an exact decimal string, floats with NaN/Infinity as strings, Timestamp ISO, Bytes base64', () => {
    expect(jsonWriterFor('Long', false)(-(2n ** 63n))).toBe('"-9223372036854775808"');
    expect(jsonWriterFor('List<Long>', false)([1n, 2n ** 62n])).toBe('["1","4611686018427387904"]');
    expect(jsonWriterFor('Double', false)(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(['NaN', 'Infinity', '-Infinity'].map((t) => jsonWriterFor('Float', false)(Number(t)))).toEqual(['"NaN"', '"Infinity"', '"-Infinity"']);
    expect(jsonWriterFor('Timestamp', true)(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"');
    expect(jsonWriterFor('Timestamp', true)(null)).toBe('null');
    expect(jsonWriterFor('Bytes', false)(new Uint8Array([0, 255]))).toBe('"AP8="');
    expect(jsonWriterFor('List<Boolean>', false)([])).toBe('[]');
  });
});

describe('key parsers', () => {
  it('Long: decimal strings and safe integers only, within 64 bits', () => {
    expect(parseLong('9223372036854775807')).toBe(2n ** 63n - 1n);
    expect(parseLong('-9223372036854775808')).toBe(-(2n ** 63n));
    expect(parseLong(42)).toBe(42n);
    for (const bad of ['9223372036854775808', '01', '1e3', ' 1', '+1', '', 1.5, 2 ** 53, true, null]) expect(parseLong(bad)).toBeNull();
  });

  it('Timestamp: ISO-8601 with a zone, real calendar dates only', () => {
    expect(parseIsoTimestamp('2024-02-29T23:59:59.999+09:00')?.toISOString()).toBe('2024-02-29T14:59:59.999Z');
    for (const bad of ['2023-02-29T00:00:00Z', '2024-04-31T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T00:00:00', '2024-01-01', 'now']) {
      expect(parseIsoTimestamp(bad)).toBeNull();
    }
  });

  it('Int, Boolean and Text keys', () => {
    expect(KEY_PARSERS['Int']!(2 ** 31 - 1)).toEqual({ ok: true, value: 2 ** 31 - 1 });
    expect(KEY_PARSERS['Int']!(2 ** 31).ok).toBe(false);
    expect(KEY_PARSERS['Boolean']!('true').ok).toBe(false);
    expect(KEY_PARSERS['Text']!('😀').ok).toBe(true);
    expect(KEY_PARSERS['Text']!('\udc00').ok).toBe(false);
  });
});
