/**
 * Avro `timestamp-millis` ↔ JS `Date`, on top of the bigint long (see long-type.ts), so a stored value
 * that no Date can represent is refused instead of being rounded or turned into an Invalid Date.
 */
import avro from 'avsc';

/** ECMAScript's Date range: ±8.64e15 ms around the epoch (well inside the safe-integer range). */
export const MAX_DATE_MILLIS = 8_640_000_000_000_000;

export const TIMESTAMP_ERRORS = {
  notADate: (value: unknown) => `invalid timestamp-millis value ${String(value)}: expected a valid Date`,
  outOfRange: (millis: bigint | number) =>
    `invalid timestamp-millis ${millis}: outside the Date range of ±${MAX_DATE_MILLIS} ms`,
} as const;

/** Writer types a timestamp-millis reader can resolve from (the spec allows a plain long writer). */
const RESOLVABLE_WRITER_TYPES = new Set(['long', 'abstract:long', 'logical:timestamp-millis']);

// Schemas whose logical type is being built right now: avro-types.ts's type hook resolves these to the
// bigint long, because avsc would otherwise build the underlying `{type: 'long'}` with its number long.
const instantiating = new WeakSet<object>();

/** True while `schema` is being turned into a TimestampMillisType (its underlying long is wanted). */
export function isInstantiatingTimestamp(schema: object): boolean {
  return instantiating.has(schema);
}

export function millisToDate(millis: bigint | number): Date {
  const n = typeof millis === 'bigint' ? millis : Number.isInteger(millis) ? millis : Number.NaN;
  if (Number.isNaN(n) || n < -MAX_DATE_MILLIS || n > MAX_DATE_MILLIS) {
    throw new RangeError(TIMESTAMP_ERRORS.outOfRange(millis));
  }
  return new Date(Number(n));
}

export function dateToMillis(value: unknown): bigint {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new TypeError(TIMESTAMP_ERRORS.notADate(value));
  }
  return BigInt(value.getTime());
}

type LogicalSchema = ConstructorParameters<typeof avro.types.LogicalType>[0];

export class TimestampMillisType extends avro.types.LogicalType {
  constructor(schema: LogicalSchema, opts?: object) {
    // avsc only builds logical types from schema objects; the guard satisfies the WeakSet.
    const marked = typeof schema === 'object' && schema !== null;
    if (marked) instantiating.add(schema);
    try {
      super(schema, opts);
    } finally {
      if (marked) instantiating.delete(schema);
    }
  }

  // A writer's timestamp-millis already yields a Date when resolving, so Dates are accepted too.
  protected override _fromValue(value: bigint | number | Date): Date {
    return value instanceof Date ? new Date(Number(dateToMillis(value))) : millisToDate(value);
  }

  // Throwing is how avsc learns a value is invalid: `isValid` catches it, writes surface the message.
  protected override _toValue(value: unknown): bigint {
    return dateToMillis(value);
  }

  protected override _resolve(type: avro.Type): ((value: bigint | number | Date) => Date) | undefined {
    return RESOLVABLE_WRITER_TYPES.has(type.typeName) ? (value) => this._fromValue(value) : undefined;
  }
}
