/**
 * The one way writes reach the online store. A write needs a WriteGrant, and only `grant` makes one,
 * after the feature exists, the consumer is in its `access.write` (generated/acl/acl.json) and the
 * operation fits the feature type: so every write path (the by-name API, typed accessors, the sync
 * jobs through OnlineWriter) is ACL-checked by construction, not by each caller remembering to.
 *
 * The store given is the one reads use, cache decorator included (runtime/cache/with-cache.ts): a write
 * resolves only once its cached keys are deleted, or rejects with CacheInvalidationError.
 */
import type { CatalogFeature, FeatureCatalog } from '../manifest/feature-catalog.ts';
import { NOTHING_WRITTEN, type KeyValues, type OnlineStore, type StoredEvent, type StoredValue, type WriteReport } from '../online/online-store.ts';
import { AccessDeniedError, UnknownFeatureError, WrongFeatureTypeError } from '../read/online-runtime.ts';

const GRANTED: unique symbol = Symbol('write grant');

/** Permission for one consumer to write one feature of type T; made by WritePath.grant only. */
export interface WriteGrant<T extends 'Object' | 'History' = 'Object' | 'History'> {
  readonly consumer: string;
  readonly feature: CatalogFeature;
  readonly type: T;
  readonly [GRANTED]: true;
}

export interface ValueRow {
  readonly key: KeyValues;
  readonly value: StoredValue;
}

export interface EventRow {
  readonly key: KeyValues;
  readonly event: StoredEvent;
}

export class WritePath {
  constructor(
    private readonly catalog: FeatureCatalog,
    private readonly store: OnlineStore,
  ) {}

  /** The feature, if `consumer` may write it with `operation` (an Object put or a History append). */
  grant<T extends 'Object' | 'History'>(consumer: string, feature: string, type: T, operation: string): WriteGrant<T> {
    const f = this.catalog.features.get(feature);
    if (!f) throw new UnknownFeatureError(feature);
    if (!this.catalog.canWrite(consumer, feature)) throw new AccessDeniedError(consumer, feature, 'write');
    if (f.featureType !== type) throw new WrongFeatureTypeError(feature, f.featureType, operation);
    return { consumer, feature: f, type, [GRANTED]: true };
  }

  /** Rows whose keys and values are checked and encoded already. */
  /** Last-writer-wins by each row's updatedAt (runtime/online/write-timestamp.ts). */
  async put(grant: WriteGrant<'Object'>, rows: readonly ValueRow[]): Promise<WriteReport> {
    return rows.length > 0 ? this.store.putMany(grant.feature.table, rows) : NOTHING_WRITTEN;
  }

  async append(grant: WriteGrant<'History'>, rows: readonly EventRow[]): Promise<WriteReport> {
    return rows.length > 0 ? this.store.appendMany(grant.feature.table, rows) : NOTHING_WRITTEN;
  }
}
