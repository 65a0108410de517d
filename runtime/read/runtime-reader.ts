/**
 * The FeatureReader (and FeatureWriter) the generated accessors call
 * (`features.live.hakunaHostStatV1.get({ userId })`), acting as one consumer. Keys arrive as KeyValues
 * the accessor's key codec made, values to write as the generated zod schema accepted them: nothing is
 * validated again here, only the ACL is applied. Values come back camelCase, decoded with the
 * descriptor's own schema as the reader, so the object matches the TypeScript type the service was
 * compiled with, defaults filled for fields older rows lack; writes are encoded with that schema too,
 * tagged with its fingerprint.
 */
import type { WriterSchemaRegistry } from '../../core/serde/writer-schema-registry.ts';
import type { CatalogFeature } from '../manifest/feature-catalog.ts';
import type { KeyValues, OnlineStore, StoredEvent, StoredValue, TaggedValue } from '../online/online-store.ts';
import type { FeatureClient, TypedRow } from '../write/feature-writer.ts';
import { UndeployedSchemaError } from '../write/write-errors.ts';
import type { WritePath } from '../write/write-path.ts';
import { decodeValue } from './decoded-values.ts';
import type { FeatureDescriptor, FieldDescriptor, HistoryFeatureDescriptor, ObjectFeatureDescriptor } from './feature-reader.ts';
import { encodeCheckedValue } from './value-codec.ts';
import { writeClock } from '../write/write-clock.ts';

/** What the reader needs from the runtime (store-backed-runtime.ts implements it). */
export interface RuntimeReads {
  /** The feature, after the existence, ACL (`access.read`) and feature-type checks. */
  readable(consumer: string, feature: string, type: 'Object' | 'History', operation: string): CatalogFeature;
  /** The store, cache decorator included. */
  readonly store: OnlineStore;
  readonly writes: WritePath;
  /** Events a `range` read returns at most. */
  rangeLimit(f: CatalogFeature): number;
}

/** Per catalog registry and descriptor: the registry reading with the descriptor's schema. */
const registries = new WeakMap<WriterSchemaRegistry, WeakMap<object, WriterSchemaRegistry>>();

export class RuntimeFeatureReader implements FeatureClient {
  constructor(
    private readonly consumer: string,
    private readonly runtime: RuntimeReads,
  ) {}

