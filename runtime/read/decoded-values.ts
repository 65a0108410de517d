/**
 * One Avro decode per cache hit, not two. The cache decorator decodes every value it serves (that is
 * how it knows an entry is whole, see runtime/cache/with-cache.ts) and hands it over as an
 * InspectedValue carrying the record; the runtime's `inspect` hook decodes with the catalog feature's
 * registry, so a read with that same registry takes the record instead of decoding again. Anything else
 * (a store row, a client reading with another schema's registry, a duplicate key) decodes as usual.
 */
import type { WriterSchemaRegistry } from '../../core/serde/writer-schema-registry.ts';
import { InspectedValue } from '../cache/with-cache.ts';
import type { CatalogFeature } from '../manifest/feature-catalog.ts';
import type { TaggedValue } from '../online/online-store.ts';

type DecodedRecord = Readonly<Record<string, unknown>>;

/** What the runtime's cache decorator runs on every hit: the decode with the feature's own registry. */
export function inspectValue(f: CatalogFeature, value: TaggedValue): DecodedRecord | null {
  return f.serde.has(value.schemaId) ? f.serde.decode(value) : null;
}

/** The record of `value` read with `serde`: the one inspectValue made, when it fits, else a fresh decode. */
export function decodeValue(f: CatalogFeature, serde: WriterSchemaRegistry, value: TaggedValue): DecodedRecord {
  if (serde === f.serde && value instanceof InspectedValue) {
    const record = value.takeRecord();
    if (record !== undefined) return record;
  }
  return serde.decode(value);
}
