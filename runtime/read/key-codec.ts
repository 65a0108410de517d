/**
 * The key codec of a feature: its key fields in key order, compiled once (per generated descriptor, per
 * catalog feature) into the checks of each boundary where keys enter, all producing the same KeyValues
 * (the key column values in key-field order) that everything behind the boundary takes as they are:
 *
 * - `fromTyped`: the typed accessors. The generated key type's own values, checked as its zod schema
 *   checks them (a strict object; Text a string, Long a bigint in 64 bits, Int a 32-bit integer, Boolean,
 *   Timestamp a valid Date), with a few `typeof`s instead of a zod parse on every read;
 * - `fromNames`: the by-name API (YAML field names; lenient forms, see field-coercion.ts);
 * - `check`: KeyValues built elsewhere (sync jobs writing encoded rows).
 *
 * The HTTP Read API parses its JSON wire forms per feature (runtime/server/feature-plans.ts) into the
 * same KeyValues, in `fields` order. Nothing downstream of any of these validates a key again.
 */
import { LONG_MAX, LONG_MIN } from '../../core/serde/index.ts';
import { isKeyColumnType, type KeyColumnType } from '../../core/field-types.ts';
import type { KeyScalar, KeyValues } from '../online/online-store.ts';
import { coerceScalar, describe, FieldProblem, INPUT_ERRORS } from './field-coercion.ts';
import { InvalidInputError } from './online-runtime.ts';

/** A key field as descriptors and the catalog describe it. */
export interface KeyFieldSpec {
  /** YAML field name (the column, the by-name API's property). */
  readonly name: string;
  /** camelCase property of the generated key type. */
  readonly tsName: string;
  readonly type: string;
}

export const KEY_ERRORS = {
  typed: (tsName: string, name: string, expected: string, value: unknown) =>
    `${tsName === name ? `field "${tsName}"` : `field "${tsName}" (${name})`}: expected ${expected}, got ${describeTyped(value)}`,
  unknownFields: (fields: readonly string[], expected: readonly string[]) =>
    `unknown field(s) ${fields.map((f) => `"${f}"`).join(', ')} (key fields: ${expected.join(', ')})`,
  notAnObject: (expected: readonly string[], value: unknown) =>
    `expected an object with the key fields ${expected.join(', ')}, got ${describeTyped(value)}`,
  notKeyValues: (count: number) => `expected an array of ${count} key value${count === 1 ? '' : 's'} in key-field order`,
  unsupportedType: (feature: string, field: string, type: string) => `${feature}.${field}: ${type} cannot be a key field`,
} as const;

/** What each key type holds in the generated types, as the generated zod schemas check it. */
const TYPED_EXPECTED: Record<KeyColumnType, string> = {
  Text: 'a string',
  Long: 'a bigint in the signed 64-bit range (a Long)',
  Int: 'an integer from -2147483648 to 2147483647 (an Int)',
  Boolean: 'a boolean',
  Timestamp: 'a valid Date',
};

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

const TYPED_CHECKS: Record<KeyColumnType, (value: unknown) => boolean> = {
  Text: (v) => typeof v === 'string',
  Long: (v) => typeof v === 'bigint' && v >= LONG_MIN && v <= LONG_MAX,
  Int: (v) => typeof v === 'number' && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX,
  Boolean: (v) => typeof v === 'boolean',
  Timestamp: (v) => v instanceof Date && !Number.isNaN(v.getTime()),
};

