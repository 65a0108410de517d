/**
 * The Avro framing of Read API responses (`Accept: application/avro`). A response body is the plain Avro
 * binary encoding (no container file, no magic) of one of the two envelope records below, so any Avro
 * library decodes it with the published schema; each value inside is itself the Avro binary of the
 * feature's value record under the reader schema whose fingerprint the envelope carries
 * (`GET /v1/features/{feature}/schema` returns that schema). Encoded by hand here: the layout is fixed
 * and tiny, and this runs on every Avro response.
 */

/** One feature's values: `/get` (null where absent), `/latest` and `/range` (events, newest first). */
export const FEATURE_VALUES_SCHEMA = {
  type: 'record',
  name: 'FeatureValues',
  namespace: 'featurestore.read',
  fields: [
    { name: 'feature', type: 'string' },
    { name: 'schema_fingerprint', type: 'long', doc: 'CRC-64-AVRO (signed) of the value schema the values are written with' },
    { name: 'values', type: { type: 'array', items: ['null', 'bytes'] } },
  ],
} as const;

/** `/v1/get-online-features`: one FeatureValues per requested feature, in request order. */
export const ONLINE_FEATURES_SCHEMA = {
  type: 'record',
  name: 'OnlineFeatures',
  namespace: 'featurestore.read',
  fields: [{ name: 'results', type: { type: 'array', items: FEATURE_VALUES_SCHEMA } }],
} as const;

export const AVRO_CONTENT_TYPE = 'application/avro';
export const ENVELOPE_HEADER = 'x-featurestore-envelope';
export const FINGERPRINT_HEADER = 'x-featurestore-schema-fingerprint';

/** Avro `long`: zig-zag, then base-128 varint, least significant group first. */
export function writeLong(out: number[], value: bigint): void {
  let n = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
}

/** Zig-zag varint of a small non-negative number (lengths, counts), without bigint arithmetic. */
function writeCount(out: number[], n: number): void {
  let z = n * 2;
  while (z >= 0x80) {
    out.push((z & 0x7f) | 0x80);
    z = Math.floor(z / 128);
  }
  out.push(z);
}

/** The constant head of a feature's envelope: `feature` and `schema_fingerprint`. */
export function envelopeHead(feature: string, fingerprint: bigint): Buffer {
  const name = Buffer.from(feature, 'utf8');
  const out: number[] = [];
  writeCount(out, name.length);
  const head = Buffer.from(out);
  const fp: number[] = [];
  writeLong(fp, fingerprint);
  return Buffer.concat([head, name, Buffer.from(fp)]);
}

/** Appends a FeatureValues record (head from `envelopeHead`) to `chunks`; returns the bytes added. */
export function pushFeatureValues(chunks: Buffer[], head: Buffer, values: readonly (Uint8Array | null)[]): number {
  let size = head.length;
  chunks.push(head);
  const meta: number[] = [];
  if (values.length > 0) writeCount(meta, values.length);
  // One array block holding every value; `meta` collects the varints between payloads.
  let flushed = 0;
  const flush = () => {
    if (meta.length > flushed) {
      const b = Buffer.from(meta.slice(flushed));
      chunks.push(b);
      size += b.length;
      flushed = meta.length;
    }
  };
  for (const v of values) {
    if (v === null) {
      meta.push(0); // union branch 0: null
      continue;
    }
    meta.push(2); // union branch 1 (zig-zag 2): bytes
    writeCount(meta, v.length);
    flush();
    const b = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    chunks.push(b);
    size += b.length;
  }
  meta.push(0); // end of array
  flush();
  return size;
}

/** A whole FeatureValues body. */
export function encodeFeatureValues(head: Buffer, values: readonly (Uint8Array | null)[]): Buffer {
  const chunks: Buffer[] = [];
  const size = pushFeatureValues(chunks, head, values);
  return Buffer.concat(chunks, size);
}

/** A whole OnlineFeatures body: one FeatureValues per feature, in order. */
export function encodeOnlineFeatures(parts: readonly { readonly head: Buffer; readonly values: readonly (Uint8Array | null)[] }[]): Buffer {
  const chunks: Buffer[] = [];
  const count: number[] = [];
  if (parts.length > 0) writeCount(count, parts.length);
  let size = 0;
  const countBuf = Buffer.from(count);
  chunks.push(countBuf);
  size += countBuf.length;
  for (const part of parts) size += pushFeatureValues(chunks, part.head, part.values);
  chunks.push(Buffer.from([0]));
  return Buffer.concat(chunks, size + 1);
}
