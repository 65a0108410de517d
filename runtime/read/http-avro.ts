/**
 * The Avro side of the HTTP client (`createHttpFeatureReader({ format: 'avro' })`): the `FeatureValues`
 * envelope of a Read API response decoded by hand (it is the mirror of runtime/server/avro-envelope.ts:
 * a string, a zig-zag long, an array of `null | bytes`), and each value decoded into the descriptor's
 * shape. Values arrive in the server's reader schema, named by the envelope's fingerprint: when it is the
 * descriptor's own, it decodes directly; otherwise (server and client generated from different
 * definitions) that schema is fetched once from `GET /v1/features/{feature}/schema` and Avro resolution
 * maps it onto the descriptor, new fields taking their defaults, as the in-process reader does.
 */
import { parseAvroSchemaText, type AvroSchemaJson } from '../../core/serde/index.ts';
import type { FeatureDescriptor } from './feature-reader.ts';
import { decodeFeatureValue } from './value-codec.ts';

export const AVRO_ENVELOPE_ERRORS = {
  truncated: 'the Avro body ends inside the FeatureValues envelope',
  trailing: (bytes: number) => `${bytes} bytes after the FeatureValues envelope`,
  badUnion: (branch: bigint) => `union branch ${branch} in values (expected 0: null or 1: bytes)`,
  otherFeature: (got: string) => `the envelope is for feature "${got}"`,
  badSchemaResponse: 'GET /schema did not answer a schema object',
} as const;

export class AvroEnvelopeError extends Error {
  override readonly name = 'AvroEnvelopeError';
}

export interface FeatureValuesEnvelope {
  readonly feature: string;
  readonly fingerprint: bigint;
  readonly values: readonly (Uint8Array | null)[];
}

export function decodeFeatureValuesEnvelope(body: Uint8Array): FeatureValuesEnvelope {
  const r = new Reader(body);
  const feature = new TextDecoder('utf-8', { fatal: true }).decode(r.bytes());
  const fingerprint = r.long();
  const values: (Uint8Array | null)[] = [];
  // Avro arrays are blocks: a count (negative: followed by the block's byte size), items, ..., then 0.
  for (let count = r.long(); count !== 0n; count = r.long()) {
    if (count < 0n) {
      count = -count;
      r.long();
    }
    for (let i = 0n; i < count; i++) {
      const branch = r.long();
      if (branch === 0n) values.push(null);
      else if (branch === 1n) values.push(r.bytes());
      else throw new AvroEnvelopeError(AVRO_ENVELOPE_ERRORS.badUnion(branch));
    }
  }
  if (r.remaining() > 0) throw new AvroEnvelopeError(AVRO_ENVELOPE_ERRORS.trailing(r.remaining()));
  return { feature, fingerprint, values };
}

/** Fetches the server's value schema of a feature: the parsed `schema` of `GET /v1/features/{f}/schema`. */
export type SchemaFetcher = (feature: string) => Promise<string>;

/**
 * Decodes the values of envelopes into descriptors' shapes. Writer schemas the descriptor does not
 * know are fetched once per feature and fingerprint (the promise is shared by concurrent reads).
 */
export class AvroValueDecoder {
  private readonly schemas = new Map<string, Promise<AvroSchemaJson>>();

  constructor(private readonly fetchSchemaText: SchemaFetcher) {}

  async decode<K, V>(descriptor: FeatureDescriptor<K, V>, envelope: FeatureValuesEnvelope): Promise<(V | null)[]> {
    if (envelope.feature !== descriptor.fullName) throw new AvroEnvelopeError(AVRO_ENVELOPE_ERRORS.otherFeature(envelope.feature));
    const writer = envelope.fingerprint === descriptor.fingerprint ? descriptor.avroSchema : await this.writerSchema(descriptor.fullName, envelope.fingerprint);
    return envelope.values.map((bytes) => (bytes === null ? null : decodeFeatureValue(descriptor, bytes, writer)));
  }

  private writerSchema(feature: string, fingerprint: bigint): Promise<AvroSchemaJson> {
    const id = `${feature}\u0000${fingerprint}`;
    let schema = this.schemas.get(id);
    if (!schema) {
      schema = this.fetchSchemaText(feature).then((text) => {
        // Exact parse: a Long default above 2^53 in the schema must not be rounded.
        const answer = parseAvroSchemaText(text);
        const found = typeof answer === 'object' && answer !== null && !Array.isArray(answer) ? (answer as { schema?: AvroSchemaJson }).schema : undefined;
        if (typeof found !== 'object' || found === null) throw new AvroEnvelopeError(AVRO_ENVELOPE_ERRORS.badSchemaResponse);
        return found;
      });
      // A failed fetch is not kept: the next read asks again.
      schema.catch(() => this.schemas.delete(id));
      this.schemas.set(id, schema);
    }
    return schema;
  }
}

class Reader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Zig-zag varint, up to 64 bits. */
  long(): bigint {
    let n = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length || shift > 63n) throw new AvroEnvelopeError(AVRO_ENVELOPE_ERRORS.truncated);
      const b = this.buf[this.pos++]!;
      n |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    return (n >> 1n) ^ -(n & 1n);
  }

  bytes(): Uint8Array {
    const length = this.long();
    if (length < 0n || length > BigInt(this.remaining())) throw new AvroEnvelopeError(AVRO_ENVELOPE_ERRORS.truncated);
    const out = this.buf.subarray(this.pos, this.pos + Number(length));
    this.pos += Number(length);
    return out;
  }
}