/** A typed key that is not a value of the generated key type; `problems` name the fields. */
export class KeyShapeError extends Error {
  override readonly name = 'KeyShapeError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

export interface KeyCodec {
  readonly feature: string;
  readonly fields: readonly KeyFieldSpec[];
  /** A key of the generated type (camelCase properties) → KeyValues; throws KeyShapeError. */
  fromTyped(key: unknown): KeyValues;
  /** A key by YAML field names, lenient forms → KeyValues; throws InvalidInputError (`where`: ` (at keys[3])`). */
  fromNames(key: unknown, where: string): KeyValues;
  /** KeyValues from elsewhere, checked as `fromTyped` checks values; throws InvalidInputError. */
  check(values: unknown, where: string): KeyValues;
  /** The key by YAML field name. */
  toNames(values: KeyValues): Record<string, KeyScalar>;
}

interface CompiledField extends KeyFieldSpec {
  readonly type: KeyColumnType;
  readonly typed: (value: unknown) => boolean;
}

// Keyed by the field list (a descriptor's keyFields, a catalog feature's): one codec per feature and source.
const codecs = new WeakMap<readonly KeyFieldSpec[], KeyCodec>();

export function keyCodecOf(feature: string, fields: readonly KeyFieldSpec[]): KeyCodec {
  let codec = codecs.get(fields);
  if (!codec) codecs.set(fields, (codec = compileKeyCodec(feature, fields)));
  return codec;
}

export function compileKeyCodec(feature: string, specs: readonly KeyFieldSpec[]): KeyCodec {
  const fields: CompiledField[] = specs.map((f) => {
    if (!isKeyColumnType(f.type)) throw new Error(KEY_ERRORS.unsupportedType(feature, f.name, f.type));
    return { name: f.name, tsName: f.tsName, type: f.type, typed: TYPED_CHECKS[f.type] };
  });
  const n = fields.length;
  const names = fields.map((f) => f.name);
  const tsNames = fields.map((f) => f.tsName);
  const nameSet: ReadonlySet<string> = new Set(names);
  const tsNameSet: ReadonlySet<string> = new Set(tsNames);

  /** The slow path of a refused typed key: every problem, fields first, then unknown properties. */
  const typedProblems = (key: unknown): string[] => {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) return [KEY_ERRORS.notAnObject(tsNames, key)];
    const source = key as Readonly<Record<string, unknown>>;
    const problems: string[] = [];
    for (const f of fields) {
      const value = source[f.tsName];
      if (!f.typed(value)) problems.push(KEY_ERRORS.typed(f.tsName, f.name, TYPED_EXPECTED[f.type], value));
    }
    const unknown = Object.keys(source).filter((k) => !tsNameSet.has(k));
    if (unknown.length > 0) problems.push(KEY_ERRORS.unknownFields(unknown, tsNames));
    return problems;
  };

  return {
    feature,
    fields,
    fromTyped(key) {
      if (typeof key === 'object' && key !== null) {
        const source = key as Readonly<Record<string, unknown>>;
        const out = new Array<KeyScalar>(n);
        let ok = !Array.isArray(key);
        for (let i = 0; ok && i < n; i++) {
          const f = fields[i]!;
          const value = source[f.tsName];
          if (f.typed(value)) out[i] = value as KeyScalar;
          else ok = false;
        }
        // Strict, like the generated z.strictObject: exactly the key fields (a misspelt one is an error).
        if (ok) {
          let count = 0;
          for (const _ in source) count++;
          if (count === n) return out;
        }
      }
      throw new KeyShapeError(typedProblems(key));
    },
    fromNames(key, where) {
      if (typeof key !== 'object' || key === null || Array.isArray(key) || key instanceof Uint8Array) {
        throw new InvalidInputError(feature, undefined, `${INPUT_ERRORS.notAnObject('the key', names)}${where}`);
      }
      const record = key as Readonly<Record<string, unknown>>;
      for (const name of Object.keys(record)) {
        if (!nameSet.has(name)) throw new InvalidInputError(feature, name, `${INPUT_ERRORS.unknownField(names)}${where}`);
      }
      const out = new Array<KeyScalar>(n);
      for (let i = 0; i < n; i++) {
        const f = fields[i]!;
        const value = record[f.name];
        try {
          if (value === undefined) throw new FieldProblem(INPUT_ERRORS.required);
          if (value === null) throw new FieldProblem(INPUT_ERRORS.notNullable);
          out[i] = coerceScalar(f.type, value) as KeyScalar;
        } catch (e) {
          throw new InvalidInputError(feature, f.name, `${(e as Error).message}${where}`);
        }
      }
      return out;
    },
    check(values, where) {
      if (!Array.isArray(values) || values.length !== n) throw new InvalidInputError(feature, undefined, `${KEY_ERRORS.notKeyValues(n)}${where}`);
      for (let i = 0; i < n; i++) {
        const f = fields[i]!;
        const value: unknown = values[i];
        if (!f.typed(value)) throw new InvalidInputError(feature, f.name, `expected ${TYPED_EXPECTED[f.type]}, got ${describeTyped(value)}${where}`);
      }
      return values as KeyValues;
    },
    toNames(values) {
      const out: Record<string, KeyScalar> = {};
      for (let i = 0; i < n; i++) out[names[i]!] = values[i] as KeyScalar;
      return out;
    },
  };
}

/** Like describe(), but naming the JS type too: a typed key's mistakes are about types (`5` is a number, not a Long). */
function describeTyped(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'object') return describe(value);
  return `${typeof value} ${describe(value)}`;
}
