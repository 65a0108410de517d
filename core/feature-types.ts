/**
 * The two kinds of feature. Object: one value per key. History: the last events per key, newest first,
 * ordered by an event-time field. Models of a feature (the IR, the manifest) are discriminated unions on
 * this, so a History feature without its event-time field cannot be represented.
 */
export const FEATURE_TYPES = ['Object', 'History'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];
