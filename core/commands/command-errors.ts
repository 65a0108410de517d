/**
 * Messages and errors of the command envelope (core/commands). Decoding errors carry the reason as data
 * (`reason`), so the downsync worker can put it on the dead-letter record as it is; encoding errors are
 * the producer's mistakes, caught before anything is sent.
 */

export const COMMAND_ERRORS = {
  truncated: (what: string, at: number, length: number) => `truncated: ${what} needs bytes beyond the end (at byte ${at} of ${length})`,
  trailing: (extra: number, length: number) => `${extra} trailing byte${extra === 1 ? '' : 's'} after the record (${length} bytes in all)`,
  overlongVarint: (what: string, at: number) => `${what}: malformed varint at byte ${at} (longer than 64 bits)`,
  intOutOfRange: (what: string, value: bigint) => `${what}: ${value} is outside the 32-bit int range`,
  negativeLength: (what: string, length: bigint) => `${what}: negative length ${length}`,
  invalidUtf8: (what: string) => `${what}: not valid UTF-8`,
  badBoolean: (what: string, byte: number) => `${what}: boolean byte 0x${byte.toString(16).padStart(2, '0')} (expected 0x00 or 0x01)`,
  timestampOutOfRange: (what: string, millis: bigint) => `${what}: timestamp ${millis} ms is outside the Date range`,
  notAString: (field: string, value: unknown) => `${field} must be a string, got ${describe(value)}`,
  notBytes: (field: string, value: unknown) => `${field} must be a Uint8Array, got ${describe(value)}`,
  notADate: (field: string, value: unknown) => `${field} must be a valid Date, got ${describe(value)}`,
  notALong: (field: string, value: unknown) => `${field} must be a bigint in the signed 64-bit range, got ${describe(value)}`,
  keyArity: (feature: string, expected: readonly string[], got: number) =>
    `${feature}: the key has ${expected.length} field${expected.length === 1 ? '' : 's'} (${expected.join(', ')}), got ${got} value${got === 1 ? '' : 's'}`,
  keyField: (feature: string, field: string, type: string, value: unknown, hint: string) =>
    `${feature}: key field ${field} (${type}) cannot be ${describe(value)}: ${hint}`,
  unsupportedKeyType: (feature: string, field: string, type: string) =>
    `${feature}: key field ${field} has type ${type}, which a key cannot have (Text, Long, Int, Boolean, Timestamp)`,
  missingKeyField: (feature: string, field: string) => `${feature}: key field ${field} is not among the feature's fields`,
  badFullName: (feature: string) => `${JSON.stringify(feature)} is not a feature's full name (namespace::name-vN)`,
  nulInFeatureName: (feature: string) => `${JSON.stringify(feature)}: a feature name cannot contain a NUL byte (it separates the record key)`,
} as const;

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an Invalid Date' : value.toISOString();
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? `a ${value.constructor?.name ?? 'object'}` : `${typeof value} ${String(value)}`;
}

/** Bytes that are not a well-formed command (or key record): `reason` says what is wrong, and where. */
export class CommandDecodeError extends Error {
  override readonly name = 'CommandDecodeError';
  readonly code = 'COMMAND_DECODE';
  constructor(
    /** What was being decoded: `FeatureCommand` or a feature's key record. */
    readonly subject: string,
    readonly reason: string,
  ) {
    super(`cannot decode ${subject}: ${reason}`);
  }
}

/** A command or key that cannot be encoded as it is (a producer's mistake, found before sending). */
export class CommandEncodeError extends Error {
  override readonly name = 'CommandEncodeError';
  readonly code = 'COMMAND_ENCODE';
  constructor(readonly reason: string) {
    super(reason);
  }
}
