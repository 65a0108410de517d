/**
 * Partition keys as Cassandra hashes them, for grouping writes (and state reads) by replica: one
 * column's serialized value, or for several, each as a 2-byte length, the bytes and a 0 byte. The
 * values are serialized by the driver's own encoder; the token map (client.getReplicas) says which
 * node owns the partition. Checked against the server's token() in test/conformance/cassandra.test.ts.
 */
import cassandra from 'cassandra-driver';
import type { KeyColumnType } from '../../../core/field-types.ts';

/** The driver's value encoder (exported by cassandra-driver, absent from its typings). */
interface ValueEncoder {
  encode(value: unknown, type: { readonly code: number }): Buffer;
}
const EncoderClass = (cassandra as unknown as { Encoder: new (protocolVersion: number, options: object) => ValueEncoder }).Encoder;

export const CQL_TYPE_CODE: Record<KeyColumnType, number> = {
  Text: cassandra.types.dataTypes.varchar,
  Long: cassandra.types.dataTypes.bigint,
  Int: cassandra.types.dataTypes.int,
  Boolean: cassandra.types.dataTypes.boolean,
  Timestamp: cassandra.types.dataTypes.timestamp,
};

const ZERO_BYTE = Buffer.from([0]);

export class RoutingKeys {
  private readonly encoder: ValueEncoder;

  constructor(private readonly client: cassandra.Client) {
    // `options` is public in the driver but missing from its typings. Key values serialize the same
    // in every protocol version the driver speaks.
    const options = (client as unknown as { options?: object }).options ?? {};
    this.encoder = new EncoderClass(4, options);
  }

  /** The routing key of a partition whose key columns have these CQL type codes and values (as bound). */
  of(values: readonly unknown[], codes: readonly number[]): Buffer {
    const parts = values.map((value, i) => this.encoder.encode(value, { code: codes[i]! }));
    if (parts.length === 1) return parts[0]!;
    return Buffer.concat(parts.flatMap((part) => [Buffer.from([part.length >> 8, part.length & 0xff]), part, ZERO_BYTE]));
  }

  /** The address of the partition's first replica; '' when the driver has no token map (yet). */
  replicaOf(keyspace: string, routingKey: Buffer): string {
    return this.client.getReplicas(keyspace, routingKey)?.[0]?.address ?? '';
  }
}
