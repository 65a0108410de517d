/**
 * Producer throughput: typed puts (`createFeatures(producer).live.realtimeRoomContextV1.put`, one call
 * per command, as a backend makes them) offered at `rate` per second for `durationSec`, on Kafka with
 * acks=all → sends acknowledged per second, and how long the acknowledgements trailed the offer.
 * Runs on its own topic so no worker is involved: it measures the producer and the broker only.
 */
import { createFeatures } from '../../../generated/ts/index.ts';
import type { CommandProducer } from '../../../runtime/downsync/producer/index.ts';
import { sleep } from './children.ts';
import { roomValue } from './commands.ts';

export interface ProducerRate {
  readonly offered: number;
  readonly acknowledged: number;
  readonly errors: number;
  /** Acknowledged per second, from the first send to the last acknowledgement. */
  readonly rate: number;
  readonly publishes: number;
}

export async function producerRate(producer: CommandProducer, rate: number, durationSec: number, firstRoom: bigint): Promise<ProducerRate> {
  const rooms = createFeatures(producer).live.realtimeRoomContextV1;
  const acks: Promise<void>[] = [];
  let sent = 0;
  let acknowledged = 0;
  let errors = 0;
  const start = performance.now();
  for (let elapsed = 0; elapsed < durationSec * 1000; elapsed = performance.now() - start) {
    const due = Math.floor((elapsed / 1000) * rate);
    while (sent < due) {
      const seq = sent++;
      const v = roomValue(seq);
      acks.push(
        rooms
          .put(
            { roomId: firstRoom + BigInt(seq % 20_000) },
            { viewerCount: v.viewer_count, likeCount1m: v.like_count_1m, giftAmount10m: v.gift_amount_10m, clickThroughRate1h: v.click_through_rate_1h, visionLabels: v.vision_labels, lastFrameAt: v.last_frame_at, isAdultSuspected: v.is_adult_suspected },
          )
          .then(
            () => void acknowledged++,
            () => void errors++,
          ),
      );
    }
    await sleep(2);
  }
  await Promise.all(acks);
  const seconds = (performance.now() - start) / 1000;
  return { offered: sent, acknowledged, errors, rate: acknowledged / seconds, publishes: producer.publishes };
}
