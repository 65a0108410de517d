/**
 * Freshness: typed sends (`createFeatures(producer).live.realtimeRoomContextV1.put`, a CommandProducer
 * on Kafka) at a steady rate while the worker runs, and the Read API (`featurestore serve`, Cassandra
 * behind Redis) polled until each sampled command's value is readable. One command in `sampleEvery` is
 * timed: t0 just before its `put` (the checks and the encoding are part of the send), done when a Read
 * API response shows its `viewer_count` marker (or a later one of the same room: markers increase with
 * the send order, and so do the commands' event times). Outstanding keys are polled together, one
 * batched get in flight at a time, so the poller costs about one request per round trip whatever the
 * rate and cannot swamp the server it measures; the resolution is one round trip (~1–5 ms here).
 *
 * Pacing: every ~2 ms the commands due by then (elapsed × rate) are sent, so the rate holds on average
 * and bursts are a few milliseconds long. Each put is one call, as a backend sending events one at a
 * time makes them (the batcher shares Kafka requests between them).
 */
import { createFeatures } from '../../../generated/ts/index.ts';
import type { CommandProducer } from '../../../runtime/downsync/producer/index.ts';
import { sleep } from './children.ts';
import { roomValue } from './commands.ts';

export interface FreshnessResult {
  readonly durationSec: number;
  readonly sent: number;
  readonly acknowledged: number;
  readonly sendErrors: number;
  readonly sendRate: number;
  readonly timed: number;
  /** Sorted ms, send → readable. */
  readonly latencies: readonly number[];
  /** Timed commands not readable within the grace period. */
  readonly unresolved: number;
  readonly polls: number;
  readonly pollErrors: number;
}

interface Timed {
  readonly room: bigint;
  readonly marker: number;
  readonly t0: number;
}

export async function measureFreshness(options: {
  readonly producer: CommandProducer;
  readonly readUrl: string;
  readonly apiKey: string;
  readonly feature: string;
  readonly rate: number;
  readonly durationSec: number;
  readonly rooms: number;
  readonly firstRoom: bigint;
  readonly sampleEvery: number;
  readonly graceMs: number;
}): Promise<FreshnessResult> {
  const rooms = createFeatures(options.producer).live.realtimeRoomContextV1;
  const outstanding = new Map<number, Timed>();
  const latencies: number[] = [];
  let sent = 0;
  let acknowledged = 0;
  let sendErrors = 0;
  let firstSendError: unknown = null;
  let sending = true;
  let polls = 0;
  let pollErrors = 0;
  let stoppedAt = Infinity;
  const url = `${options.readUrl}/v1/features/${options.feature}/get`;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` };

  const poller = (async () => {
    const graceEnd = () => (sending ? Infinity : stoppedAt + options.graceMs);
    while (sending || (outstanding.size > 0 && performance.now() < graceEnd())) {
      if (outstanding.size === 0) {
        await sleep(1);
        continue;
      }
      const batch = [...outstanding.entries()].slice(0, 200);
      const body = JSON.stringify({ keys: batch.map(([, t]) => ({ room_id: String(t.room) })) });
      polls++;
      let values: ({ readonly viewer_count?: number } | null)[];
      try {
        const res = await fetch(url, { method: 'POST', headers, body });
        const text = await res.text();
        if (!res.ok) throw new Error(`${res.status} ${text.slice(0, 200)}`);
        values = (JSON.parse(text) as { values: ({ viewer_count?: number } | null)[] }).values;
      } catch (e) {
        pollErrors++;
        if (pollErrors === 1) process.stderr.write(`  first poll error: ${e instanceof Error ? e.message : String(e)}\n`);
        await sleep(10);
        continue;
      }
      const at = performance.now();
      batch.forEach(([seq, t], i) => {
        const v = values[i];
        if (v && typeof v.viewer_count === 'number' && v.viewer_count >= t.marker) {
          latencies.push(at - t.t0);
          outstanding.delete(seq);
        }
      });
    }
  })();

  const acks: Promise<void>[] = [];
  const start = performance.now();
  const durationMs = options.durationSec * 1000;
  for (let elapsed = 0; elapsed < durationMs; elapsed = performance.now() - start) {
    const due = Math.floor((elapsed / 1000) * options.rate);
    while (sent < due) {
      const seq = sent++;
      const room = options.firstRoom + BigInt(seq % options.rooms);
      const v = roomValue(seq);
      const t0 = performance.now();
      const ack = rooms.put(
        { roomId: room },
        { viewerCount: v.viewer_count, likeCount1m: v.like_count_1m, giftAmount10m: v.gift_amount_10m, clickThroughRate1h: v.click_through_rate_1h, visionLabels: v.vision_labels, lastFrameAt: v.last_frame_at, isAdultSuspected: v.is_adult_suspected },
      );
      if (seq % options.sampleEvery === 0) outstanding.set(seq, { room, marker: seq, t0 });
      acks.push(
        ack.then(
          () => void acknowledged++,
          (e: unknown) => {
            sendErrors++;
            firstSendError ??= e;
            outstanding.delete(seq);
          },
        ),
      );
    }
    await sleep(2);
  }
  const sendWindowSec = (performance.now() - start) / 1000;
  await Promise.all(acks);
  const ackedSec = (performance.now() - start) / 1000;
  stoppedAt = performance.now();
  sending = false;
  await poller;
  if (firstSendError) process.stderr.write(`  first send error: ${firstSendError instanceof Error ? firstSendError.message : String(firstSendError)}\n`);
  latencies.sort((a, b) => a - b);
  return {
    durationSec: sendWindowSec,
    sent,
    acknowledged,
    sendErrors,
    sendRate: acknowledged / ackedSec,
    timed: latencies.length + outstanding.size,
    latencies,
    unresolved: outstanding.size,
    polls,
    pollErrors,
  };
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
