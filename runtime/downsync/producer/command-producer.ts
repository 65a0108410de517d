/**
 * The write side of downsync: commands sent to the command topic instead of written to the online
 * store, through the SAME typed surface as the in-process writes. A CommandProducer is a FeatureClient
 * (FeatureReader & FeatureWriter), so the generated accessors take it as they take
 * `runtime.reader(consumer)`: `createFeatures(producer).live.roomContextV1.put(key, value)` sends a
 * command; the transport is chosen at configuration, not by a second API. Read-only features have no
 * `put`/`append` in the generated code, so sending one does not compile.
 *
 * What a send checks, all before anything is queued for the stream (so a refused send sends nothing):
 * - the ACL: the producer's consumer in the feature's `access.write` (AccessDeniedError), the feature
 *   known to this deployment and of the right type;
 * - the key and value: the typed accessors check them already (the feature's key codec and the generated
 *   zod schema, runtime/write/writable-accessors.ts) and hand over KeyValues and a checked value; the
 *   by-name path (`encodeByName`, the CLI) goes through the by-name API's checks (key codec `fromNames`,
 *   coerceValue with Avro defaults), so every path validates exactly as the in-process writes do;
 * - the writer schema: a client generated from a newer manifest than the one loaded is refused
 *   (UndeployedSchemaError), as in-process.
 * Each command is encoded once (value Avro, key record, envelope) and published keyed by
 * commandRecordKey, batched by CommandBatcher.
 *
 * Event time: a History command's is the value's event-time field; an Object command's is the send
 * time from the process's write clock (strictly increasing per process: two sends of one key in one
 * millisecond keep their order under last-writer-wins), unless the by-name row gives one.
 */
import { commandRecordKey, encodeFeatureCommand, keyCodecForCommands, type FeatureCommand } from '../../../core/commands/index.ts';
import type { CatalogFeature, FeatureCatalog } from '../../manifest/feature-catalog.ts';
import type { KeyValues } from '../../online/online-store.ts';
import type { FeatureDescriptor, FeatureReader, HistoryFeatureDescriptor, ObjectFeatureDescriptor } from '../../read/feature-reader.ts';
import { keyCodecOf } from '../../read/key-codec.ts';
import { AccessDeniedError, InvalidInputError, UnknownFeatureError, WrongFeatureTypeError, type FieldRecord } from '../../read/online-runtime.ts';
import { coerceValue } from '../../read/record-coercion.ts';
import { encodeCheckedValue } from '../../read/value-codec.ts';
import type { StreamRecord } from '../../stream/feature-stream.ts';
import type { FeatureStream } from '../../stream/feature-stream.ts';
import type { FeatureClient, TypedRow } from '../../write/feature-writer.ts';
import { writeClock } from '../../write/write-clock.ts';
import { UndeployedSchemaError } from '../../write/write-errors.ts';
import { CommandBatcher, type BatchSettings } from './command-batcher.ts';
import { PRODUCER_ERRORS, ProducerClosedError, ReadsUnsupportedError, UnknownConsumerError } from './producer-errors.ts';

export interface CommandProducerOptions extends BatchSettings {
  readonly catalog: FeatureCatalog;
  readonly stream: FeatureStream;
  /** The command topic (the manifest's project.kafka.topic). */
  readonly topic: string;
  /** The consumer (featurestore.yaml consumers) the producer acts as. */
  readonly consumer: string;
  /** Where the accessors' reads go; without it a read rejects with ReadsUnsupportedError. */
  readonly reads?: FeatureReader;
  /** Closed by close() (default: true; false when the caller shares the stream). */
  readonly ownsStream?: boolean;
  /** The send time (`sent_at`); injectable for tests. */
  readonly now?: () => Date;
}

/** A by-name row: key and value by YAML field names in the Read API's lenient forms. */
export interface NamedCommandRow {
  readonly key: FieldRecord;
  readonly value: FieldRecord;
  /** Object: default the send time. History: must equal the value's event-time field when given. */
  readonly eventTime?: Date;
}

