/** The downsync write side: typed and by-name command producers over a FeatureStream. */
export { CommandBatcher, DEFAULT_LINGER_MS, DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_RECORDS, type BatchSettings } from './command-batcher.ts';
export { CommandProducer, type CommandProducerOptions, type NamedCommandRow, type PreparedCommand } from './command-producer.ts';
export { createCommandProducer, manifestTopic, type CreateCommandProducerOptions } from './create-command-producer.ts';
export { PRODUCER_ERRORS, ProducerClosedError, ReadsUnsupportedError, UnknownConsumerError } from './producer-errors.ts';