  get<K, V>(feature: ObjectFeatureDescriptor<K, V>, key: KeyValues): Promise<V | null> {
    try {
      const f = this.runtime.readable(this.consumer, feature.fullName, 'Object', 'get');
      return this.runtime.store.getMany(f.table, [key]).then((values) => {
        const value = values[0];
        return value ? this.typed(f, feature, value) : null;
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async getMany<K, V>(feature: ObjectFeatureDescriptor<K, V>, keys: readonly KeyValues[]): Promise<(V | null)[]> {
    const f = this.runtime.readable(this.consumer, feature.fullName, 'Object', 'get');
    if (keys.length === 0) return [];
    const values = await this.runtime.store.getMany(f.table, keys);
    return values.map((v) => (v ? this.typed(f, feature, v) : null));
  }

  async latest<K, V>(feature: HistoryFeatureDescriptor<K, V>, key: KeyValues, n: number): Promise<V[]> {
    const f = this.runtime.readable(this.consumer, feature.fullName, 'History', 'latest');
    const events = await this.runtime.store.latest(f.table, key, n);
    return events.map((e) => this.typed(f, feature, e));
  }

  async range<K, V>(feature: HistoryFeatureDescriptor<K, V>, key: KeyValues, from: Date, to: Date): Promise<V[]> {
    const f = this.runtime.readable(this.consumer, feature.fullName, 'History', 'range');
    const events = await this.runtime.store.range(f.table, key, from, to, this.runtime.rangeLimit(f));
    return events.map((e) => this.typed(f, feature, e));
  }

  async put<K, V>(feature: ObjectFeatureDescriptor<K, V>, rows: readonly TypedRow<V>[]): Promise<void> {
    const grant = this.runtime.writes.grant(this.consumer, feature.fullName, 'Object', 'put');
    const schemaId = deployedSchemaId(grant.feature, feature);
    await this.runtime.writes.put(
      grant,
      rows.map((row) => ({
        key: row.key,
        value: { value: encodeCheckedValue(feature, row.value), schemaId, updatedAt: writeClock.timeFor(feature.fullName, row.key) } satisfies StoredValue,
      })),
    );
  }

  async append<K, V>(feature: HistoryFeatureDescriptor<K, V>, rows: readonly TypedRow<V>[]): Promise<void> {
    const grant = this.runtime.writes.grant(this.consumer, feature.fullName, 'History', 'append');
    const schemaId = deployedSchemaId(grant.feature, feature);
    const eventTimeOf = (value: V) => (value as Readonly<Record<string, unknown>>)[feature.eventTimeField.tsName] as Date;
    await this.runtime.writes.append(
      grant,
      rows.map((row) => ({
        key: row.key,
        event: {
          value: encodeCheckedValue(feature, row.value),
          schemaId,
          updatedAt: writeClock.timeFor(feature.fullName, row.key),
          eventTime: eventTimeOf(row.value),
        } satisfies StoredEvent,
      })),
    );
  }

  private typed<K, V>(f: CatalogFeature, descriptor: FeatureDescriptor<K, V>, value: TaggedValue): V {
    return toTyped<V>(descriptor, decodeValue(f, registryFor(f, descriptor), value));
  }
}

/**
 * The descriptor's fingerprint, if this deployment can read values written with it: a client generated
 * from an older manifest writes with its schema (readers resolve it), one from a newer manifest is refused.
 */
function deployedSchemaId<K, V>(f: CatalogFeature, descriptor: FeatureDescriptor<K, V>): bigint {
  if (!f.serde.has(descriptor.fingerprint)) throw new UndeployedSchemaError(f.fullName, descriptor.fingerprint);
  return descriptor.fingerprint;
}

function registryFor<K, V>(f: CatalogFeature, descriptor: FeatureDescriptor<K, V>): WriterSchemaRegistry {
  if (descriptor.fingerprint === f.serde.readerId) return f.serde;
  // A client compiled from another manifest version: read with its schema, over the catalog's writers.
  let byDescriptor = registries.get(f.serde);
  if (!byDescriptor) registries.set(f.serde, (byDescriptor = new WeakMap()));
  let registry = byDescriptor.get(descriptor);
  if (!registry) byDescriptor.set(descriptor, (registry = f.serde.withReader(descriptor.avroSchema, descriptor.fingerprint)));
  return registry;
}

type Renamer = (record: Readonly<Record<string, unknown>>) => Record<string, unknown>;
const renamers = new WeakMap<readonly FieldDescriptor[], Renamer>();

function toTyped<V>(descriptor: FeatureDescriptor<unknown, V>, record: Readonly<Record<string, unknown>>): V {
  let rename = renamers.get(descriptor.valueFields);
  if (!rename) renamers.set(descriptor.valueFields, (rename = compileRenamer(descriptor.valueFields)));
  return rename(record) as V;
}

/**
 * `record => ({ countryCode: record["country_code"], … })`, built once per descriptor. A loop of
 * `value[field.tsName] = record[field.name]` makes every property store a lookup by a varying key
 * (about 90 ns for four fields, measured); one object literal per feature is a single allocation of a
 * known shape (about 10 ns). Names are embedded as JSON string literals, so no field name can be code.
 */
function compileRenamer(fields: readonly FieldDescriptor[]): Renamer {
  const entries = fields.map((f) => `${JSON.stringify(f.tsName)}: record[${JSON.stringify(f.name)}]`);
  return new Function('record', `return { ${entries.join(', ')} };`) as Renamer;
}
