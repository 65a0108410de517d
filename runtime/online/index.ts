export { mapBounded } from './bounded-map.ts';
export type { KeyScalar, KeyValues, OnlineStore, OnlineTable, StoredEvent, StoredValue, TaggedEvent, TaggedValue } from './online-store.ts';
export { openOnlineStore } from './open-online-store.ts';