/** A checked and encoded command, ready to publish (what encodeByName returns). */
export interface PreparedCommand {
  readonly command: FeatureCommand;
  readonly record: StreamRecord;
}

export class CommandProducer implements FeatureClient {
  private readonly batcher: CommandBatcher;
  private closed = false;
  private readonly now: () => Date;

  constructor(private readonly options: CommandProducerOptions) {
    const { catalog, consumer } = options;
    if (!catalog.consumers.includes(consumer)) throw new UnknownConsumerError(consumer, catalog.consumers);
    this.batcher = new CommandBatcher(options.stream, options.topic, options);
    this.now = options.now ?? (() => new Date());
  }

  get consumer(): string {
    return this.options.consumer;
  }

  get topic(): string {
    return this.options.topic;
  }

  /** Publishes made so far (each carries one or more commands). */
  get publishes(): number {
    return this.batcher.publishes;
  }

  // ---- FeatureWriter: the generated accessors' put/append ----

  put<K, V>(feature: ObjectFeatureDescriptor<K, V>, rows: readonly TypedRow<V>[]): Promise<void> {
    return this.settle(() => {
      const f = this.writable(feature.fullName, 'Object', 'put');
      const schemaId = deployedSchemaId(f, feature);
      return rows.map((row) => this.prepare(f, row.key, encodeCheckedValue(feature, row.value), schemaId, writeClock.timeFor(f.fullName, row.key)));
    });
  }

  append<K, V>(feature: HistoryFeatureDescriptor<K, V>, rows: readonly TypedRow<V>[]): Promise<void> {
    return this.settle(() => {
      const f = this.writable(feature.fullName, 'History', 'append');
      const schemaId = deployedSchemaId(f, feature);
      const field = feature.eventTimeField.tsName;
      return rows.map((row) => {
        const eventTime = (row.value as Readonly<Record<string, unknown>>)[field] as Date;
        return this.prepare(f, row.key, encodeCheckedValue(feature, row.value), schemaId, eventTime);
      });
    });
  }

  // ---- By name (the CLI, JS without generated types) ----

  /**
   * Checks and encodes one by-name row without sending it: the ACL, the key, the value (defaults
   * filled), the event time. Throws AccessDeniedError, UnknownFeatureError, WrongFeatureTypeError or
   * InvalidInputError (naming the field; `where` is appended to the message, e.g. ` (at line 3)`).
   */
  encodeByName(feature: string, row: NamedCommandRow, where = ''): PreparedCommand {
    const known = this.options.catalog.features.get(feature);
    if (!known) throw new UnknownFeatureError(feature);
    const f = this.writable(feature, known.featureType, known.featureType === 'Object' ? 'put' : 'append');
    if (typeof row !== 'object' || row === null) throw new InvalidInputError(feature, undefined, PRODUCER_ERRORS.notARow(where));
    const key = keyCodecOf(f.fullName, f.keyFields).fromNames(row.key, where);
    const record = coerceValue(f, row.value, where);
    let bytes: Uint8Array;
    try {
      bytes = f.serde.encode(record);
    } catch (e) {
      throw new InvalidInputError(feature, undefined, PRODUCER_ERRORS.unencodable(e instanceof Error ? e.message : String(e), where));
    }
    const given = row.eventTime;
    if (given !== undefined && !(given instanceof Date && !Number.isNaN(given.getTime()))) {
      throw new InvalidInputError(feature, undefined, PRODUCER_ERRORS.badEventTime(given, where));
    }
    let eventTime: Date;
    if (f.featureType === 'History') {
      const inValue = record[f.eventTimeField];
      if (given !== undefined && (!(inValue instanceof Date) || inValue.getTime() !== given.getTime())) {
        throw new InvalidInputError(feature, f.eventTimeField, PRODUCER_ERRORS.eventTimeMismatch(f.eventTimeField, given, inValue, where));
      }
      eventTime = inValue as Date;
    } else {
      eventTime = given ?? writeClock.timeFor(f.fullName, key);
    }
    return this.prepare(f, key, bytes, f.serde.readerId, eventTime);
  }

