/**
 * The example's recommender: from the user's profile and recent views, the categories to show next and
 * the items worth showing again. Deliberately small; what matters is that it runs on typed features.
 */
import type { ItemViewHistoryV1Value } from '../generated/ts/shop/item-view-history-v1.js';
import type { UserProfileV1Value } from '../generated/ts/shop/user-profile-v1.js';

export interface Recommendation {
  /** Categories by interest: dwell time on recent views, favourites first on ties. */
  readonly categories: readonly string[];
  /** Recently viewed items for a "look again" row, longest dwell first, blocked items left out. */
  readonly itemIds: readonly bigint[];
}

export function recommend(profile: UserProfileV1Value | null, views: readonly ItemViewHistoryV1Value[]): Recommendation {
  const blocked = new Set(profile?.blockedItemIds ?? []);
  const favorites = new Set(profile?.favoriteCategories ?? []);
  const affinity = profile?.affinity ?? 0.5;
  const interest = new Map<string, number>();
  for (const v of views) interest.set(v.category, (interest.get(v.category) ?? 0) + v.dwellMs * affinity);
  for (const f of favorites) interest.set(f, interest.get(f) ?? 0);
  const categories = [...interest.entries()]
    .sort(([a, x], [b, y]) => y - x || Number(favorites.has(b)) - Number(favorites.has(a)) || (a < b ? -1 : 1))
    .map(([c]) => c);
  const itemIds = [...views]
    .filter((v) => !blocked.has(v.itemId))
    .sort((a, b) => b.dwellMs - a.dwellMs)
    .map((v) => v.itemId);
  return { categories, itemIds };
}
