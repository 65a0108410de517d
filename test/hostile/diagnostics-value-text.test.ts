/**
 * Messages name a value by what was written, not by the parsed JavaScript value: `1e400` is not
 * "null" (JSON's Infinity), `1e3` is not "1000", and a !!set is not "a mapping".
 */
import { describe, expect, it } from 'vitest';
import { describeValue } from '../../generator/spec/describe-value.ts';

describe('describeValue names values by what was written', () => {
  it.each([
    [1000, '1e3', 'number 1e3'],
    [Infinity, '1e400', 'number 1e400 (too large: it reads as infinity)'],
    [-Infinity, '-.inf', '-.inf (infinity)'],
    [NaN, '.NaN', '.NaN (not a number)'],
    [new Set(['a']), undefined, 'a set (!!set)'],
    [new Map([['a', 1]]), undefined, 'an ordered mapping (!!omap)'],
    [new Uint8Array([1]), undefined, 'binary data (!!binary)'],
    [{ a: 1 }, undefined, 'a mapping'],
    [['a'], undefined, 'a list'],
    ['yes', 'yes', 'string "yes"'],
    [true, 'True', 'boolean True'],
    [null, '~', 'null'],
  ])('%o written %s → %s', (value, source, expected) => {
    expect(describeValue(value, source)).toBe(expected);
  });
});
