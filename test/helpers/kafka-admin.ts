/**
 * Offsets as the tests read them from the broker, through a kafkajs admin. A single busy broker
 * answers these with retriable errors now and then (NOT_COORDINATOR while __consumer_offsets loads,
 * NOT_LEADER_FOR_PARTITION just after a topic is created, both seen in CI) that kafkajs's admin passes
 * on instead of retrying: they are retried here, with backoff, and any other error fails the test.
 */
import type { Admin } from 'kafkajs';
import pRetry from 'p-retry';

const retried = <T>(work: () => Promise<T>): Promise<T> =>
  pRetry(work, { retries: 8, minTimeout: 100, maxTimeout: 2_000, shouldRetry: ({ error }) => (error as { retriable?: boolean }).retriable === true });

/** The offsets `group` has committed on `topic`, summed over its partitions (none committed counts 0). */
export async function committedOffsets(admin: Admin, group: string, topic: string): Promise<number> {
  const [offsets] = await retried(() => admin.fetchOffsets({ groupId: group, topics: [topic] }));
  return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/** The messages on `topic` per the broker's high watermarks: its end offsets, summed. */
export async function endOffsets(admin: Admin, topic: string): Promise<number> {
  return (await retried(() => admin.fetchTopicOffsets(topic))).reduce((sum, p) => sum + Number(p.high), 0);
}
