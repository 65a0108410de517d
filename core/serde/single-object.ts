/**
 * Avro single-object encoding (spec 1.10+): `C3 01`, the writer schema's CRC-64-AVRO fingerprint as 8
 * little-endian bytes, then the Avro binary payload. The cache stores values this way so that the schema
 * id travels with the bytes: a cached value decodes exactly like a stored row, under any reader schema.
 */

export const SINGLE_OBJECT_HEADER_SIZE = 10;

export const SINGLE_OBJECT_ERRORS = {
  notSingleObject: (length: number) =>
    `not an Avro single-object encoding (expected the C3 01 marker and a 64-bit fingerprint; got ${length} bytes)`,
} as const;

/** A value tagged with the id (fingerprint) of the schema it was written with. */
export interface TaggedAvro {
  readonly value: Uint8Array;
  readonly schemaId: bigint;
}

export function encodeSingleObject(tagged: TaggedAvro): Buffer {
  const out = Buffer.allocUnsafe(SINGLE_OBJECT_HEADER_SIZE + tagged.value.byteLength);
  out[0] = 0xc3;
  out[1] = 0x01;
  // The fingerprint is kept signed (a CQL bigint); its two's-complement bytes are the spec's unsigned ones.
  out.writeBigInt64LE(tagged.schemaId, 2);
  out.set(tagged.value, SINGLE_OBJECT_HEADER_SIZE);
  return out;
}

export function isSingleObject(bytes: Uint8Array): boolean {
  return bytes.byteLength >= SINGLE_OBJECT_HEADER_SIZE && bytes[0] === 0xc3 && bytes[1] === 0x01;
}

/** The payload is a view into `bytes`, not a copy. */
export function decodeSingleObject(bytes: Uint8Array): TaggedAvro {
  if (!isSingleObject(bytes)) throw new TypeError(SINGLE_OBJECT_ERRORS.notSingleObject(bytes.byteLength));
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { schemaId: view.readBigInt64LE(2), value: view.subarray(SINGLE_OBJECT_HEADER_SIZE) };
}
