/**
 * `Promise.all(items.map(fn))` with at most `limit` calls in flight: a 1,000-key request must not put
 * 1,000 requests on a connection at once (the driver queues them anyway, and a burst from one caller
 * then delays every other caller's reads behind it).
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    // After a failure the request is lost anyway: start no new calls.
    while (next < items.length && !failed) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
  return results;
}