  /** Checks and sends by-name rows of one feature (all checked before any is sent). */
  sendByName(feature: string, rows: readonly NamedCommandRow[]): Promise<void> {
    return this.settle(() => rows.map((row, i) => this.encodeByName(feature, row, ` (at rows[${i}])`)));
  }

  /** Publishes prepared commands (from encodeByName), batched with every other send. */
  publish(prepared: readonly PreparedCommand[]): Promise<void> {
    if (this.closed) return Promise.reject(new ProducerClosedError());
    return this.batcher.send(prepared.map((p) => p.record));
  }

  /** Resolves once every send so far was acknowledged (or failed). */
  flush(): Promise<void> {
    return this.batcher.flush();
  }

  /** Flushes, then closes the stream unless `ownsStream: false`. Sends after close reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.batcher.flush();
    if (this.options.ownsStream !== false) await this.options.stream.close();
  }

  // ---- FeatureReader: delegated to `reads` when configured ----

  get<K, V>(feature: ObjectFeatureDescriptor<K, V>, key: KeyValues): Promise<V | null> {
    return this.options.reads ? this.options.reads.get(feature, key) : Promise.reject(new ReadsUnsupportedError(feature.fullName));
  }

  getMany<K, V>(feature: ObjectFeatureDescriptor<K, V>, keys: readonly KeyValues[]): Promise<(V | null)[]> {
    return this.options.reads ? this.options.reads.getMany(feature, keys) : Promise.reject(new ReadsUnsupportedError(feature.fullName));
  }

  latest<K, V>(feature: HistoryFeatureDescriptor<K, V>, key: KeyValues, n: number): Promise<V[]> {
    return this.options.reads ? this.options.reads.latest(feature, key, n) : Promise.reject(new ReadsUnsupportedError(feature.fullName));
  }

  range<K, V>(feature: HistoryFeatureDescriptor<K, V>, key: KeyValues, from: Date, to: Date): Promise<V[]> {
    return this.options.reads ? this.options.reads.range(feature, key, from, to) : Promise.reject(new ReadsUnsupportedError(feature.fullName));
  }

  // ---- internals ----

  /** The ACL and type checks of WritePath.grant, for a write that goes to the stream instead of the store. */
  private writable(feature: string, type: 'Object' | 'History', operation: string): CatalogFeature {
    const { catalog, consumer } = this.options;
    const f = catalog.features.get(feature);
    if (!f) throw new UnknownFeatureError(feature);
    if (!catalog.canWrite(consumer, feature)) throw new AccessDeniedError(consumer, feature, 'write');
    if (f.featureType !== type) throw new WrongFeatureTypeError(feature, f.featureType, operation);
    return f;
  }

  private prepare(f: CatalogFeature, key: KeyValues, value: Uint8Array, writerSchemaId: bigint, eventTime: Date): PreparedCommand {
    const keyBytes = keyCodecForCommands(f).encode(key);
    const command: FeatureCommand = {
      feature: f.fullName,
      key: keyBytes,
      eventTime,
      writerSchemaId,
      value,
      producer: this.options.consumer,
      sentAt: this.now(),
    };
    return { command, record: { key: commandRecordKey(f.fullName, keyBytes), value: encodeFeatureCommand(command) } };
  }

  /** Every command prepared (all checks passed) before any is queued; a throw is a rejection. */
  private settle(prepare: () => readonly PreparedCommand[]): Promise<void> {
    if (this.closed) return Promise.reject(new ProducerClosedError());
    let prepared: readonly PreparedCommand[];
    try {
      prepared = prepare();
    } catch (e) {
      return Promise.reject(e);
    }
    return this.batcher.send(prepared.map((p) => p.record));
  }
}

function deployedSchemaId<K, V>(f: CatalogFeature, descriptor: FeatureDescriptor<K, V>): bigint {
  if (!f.serde.has(descriptor.fingerprint)) throw new UndeployedSchemaError(f.fullName, descriptor.fingerprint);
  return descriptor.fingerprint;
}
