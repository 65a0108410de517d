/** The contract's field types: labels both ways, and the key types as a subset of the scalars. */
import { describe, expect, it } from 'vitest';
import { isKeyColumnType, isScalarType, KEY_COLUMN_TYPES, parseTypeLabel, SCALAR_TYPES, scalarOf, typeLabel, type FieldType } from '../../core/field-types.ts';

describe('field types', () => {
  it('typeLabel and parseTypeLabel are inverses over every scalar and list', () => {
    const all: FieldType[] = SCALAR_TYPES.flatMap((s): FieldType[] => [{ kind: 'scalar', scalar: s }, { kind: 'list', element: s }]);
    for (const type of all) expect(parseTypeLabel(typeLabel(type))).toEqual(type);
    expect(scalarOf({ kind: 'list', element: 'Long' })).toBe('Long');
  });

  it('parseTypeLabel refuses anything else', () => {
    for (const label of ['', 'text', 'List<List<Text>>', 'List<Text', 'List< Text>', 'Map<Text>', 'toString']) expect(parseTypeLabel(label), label).toBeUndefined();
    expect(isScalarType('constructor')).toBe(false);
  });

  it('key types are scalars; floats and bytes are not keys', () => {
    for (const k of KEY_COLUMN_TYPES) expect(isScalarType(k)).toBe(true);
    expect(SCALAR_TYPES.filter((s) => !isKeyColumnType(s))).toEqual(['Double', 'Float', 'Bytes']);
  });
});
