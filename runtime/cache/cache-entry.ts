/**
 * What a cache entry holds: the store's tagged Avro bytes in single-object encoding (`C3 01`, the 8-byte
 * writer-schema fingerprint, the payload), so an entry decodes exactly like a stored row. A History
 * entry is the newest events of a key: `48 01` ("H", version 1), a 32-bit count, then each event's
 * single-object bytes behind a 32-bit length. An empty entry means "known absent" (negative caching).
 */
import { decodeSingleObject, encodeSingleObject, isSingleObject, SINGLE_OBJECT_ERRORS, SINGLE_OBJECT_HEADER_SIZE, type TaggedAvro } from '../../core/serde/single-object.ts';

export const CACHE_ENTRY_ERRORS = {
  badHistory: 'not a History cache entry (expected the 48 01 marker and length-prefixed events)',
} as const;

export const encodeObjectEntry = (value: TaggedAvro): Buffer => encodeSingleObject(value);

/**
 * decodeSingleObject for the hit path: Redis hands Buffers, used as they are (no second view), and
 * the fingerprint, nearly always the one of the entry before, is not re-read into a new bigint.
 */
export function decodeObjectEntry(bytes: Uint8Array): TaggedAvro {
  if (!isSingleObject(bytes)) throw new TypeError(SINGLE_OBJECT_ERRORS.notSingleObject(bytes.byteLength));
  const view = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { schemaId: fingerprintAt(view, 2), value: view.subarray(SINGLE_OBJECT_HEADER_SIZE) };
}

// The last fingerprint read, as its two 32-bit halves and as the bigint handed out (0 is consistent).
let lastLow = 0;
let lastHigh = 0;
let lastId = 0n;

function fingerprintAt(view: Buffer, at: number): bigint {
  const low = view.readUInt32LE(at);
  const high = view.readInt32LE(at + 4);
  if (low !== lastLow || high !== lastHigh) {
    lastId = view.readBigInt64LE(at);
    lastLow = low;
    lastHigh = high;
  }
  return lastId;
}

export function encodeHistoryEntry(events: readonly TaggedAvro[]): Buffer {
  const parts = events.map(encodeSingleObject);
  const out = Buffer.allocUnsafe(6 + parts.reduce((n, p) => n + 4 + p.length, 0));
  out[0] = 0x48;
  out[1] = 0x01;
  out.writeUInt32BE(parts.length, 2);
  let at = 6;
  for (const part of parts) {
    out.writeUInt32BE(part.length, at);
    part.copy(out, at + 4);
    at += 4 + part.length;
  }
  return out;
}

export function decodeHistoryEntry(bytes: Uint8Array): TaggedAvro[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length < 6 || view[0] !== 0x48 || view[1] !== 0x01) throw new TypeError(CACHE_ENTRY_ERRORS.badHistory);
  const count = view.readUInt32BE(2);
  const events: TaggedAvro[] = [];
  let at = 6;
  for (let i = 0; i < count; i++) {
    if (at + 4 > view.length) throw new TypeError(CACHE_ENTRY_ERRORS.badHistory);
    const length = view.readUInt32BE(at);
    if (at + 4 + length > view.length) throw new TypeError(CACHE_ENTRY_ERRORS.badHistory);
    events.push(decodeSingleObject(view.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  if (at !== view.length) throw new TypeError(CACHE_ENTRY_ERRORS.badHistory);
  return events;
}
