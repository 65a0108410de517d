/**
 * Documented limits on the size of the input, checked before or while parsing so that a hostile or
 * careless file fails fast with a clear message instead of taking minutes and gigabytes. Each limit
 * sits well above what real feature definitions need (the largest backing-store limit in sight is
 * BigQuery's 10,000 columns per table) and is listed in the README's "Limits" section.
 */

/** One feature file, in bytes. Larger files are refused before they are read. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

/** Feature files under the features folder. */
export const MAX_FEATURE_FILES = 10_000;

/** Features in one project. */
export const MAX_FEATURES = 20_000;

/** Fields of one feature: BigQuery's column limit per table. */
export const MAX_FIELDS_PER_FEATURE = 10_000;

/** A `description`, in characters (code points). */
export const MAX_DESCRIPTION_LENGTH = 16_384;

/** Any other string (owner, consumer names, schedule, key names), in characters. */
export const MAX_TEXT_LENGTH = 1_024;

/** YAML aliases (`*name`) expanded in one document: stops "billion laughs" alias bombs. */
export const MAX_ALIAS_COUNT = 1_000;

/** Nesting depth of folders under the features folder (also stops symlink mazes). */
export const MAX_FOLDER_DEPTH = 32;
