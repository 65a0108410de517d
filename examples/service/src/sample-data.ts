/**
 * What the example writes, typed with the generated types: a compile error here means the YAML under
 * features/ changed shape. The user id and the spend are above 2^53, where a JS number would round.
 */
import type { ItemViewHistoryV1Key, ItemViewHistoryV1Value } from '../generated/ts/shop/item-view-history-v1.js';
import type { UserProfileV1Key, UserProfileV1Value } from '../generated/ts/shop/user-profile-v1.js';

export const USER: UserProfileV1Key & ItemViewHistoryV1Key = { userId: 9_007_199_254_740_993n };
/** A user nothing was written for: every read answers null or no events. */
export const UNKNOWN_USER: UserProfileV1Key = { userId: 42n };

export const PROFILE: UserProfileV1Value = {
  displayName: 'Ada',
  lifetimeSpendMicros: 12_345_678_901_234_567n,
  signedUpAt: new Date('2021-03-04T05:06:07.890Z'),
  favoriteCategories: ['books', 'garden'],
  blockedItemIds: [9_223_372_036_854_775_807n],
  affinity: 0.75,
};

const T0 = Date.parse('2024-06-01T10:00:00.000Z');

/** Views in the order they happened (oldest first); reads answer newest first. */
export const VIEWS: readonly ItemViewHistoryV1Value[] = [
  { viewedAt: new Date(T0), itemId: 9_007_199_254_741_000n, category: 'books', dwellMs: 12_000 },
  { viewedAt: new Date(T0 + 60_000), itemId: 9_223_372_036_854_775_807n, category: 'garden', dwellMs: 45_000 },
  { viewedAt: new Date(T0 + 120_000), itemId: 77n, category: 'toys', dwellMs: 3_000 },
  { viewedAt: new Date(T0 + 180_000), itemId: 78n, category: 'garden', dwellMs: 30_000 },
];

/** The window the range read asks for: the middle two views. */
export const RANGE = { from: new Date(T0 + 60_000), to: new Date(T0 + 180_000) } as const;
