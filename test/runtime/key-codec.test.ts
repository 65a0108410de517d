/**
 * The key codec's by-name and KeyValues boundaries (the typed one is held against the generated zod
 * schemas in test/emit/typescript-runtime.test.ts): every accepted form normalises to the same
 * KeyValues, every refusal is an InvalidInputError naming the feature and field.
 */
import { describe, expect, it } from 'vitest';
import { INPUT_ERRORS } from '../../runtime/read/field-coercion.ts';
import { compileKeyCodec, KEY_ERRORS, keyCodecOf } from '../../runtime/read/key-codec.ts';
import { InvalidInputError } from '../../runtime/read/online-runtime.ts';

const FIELDS = [
  { name: 'user_id', tsName: 'userId', type: 'Long' },
  { name: 'region', tsName: 'region', type: 'Text' },
  { name: 'at', tsName: 'at', type: 'Timestamp' },
] as const;
const codec = compileKeyCodec('ns::f-v1', FIELDS);

function refusal(call: () => unknown): InvalidInputError {
  try {
    call();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return e as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError');
}

describe('fromNames (the by-name API)', () => {
  it('normalises every accepted form to one KeyValues: bigint, decimal string or safe integer; Date, ISO text or epoch millis', () => {
    const expected = [2n ** 62n, 'eu', new Date(1000)];
    expect(codec.fromNames({ user_id: 2n ** 62n, region: 'eu', at: new Date(1000) }, '')).toEqual(expected);
    expect(codec.fromNames({ user_id: String(2n ** 62n), region: 'eu', at: '1970-01-01T00:00:01Z' }, '')).toEqual(expected);
    expect(codec.fromNames({ user_id: 7, region: 'eu', at: 1000 }, '')).toEqual([7n, 'eu', new Date(1000)]);
  });

  it('refuses, naming the feature, the field and where the key was', () => {
    expect(refusal(() => codec.fromNames({ user_id: 2 ** 60, region: 'eu', at: 0 }, ' (at keys[2])')).message).toBe(
      `ns::f-v1.user_id: ${INPUT_ERRORS.unsafeLong(2 ** 60)} (at keys[2])`,
    );
    expect(refusal(() => codec.fromNames({ region: 'eu', at: 0 }, '')).message).toBe(`ns::f-v1.user_id: ${INPUT_ERRORS.required}`);
    expect(refusal(() => codec.fromNames({ user_id: null, region: 'eu', at: 0 }, '')).message).toBe(`ns::f-v1.user_id: ${INPUT_ERRORS.notNullable}`);
    expect(refusal(() => codec.fromNames({ user_id: 1, region: 'eu', at: 0, userId: 1 }, '')).field).toBe('userId');
    expect(refusal(() => codec.fromNames(['x'], '')).message).toBe(`ns::f-v1: ${INPUT_ERRORS.notAnObject('the key', ['user_id', 'region', 'at'])}`);
  });
});

describe('check (KeyValues built elsewhere: sync jobs)', () => {
  it('takes exact runtime values in key-field order, as they are', () => {
    const values = [1n, 'eu', new Date(5)];
    expect(codec.check(values, '')).toBe(values);
  });

  it('refuses another length, another type in any position, and values a typed key could not hold', () => {
    expect(refusal(() => codec.check([1n, 'eu'], ' (at rows[0])')).message).toBe(`ns::f-v1: ${KEY_ERRORS.notKeyValues(3)} (at rows[0])`);
    expect(refusal(() => codec.check([1, 'eu', new Date(5)], '')).message).toMatch(/^ns::f-v1\.user_id: expected a bigint in the signed 64-bit range \(a Long\), got number 1$/);
    expect(refusal(() => codec.check([2n ** 63n, 'eu', new Date(5)], '')).field).toBe('user_id');
    expect(refusal(() => codec.check([1n, 'eu', new Date(Number.NaN)], '')).field).toBe('at');
    expect(refusal(() => codec.check({ user_id: 1n }, '')).field).toBeUndefined();
  });
});

describe('compiled once per field list', () => {
  it('keyCodecOf answers the same codec for the same fields, toNames names them', () => {
    expect(keyCodecOf('ns::f-v1', FIELDS)).toBe(keyCodecOf('ns::f-v1', FIELDS));
    expect(codec.toNames([1n, 'eu', new Date(5)])).toEqual({ user_id: 1n, region: 'eu', at: new Date(5) });
  });

  it('refuses a field type no key can have', () => {
    expect(() => compileKeyCodec('ns::f-v1', [{ name: 'x', tsName: 'x', type: 'Double' }])).toThrow(KEY_ERRORS.unsupportedType('ns::f-v1', 'x', 'Double'));
  });
});
