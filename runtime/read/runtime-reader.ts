/**
 * The FeatureReader the generated accessors call (`features.live.hakunaHostStatV1.get({ userId })`),
 * acting as one consumer: keys arrive camelCase and already checked against the descriptor's zod
 * schema; they are mapped to field names, checked again by the runtime (ACL, types), and values come
 * back camelCase, decoded with the descriptor's own schema as the reader, so the object matches the
 * TypeScript type the service was compiled with, defaults filled for fields older rows lack.
 */
import type { CatalogFeature } from '../manifest/feature-catalog.ts';
import type { KeyValues } from '../online/online-store.ts';
import type { TaggedAvro } from '../../core/serde/single-object.ts';
import type { WriterSchemaRegistry } from '../../core/serde/writer-schema-registry.ts';
import type { FeatureDescriptor, FeatureReader, HistoryFeatureDescriptor, ObjectFeatureDescriptor } from './feature-reader.ts';
import { coerceKey } from './record-coercion.ts';

/** What the reader needs from the runtime (create-online-runtime.ts implements it). */
export interface RuntimeReads {
  resolve(consumer: string, feature: string, mode: 'read', type: 'Object' | 'History', operation: string): CatalogFeature;
  readObjects(f: CatalogFeature, keys: readonly KeyValues[]): Promise<(TaggedAvro | null)[]>;
  readLatest(f: CatalogFeature, key: KeyValues, n: number): Promise<TaggedAvro[]>;
  readRange(f: CatalogFeature, key: KeyValues, from: Date, to: Date): Promise<TaggedAvro[]>;
  eventCount(f: CatalogFeature, n: number | undefined): number;
}

/** Per catalog registry and descriptor: the registry reading with the descriptor's schema. */
const registries = new WeakMap<WriterSchemaRegistry, WeakMap<object, WriterSchemaRegistry>>();

export class RuntimeFeatureReader implements FeatureReader {
  constructor(
    private readonly consumer: string,
    private readonly runtime: RuntimeReads,
  ) {}

  async get<K, V>(feature: ObjectFeatureDescriptor<K, V>, key: K): Promise<V | null> {
    const [value] = await this.getMany(feature, [key]);
    return value ?? null;
  }

  async getMany<K, V>(feature: ObjectFeatureDescriptor<K, V>, keys: readonly K[]): Promise<(V | null)[]> {
    const f = this.runtime.resolve(this.consumer, feature.fullName, 'read', 'Object', 'get');
    const values = await this.runtime.readObjects(f, keys.map((k, i) => this.key(f, feature, k, keys.length > 1 ? ` (at keys[${i}])` : '')));
    const serde = registryFor(f, feature);
    return values.map((v) => (v ? toTyped<V>(feature, serde.decode(v)) : null));
  }

  async latest<K, V>(feature: HistoryFeatureDescriptor<K, V>, key: K, n: number): Promise<V[]> {
    const f = this.runtime.resolve(this.consumer, feature.fullName, 'read', 'History', 'latest');
    const events = await this.runtime.readLatest(f, this.key(f, feature, key, ''), this.runtime.eventCount(f, n));
    const serde = registryFor(f, feature);
    return events.map((e) => toTyped<V>(feature, serde.decode(e)));
  }

  async range<K, V>(feature: HistoryFeatureDescriptor<K, V>, key: K, from: Date, to: Date): Promise<V[]> {
    const f = this.runtime.resolve(this.consumer, feature.fullName, 'read', 'History', 'range');
    const events = await this.runtime.readRange(f, this.key(f, feature, key, ''), from, to);
    const serde = registryFor(f, feature);
    return events.map((e) => toTyped<V>(feature, serde.decode(e)));
  }

  private key<K, V>(f: CatalogFeature, descriptor: FeatureDescriptor<K, V>, key: K, where: string): KeyValues {
    const source = key as Readonly<Record<string, unknown>>;
    const byName: Record<string, unknown> = {};
    for (const field of descriptor.keyFields) byName[field.name] = source[field.tsName];
    return coerceKey(f, byName, where);
  }
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

function toTyped<V>(descriptor: FeatureDescriptor<unknown, V>, record: Readonly<Record<string, unknown>>): V {
  const value: Record<string, unknown> = {};
  for (const field of descriptor.valueFields) value[field.tsName] = record[field.name];
  return value as V;
}
