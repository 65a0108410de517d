/**
 * `createCommandProducer({ generatedDir, stream, consumer })`: a CommandProducer configured from the
 * generated folder (manifest.json for the features and the default topic, acl/acl.json for who may
 * write), over a stream given as options (`{ kind: 'kafka', brokers }` or `{ kind: 'memory' }`, opened
 * and owned here) or as an open FeatureStream (shared, not closed by the producer).
 *
 * Kafka settings (runtime/stream/kafka): an idempotent producer, acks=all (resolves once every in-sync
 * replica has the commands), one request in flight, Kafka's default murmur2 partitioner over the record
 * key. Batching is the producer's own (command-batcher.ts): `lingerMs` (default 0) and
 * `maxBatchRecords` (default 10,000), `maxBatchBytes` (default 900 kB).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseManifest } from '../../../core/manifest/parse-manifest.ts';
import { loadFeatureCatalog } from '../../manifest/feature-catalog.ts';
import type { FeatureReader } from '../../read/feature-reader.ts';
import type { FeatureStream } from '../../stream/feature-stream.ts';
import { openFeatureStream, type FeatureStreamOptions } from '../../stream/open-feature-stream.ts';
import type { BatchSettings } from './command-batcher.ts';
import { CommandProducer } from './command-producer.ts';

export interface CreateCommandProducerOptions extends BatchSettings {
  /** The generated folder (manifest.json, acl/acl.json). */
  readonly generatedDir: string;
  readonly stream: FeatureStream | FeatureStreamOptions;
  readonly consumer: string;
  /** Default: the manifest's project.kafka.topic. */
  readonly topic?: string;
  readonly reads?: FeatureReader;
}

export async function createCommandProducer(options: CreateCommandProducerOptions): Promise<CommandProducer> {
  const catalog = await loadFeatureCatalog(options.generatedDir);
  const topic = options.topic ?? (await manifestTopic(options.generatedDir));
  const given = options.stream;
  const owned = !isStream(given);
  const stream = isStream(given) ? given : await openFeatureStream(given);
  try {
    return new CommandProducer({
      catalog,
      stream,
      topic,
      consumer: options.consumer,
      ownsStream: owned,
      ...(options.reads ? { reads: options.reads } : {}),
      ...(options.lingerMs !== undefined ? { lingerMs: options.lingerMs } : {}),
      ...(options.maxBatchRecords !== undefined ? { maxBatchRecords: options.maxBatchRecords } : {}),
      ...(options.maxBatchBytes !== undefined ? { maxBatchBytes: options.maxBatchBytes } : {}),
    });
  } catch (e) {
    if (owned) await stream.close();
    throw e;
  }
}

/** The manifest's command topic (loadFeatureCatalog has validated the file just before). */
export async function manifestTopic(generatedDir: string): Promise<string> {
  const file = path.join(generatedDir, 'manifest.json');
  return parseManifest(JSON.parse(await readFile(file, 'utf8')), file, { formats: 'current' }).project.kafka.topic;
}

function isStream(value: FeatureStream | FeatureStreamOptions): value is FeatureStream {
  return typeof (value as Partial<FeatureStream>).publish === 'function';
}
