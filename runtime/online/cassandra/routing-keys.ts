/**
 * Partition keys as Cassandra hashes them, and requests grouped by the replica that owns them: one
 * column's serialized value, or for several, each as a 2-byte length, the bytes and a 0 byte. The
 * values are serialized by the driver's own encoder; the token map (client.getReplicas) says which
 * node owns the partition. Checked against the server's token() in test/conformance/cassandra.test.ts.
 */
import type cassandra from 'cassandra-driver';
import type { KeyColumnType } from '../../../core/field-types.ts';

/** The driver's value encoder (exported by cassandra-driver, absent from its typings). */
interface ValueEncoder {
  encode(value: unknown, type: { readonly code: number }): Buffer;
}

/**
 * The CQL protocol's type codes of the key column types (cassandra.types.dataTypes; constants of the
 * native protocol). Spelled out so this module needs the driver only as a type: it is an optional
 * dependency, loaded when a Cassandra store is opened (runtime/connect/cassandra.ts).
 */
export const CQL_TYPE_CODE: Record<KeyColumnType, number> = {
  Text: 0x000d,
  Long: 0x0002,
  Int: 0x0009,
  Boolean: 0x0004,
  Timestamp: 0x000b,
};

const ZERO_BYTE = Buffer.from([0]);

export class RoutingKeys {
  private readonly encoder: ValueEncoder;

  /** `driver`: the loaded cassandra-driver module, whose Encoder serializes the values. */
  constructor(
    driver: typeof cassandra,
    private readonly client: cassandra.Client,
  ) {
    const EncoderClass = (driver as unknown as { Encoder: new (protocolVersion: number, options: object) => ValueEncoder }).Encoder;
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

  /**
   * `items` in batches whose partitions share their first replica (the token map; one batch chain
   * when the driver has none yet), in order, each at most `maxItems` items and, when `sizeOf` is given,
   * at most `maxBytes` (an item larger than that goes alone). A batch's routing key is its first item's:
   * sent with it, the driver routes the batch to that replica.
   */
  groupByReplica<T>(keyspace: string, items: readonly T[], keyOf: (item: T) => Buffer, limits: BatchLimits<T>): ReplicaBatch<T>[] {
    const open = new Map<string, ReplicaBatch<T>>();
    const batches: ReplicaBatch<T>[] = [];
    for (const item of items) {
      const routingKey = keyOf(item);
      const replica = this.client.getReplicas(keyspace, routingKey)?.[0]?.address ?? '';
      const bytes = limits.sizeOf ? limits.sizeOf(item, routingKey) : 0;
      let batch = open.get(replica);
      if (!batch || batch.items.length >= limits.maxItems || (limits.sizeOf && batch.bytes + bytes > limits.maxBytes)) {
        batch = { routingKey, items: [], bytes: 0 };
        open.set(replica, batch);
        batches.push(batch);
      }
      batch.items.push(item);
      batch.bytes += bytes;
    }
    return batches;
  }
}

export type BatchLimits<T> =
  | { readonly maxItems: number; readonly sizeOf?: undefined }
  | { readonly maxItems: number; readonly maxBytes: number; readonly sizeOf: (item: T, routingKey: Buffer) => number };

export interface ReplicaBatch<T> {
  readonly routingKey: Buffer;
  readonly items: T[];
  bytes: number;
}
