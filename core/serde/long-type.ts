/**
 * The Avro `long` as a JS `bigint`, everywhere. avsc's built-in long refuses values beyond 2^53, and a
 * lossy number is never acceptable for ids and counters, so every parsed schema uses this type instead.
 */
import avro from 'avsc';

export const LONG_MIN = -(2n ** 63n);
export const LONG_MAX = 2n ** 63n - 1n;

export const LONG_ERRORS = {
  notInteger: (value: unknown) => `invalid Avro long ${describe(value)}: expected a bigint or an integer`,
  notBigint: (value: unknown) => `invalid Avro long ${describe(value)}: expected a bigint`,
  outOfRange: (value: bigint) => `invalid Avro long ${value}: outside the signed 64-bit range`,
  unsafeNumber: (value: number) =>
    `invalid Avro long ${value}: beyond Number.MAX_SAFE_INTEGER the number may already be rounded; pass a bigint or a decimal string`,
} as const;

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function isAvroLong(value: unknown): value is bigint {
  return typeof value === 'bigint' && value >= LONG_MIN && value <= LONG_MAX;
}

/**
 * Exact conversion from the forms a long takes in JSON (schema defaults, the Avro JSON encoding):
 * a bigint, a safe integer number, or a decimal string. Anything lossy or out of range throws.
 */
export function toAvroLong(value: unknown): bigint {
  let n: bigint;
  if (typeof value === 'bigint') {
    n = value;
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(LONG_ERRORS.notInteger(value));
    if (!Number.isSafeInteger(value)) throw new RangeError(LONG_ERRORS.unsafeNumber(value));
    n = BigInt(value);
  } else if (typeof value === 'string' && /^-?\d+$/.test(value)) {
    n = BigInt(value);
  } else {
    throw new TypeError(LONG_ERRORS.notInteger(value));
  }
  if (n < LONG_MIN || n > LONG_MAX) throw new RangeError(LONG_ERRORS.outOfRange(n));
  return n;
}

/**
 * avsc hands `fromBuffer` the 8 little-endian two's-complement bytes of the zig-zag varint (and expects
 * the same from `toBuffer`); it checks `isValid` before every write, so out-of-range values never encode.
 */
const avscLongType = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer): bigint => buf.readBigInt64LE(0),
  toBuffer: (n: bigint): Buffer => {
    // A fresh buffer each time: avsc inverts it in place when packing negative values.
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: toAvroLong,
  // Avro's JSON encoding wants a number; beyond 2^53 a number would round, so those stay decimal strings.
  toJSON: (n: bigint): number | string => {
    const asNumber = Number(n);
    return Number.isSafeInteger(asNumber) ? asNumber : n.toString();
  },
  isValid: isAvroLong,
  compare: (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0),
});

interface AvscWriter {
  _write(tap: unknown, value: unknown): void;
}
const baseWrite = (avscLongType as unknown as AvscWriter)._write;

/** avsc's read cursor: the buffer and the position in it (`isValid()` is `pos <= buf.length`). */
interface AvscTap {
  buf: Buffer;
  pos: number;
}

const TWO_POW_49 = 2 ** 49;

/**
 * The zig-zag varint at the tap, as a bigint. avsc's own long read (`unpackLongBytes`) first copies the
 * varint into a fresh 8-byte Buffer for fromBuffer: an allocation per long on every decode, the hot
 * path of every cache hit. Here the bytes are summed in a number while the value fits 49 bits (ids and
 * counters, nearly always), in a bigint beyond. Canonical varints (what every writer emits) read as
 * avsc's own read does; an over-long one is cut at 10 bytes and wraps modulo 2^64 (avsc drops its excess
 * bits differently; such bytes are malformed either way). A varint running past the end leaves `pos`
 * beyond it, which avsc reports as truncated.
 */
function readLong(tap: AvscTap): bigint {
  const buf = tap.buf;
  let pos = tap.pos;
  let b = buf[pos++] ?? 0;
  let n = b & 0x7f;
  let scale = 128;
  while (b & 0x80 && scale < TWO_POW_49) {
    b = buf[pos++] ?? 0;
    n += (b & 0x7f) * scale;
    scale *= 128;
  }
  if (!(b & 0x80)) {
    tap.pos = pos;
    // Zig-zag: even n is n / 2, odd n is -(n + 1) / 2; exact in a double below 2^53.
    return BigInt(n % 2 === 0 ? n / 2 : -(n + 1) / 2);
  }
  let big = BigInt(n);
  let shift = 49n;
  do {
    b = buf[pos++] ?? 0;
    big |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  } while (b & 0x80 && shift < 70n);
  tap.pos = pos;
  const unsigned = BigInt.asUintN(64, big);
  return BigInt.asIntN(64, (unsigned >> 1n) ^ -(unsigned & 1n));
}

/**
 * The long type every parsed schema uses. avsc reports an invalid long by JSON-formatting the value,
 * which itself throws on a bigint ("Do not know how to serialize a BigInt"); this thin layer (avsc types
 * are frozen, so it is a prototype child rather than a patch) rejects with a message naming the value.
 */
export const bigintLongType: avro.Type = Object.freeze(
  Object.create(avscLongType, {
    _read: {
      value(tap: AvscTap): bigint | undefined {
        const value = readLong(tap);
        return tap.pos <= tap.buf.length ? value : undefined;
      },
    },
    _write: {
      value(this: AvscWriter, tap: unknown, value: unknown): void {
        if (typeof value !== 'bigint') throw new TypeError(LONG_ERRORS.notBigint(value));
        if (!isAvroLong(value)) throw new RangeError(LONG_ERRORS.outOfRange(value));
        baseWrite.call(this, tap, value);
      },
    },
  }) as avro.Type,
);
