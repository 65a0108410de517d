/**
 * Builds the configured stream. The Kafka adapter (and kafkajs) is imported only when asked for; the
 * in-process stream has no dependency.
 */
import type { FeatureStream } from './feature-stream.ts';
import type { KafkaFeatureStreamOptions } from './kafka/kafka-stream-options.ts';
import type { MemoryFeatureStreamOptions } from './memory/memory-feature-stream.ts';

export type FeatureStreamOptions =
  | ({ readonly kind: 'memory' } & MemoryFeatureStreamOptions)
  | ({ readonly kind: 'kafka' } & KafkaFeatureStreamOptions)
  | { readonly kind: 'custom'; readonly stream: FeatureStream };

export async function openFeatureStream(options: FeatureStreamOptions): Promise<FeatureStream> {
  switch (options.kind) {
    case 'custom':
      return options.stream;
    case 'memory': {
      const { MemoryFeatureStream } = await import('./memory/memory-feature-stream.ts');
      return new MemoryFeatureStream(options);
    }
    case 'kafka': {
      const { openKafkaFeatureStream } = await import('./kafka/kafka-feature-stream.ts');
      return openKafkaFeatureStream(options);
    }
  }
}
