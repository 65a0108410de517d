/**
 * A strict reader of Avro binary for the few types the envelope and key records use. Hand-written rather
 * than avsc's `fromBuffer` because a consumer of an open topic must name what is wrong with hostile bytes
 * (avsc says "truncated buffer" or reads invalid UTF-8 as replacement characters), must refuse over-long
 * varints and non-0/1 booleans instead of wrapping them, and decodes every record of the topic: bytes are
 * views into the input (no copies). Encoding stays with avsc (the reference), which the tests cross-check.
 */
import { MAX_DATE_MILLIS } from '../serde/timestamp-type.ts';
import { COMMAND_ERRORS, CommandDecodeError } from './command-errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class BinaryReader {
  private pos = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly subject: string,
  ) {}

  private fail(reason: string): never {
    throw new CommandDecodeError(this.subject, reason);
  }

  /** A zig-zag varint of at most 10 bytes (64 bits), as a signed bigint. */
  long(what: string): bigint {
    const start = this.pos;
    const bytes = this.bytes;
    // Numbers while the sum fits 49 bits (nearly every value), a bigint beyond.
    let n = 0;
    let scale = 1;
    let b = 0;
    let i = 0;
    for (; i < 7; i++) {
      if (this.pos >= bytes.length) this.fail(COMMAND_ERRORS.truncated(what, start, bytes.length));
      b = bytes[this.pos++] ?? 0;
      n += (b & 0x7f) * scale;
      scale *= 128;
      if (!(b & 0x80)) return BigInt(n % 2 === 0 ? n / 2 : -(n + 1) / 2);
    }
    let big = BigInt(n);
    let shift = 49n;
    for (; i < 10; i++) {
      if (this.pos >= bytes.length) this.fail(COMMAND_ERRORS.truncated(what, start, bytes.length));
      b = bytes[this.pos++] ?? 0;
      // The tenth byte holds bit 63 only.
      if (i === 9 && b > 0x01) this.fail(COMMAND_ERRORS.overlongVarint(what, start));
      big |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (!(b & 0x80)) return BigInt.asIntN(64, (big >> 1n) ^ -(big & 1n));
    }
    return this.fail(COMMAND_ERRORS.overlongVarint(what, start));
  }

  int(what: string): number {
    const value = this.long(what);
    if (value < -2147483648n || value > 2147483647n) this.fail(COMMAND_ERRORS.intOutOfRange(what, value));
    return Number(value);
  }

  boolean(what: string): boolean {
    if (this.pos >= this.bytes.length) this.fail(COMMAND_ERRORS.truncated(what, this.pos, this.bytes.length));
    const b = this.bytes[this.pos++] ?? 0;
    if (b > 1) this.fail(COMMAND_ERRORS.badBoolean(what, b));
    return b === 1;
  }

  timestamp(what: string): Date {
    const millis = this.long(what);
    if (millis < -MAX_DATE_MILLIS || millis > MAX_DATE_MILLIS) this.fail(COMMAND_ERRORS.timestampOutOfRange(what, millis));
    return new Date(Number(millis));
  }

  /** A view into the input, not a copy. */
  bytesField(what: string): Uint8Array {
    const start = this.pos;
    const length = this.long(what);
    if (length < 0n) this.fail(COMMAND_ERRORS.negativeLength(what, length));
    if (length > BigInt(this.bytes.length - this.pos)) this.fail(COMMAND_ERRORS.truncated(what, start, this.bytes.length));
    const end = this.pos + Number(length);
    const view = this.bytes.subarray(this.pos, end);
    this.pos = end;
    return view;
  }

  string(what: string): string {
    const view = this.bytesField(what);
    try {
      return utf8.decode(view);
    } catch {
      return this.fail(COMMAND_ERRORS.invalidUtf8(what));
    }
  }

  /** Every byte must have been read. */
  end(): void {
    const extra = this.bytes.length - this.pos;
    if (extra > 0) this.fail(COMMAND_ERRORS.trailing(extra, this.bytes.length));
  }
}
