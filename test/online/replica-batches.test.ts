/**
 * RoutingKeys.groupByReplica, the grouping the Cassandra store and the sampler state send batches by.
 * The services' Cassandra is one node, where every partition has the same replica; the grouping across
 * several replicas is checked here on the driver's real encoder with a token map given by the test
 * (keys ending in an even byte on node a, odd on node b), and the real routing on one node in
 * test/conformance/cassandra.test.ts.
 */
import cassandra from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { CQL_TYPE_CODE, RoutingKeys } from '../../runtime/online/cassandra/routing-keys.ts';

function routing(tokenMap: boolean): RoutingKeys {
  const client = {
    options: { encoding: { useBigIntAsLong: true } },
    getReplicas: (_keyspace: string, key: Buffer) => (tokenMap ? [{ address: key.at(-1)! % 2 === 0 ? 'a' : 'b' }] : null),
  } as unknown as cassandra.Client;
  return new RoutingKeys(cassandra, client);
}

const keyOf = (r: RoutingKeys) => (n: number) => r.of([BigInt(n)], [CQL_TYPE_CODE.Long]);

describe('groupByReplica', () => {
  it('never mixes replicas in a batch, keeps the order within each, and starts a batch at maxItems', () => {
    const r = routing(true);
    const batches = r.groupByReplica('ks', [0, 1, 2, 3, 4, 6, 8, 5], keyOf(r), { maxItems: 3 });
    expect(batches.map((b) => b.items)).toEqual([[0, 2, 4], [1, 3, 5], [6, 8]]);
    // Each batch's routing key is its first item's.
    expect(batches.map((b) => b.routingKey)).toEqual([0, 1, 6].map(keyOf(r)));
  });

  it('caps a batch by size, with an item larger than the cap alone', () => {
    const r = routing(true);
    const sizes = new Map([[0, 3_000], [2, 3_000], [4, 10], [6, 100_000], [8, 10]]);
    const batches = r.groupByReplica('ks', [0, 2, 4, 6, 8], keyOf(r), { maxItems: 16, maxBytes: 4_096, sizeOf: (n) => sizes.get(n)! });
    expect(batches.map((b) => b.items)).toEqual([[0], [2, 4], [6], [8]]);
    expect(batches.map((b) => b.bytes)).toEqual([3_000, 3_010, 100_000, 10]);
  });

  it('without a token map (not loaded yet) batches everything as one replica', () => {
    const r = routing(false);
    expect(r.groupByReplica('ks', [0, 1, 2, 3, 4], keyOf(r), { maxItems: 2 }).map((b) => b.items)).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('serializes a composite key as Cassandra does: each part with a 2-byte length and a 0 byte', () => {
    const r = routing(true);
    expect(r.of(['ab', 7], [CQL_TYPE_CODE.Text, CQL_TYPE_CODE.Int]).toString('hex')).toBe('0002' + '6162' + '00' + '0004' + '00000007' + '00');
    expect(r.of([7], [CQL_TYPE_CODE.Int]).toString('hex')).toBe('00000007');
  });
});
