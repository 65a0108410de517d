/**
 * Kafka's default partitioner: `toPositive(murmur2(key)) % partitions`, bit for bit as the Java client
 * (and kafkajs's DefaultPartitioner) compute it. The in-process stream uses it too, so a key lands in
 * the same partition number on both adapters, and a JVM or Python producer (Flink, Spark) writing
 * commands with its default partitioner agrees with ours.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Murmur2, 32-bit, as org.apache.kafka.common.utils.Utils.murmur2 (a signed int). */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const blocks = length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const at = i * 4;
    let k = (data[at] as number) | ((data[at + 1] as number) << 8) | ((data[at + 2] as number) << 16) | ((data[at + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = blocks * 4;
  const rest = length & 3;
  if (rest === 3) h ^= (data[tail + 2] as number) << 16;
  if (rest >= 2) h ^= (data[tail + 1] as number) << 8;
  if (rest >= 1) {
    h ^= data[tail] as number;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

export function partitionOf(key: Uint8Array, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
