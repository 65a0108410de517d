/**
 * Writer-schema ids → how to read a stored value with the current (reader) schema. Every schema a
 * feature version has had stays in the manifest, so a row written before a field was added still
 * decodes, the new field taking its default (Avro schema resolution). Types and resolvers are built
 * once, at load, so a broken schema fails the deployment rather than the first read of an old row.
 */
import type avro from 'avsc';
import type { AvroSchemaJson } from './avro-json.ts';
import { parseAvroType } from './avro-types.ts';
import { schemaFingerprint } from './fingerprint.ts';
import type { TaggedAvro } from './single-object.ts';

export const SERDE_ERRORS = {
  unknownWriterSchema: (feature: string, schemaId: bigint) =>
    `${feature}: value written by a newer schema; redeploy with the regenerated client (writer schema id ${schemaId} is not in this deployment's manifest)`,
  fingerprintMismatch: (feature: string, declared: bigint, actual: bigint) =>
    `${feature}: writer schema listed under id ${declared} has fingerprint ${actual}; the manifest is corrupt, regenerate it`,
} as const;

/** A stored value names a writer schema this process does not know: it was written by newer code. */
export class UnknownWriterSchemaError extends Error {
  override readonly name = 'UnknownWriterSchemaError';
  constructor(
    readonly feature: string,
    readonly schemaId: bigint,
  ) {
    super(SERDE_ERRORS.unknownWriterSchema(feature, schemaId));
  }
}

type Resolver = ReturnType<avro.Type['createResolver']>;

interface WriterEntry {
  readonly schema: AvroSchemaJson;
  readonly type: avro.Type;
  /** undefined when the writer is the reader (no resolution needed, the fast path). */
  readonly resolver: Resolver | undefined;
}

export class WriterSchemaRegistry {
  readonly readerType: avro.Type;
  private readonly writers = new Map<bigint, WriterEntry>();

  /**
   * @param writerSchemas every schema the feature's values may have been written with, by id (the
   *   reader's own schema is added when missing).
   */
  constructor(
    readonly feature: string,
    readonly readerSchema: AvroSchemaJson,
    readonly readerId: bigint,
    writerSchemas: Iterable<readonly [bigint, AvroSchemaJson]>,
  ) {
    this.readerType = parseAvroType(readerSchema);
    checkFingerprint(feature, readerId, readerSchema);
    this.writers.set(readerId, { schema: readerSchema, type: this.readerType, resolver: undefined });
    for (const [id, schema] of writerSchemas) {
      if (this.writers.has(id)) continue;
      checkFingerprint(feature, id, schema);
      const type = parseAvroType(schema);
      this.writers.set(id, { schema, type, resolver: this.readerType.createResolver(type) });
    }
  }

  /** Ids this registry can read, the reader's first. */
  get schemaIds(): bigint[] {
    return [...this.writers.keys()];
  }

  has(schemaId: bigint): boolean {
    return this.writers.has(schemaId);
  }

  /** A registry with another reader schema over the same writers (a client compiled from another manifest). */
  withReader(readerSchema: AvroSchemaJson, readerId: bigint): WriterSchemaRegistry {
    const writers: [bigint, AvroSchemaJson][] = [];
    for (const [id, entry] of this.writers) writers.push([id, entry.schema]);
    return new WriterSchemaRegistry(this.feature, readerSchema, readerId, writers);
  }

  /** The record in `tagged.value`, read with the reader schema (defaults filled for fields the writer lacked). */
  decode(tagged: TaggedAvro): Record<string, unknown> {
    const writer = this.writers.get(tagged.schemaId);
    if (!writer) throw new UnknownWriterSchemaError(this.feature, tagged.schemaId);
    return this.readerType.fromBuffer(asBuffer(tagged.value), writer.resolver) as Record<string, unknown>;
  }

  /** Avro binary of the value under the reader schema: the stored bytes themselves when already so. */
  toReaderBytes(tagged: TaggedAvro): Uint8Array {
    if (tagged.schemaId === this.readerId) return tagged.value;
    return this.readerType.toBuffer(this.decode(tagged));
  }

  encode(record: Readonly<Record<string, unknown>>): Buffer {
    return this.readerType.toBuffer(record);
  }
}

function checkFingerprint(feature: string, declared: bigint, schema: AvroSchemaJson): void {
  const actual = schemaFingerprint(schema);
  if (actual !== declared) throw new Error(SERDE_ERRORS.fingerprintMismatch(feature, declared, actual));
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
