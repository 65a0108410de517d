/**
 * The per-cell conversion rules of offline reads (runtime/offline/offline-cells.ts), case by case:
 * the conformance suite runs them through both adapters on hand-made tables; this file pins the rules
 * a table of the suite's shape cannot reach (floats, booleans, unsupported types, zones, leap days).
 */
import { describe, expect, it } from 'vitest';
import { CELL_PROBLEMS, convertScalar, microsFromText, rawScalar, timeText, type SourceScalarKind } from '../../runtime/offline/offline-cells.ts';
import type { OfflineScalarType } from '../../runtime/offline/offline-store.ts';

const convert = (type: OfflineScalarType, kind: SourceScalarKind, value: unknown) => convertScalar(type, kind, 'T', value);

describe('offline cell conversions', () => {
  it('takes exact conversions', () => {
    expect(convert('Long', 'text', '12')).toBe(12n);
    expect(convert('Long', 'decimal', '-12.000')).toBe(-12n);
    expect(convert('Long', 'float', 2 ** 53 - 1)).toBe(2n ** 53n - 1n);
    expect(convert('Int', 'text', '+7')).toBe(7);
    expect(convert('Double', 'int', 2n ** 53n)).toBe(2 ** 53);
    expect(convert('Double', 'decimal', '0.1')).toBe(0.1);
    expect(convert('Float', 'text', '-1.5e-3')).toBe(-0.0015);
    expect(convert('Double', 'text', '-Infinity')).toBe(-Infinity);
    expect(convert('Boolean', 'text', 'false')).toBe(false);
    expect(convert('Timestamp', 'text', '2024-02-29')).toEqual(new Date('2024-02-29T00:00:00Z'));
    expect(convert('Timestamp', 'text', '2024-01-01T00:00:00.123456-08:00')).toEqual(new Date('2024-01-01T08:00:00.123Z'));
    expect(convert('Timestamp', 'text', '0001-01-01 00:00:00 UTC')).toEqual(new Date('0001-01-01T00:00:00Z'));
  });

  it.each([
    ['Long', 'float', 2 ** 53 + 2, CELL_PROBLEMS.roundedFloat('Long', `float ${2 ** 53 + 2}`)],
    ['Int', 'decimal', '1.5', CELL_PROBLEMS.notInteger('Int', 'decimal 1.5')],
    ['Long', 'text', '1e3', CELL_PROBLEMS.notInteger('Long', 'text "1e3"')],
    ['Long', 'bool', true, CELL_PROBLEMS.wrongType('Long', 'boolean true')],
    ['Double', 'int', 2n ** 53n + 1n, CELL_PROBLEMS.inexactDouble('Double', `integer ${2n ** 53n + 1n}`)],
    ['Double', 'decimal', '1e400', CELL_PROBLEMS.doubleRange('Double', 'decimal 1e400')],
    ['Double', 'text', 'ten', CELL_PROBLEMS.wrongType('Double', 'text "ten"')],
    ['Boolean', 'text', 'yes', CELL_PROBLEMS.wrongType('Boolean', 'text "yes"')],
    ['Text', 'int', 12n, CELL_PROBLEMS.wrongType('Text', 'integer 12')],
    ['Bytes', 'text', 'AP8=', CELL_PROBLEMS.wrongType('Bytes', 'text "AP8="')],
    ['Timestamp', 'int', 1_700_000_000n, CELL_PROBLEMS.wrongType('Timestamp', 'integer 1700000000')],
    ['Timestamp', 'text', '2023-02-29', CELL_PROBLEMS.malformedTime('2023-02-29')],
    ['Timestamp', 'text', '2024-01-01T24:00:00', CELL_PROBLEMS.malformedTime('2024-01-01T24:00:00')],
    ['Timestamp', 'text', '2024-01-01T00:00:00+25:00', CELL_PROBLEMS.malformedTime('2024-01-01T00:00:00+25:00')],
    ['Timestamp', 'text', 'May 1', CELL_PROBLEMS.malformedTime('May 1')],
    ['Timestamp', 'timestamp', 253_402_300_800_000_000n, CELL_PROBLEMS.timeRange('+010000-01-01T00:00:00.000Z')],
    ['Text', 'other', { x: 1 }, CELL_PROBLEMS.unsupported('T', 'Text')],
  ] as const)('%s from %s %o: %s', (type, kind, value, reason) => {
    expect(() => convert(type, kind, value)).toThrow(reason);
  });

  it('raw values are JSON-safe', () => {
    expect([rawScalar('int', 2n ** 63n), rawScalar('float', Number.NaN), rawScalar('bytes', new Uint8Array([0, 255])), rawScalar('timestamp', -1n)]).toEqual([
      '9223372036854775808', 'NaN', 'AP8=', '1969-12-31T23:59:59.999999Z',
    ]);
    expect(rawScalar('other', { toString: () => 'POINT(1 2)' })).toBe('POINT(1 2)');
    expect(timeText(1n)).toBe('1970-01-01T00:00:00.000001Z');
    expect(microsFromText('1970-01-01T00:00:00.0000019')).toBe(1n);
  });
});
