/**
 * The one way to read a manifest: JSON text or an already-parsed value → a checked `Manifest`, or a
 * ManifestError naming the file and every problem. Callers word the remedy (the runtime: run codegen;
 * codegen's baseline: restore it from Git), so the problems are kept apart from the message.
 */
import { MANIFEST_FORMAT_ERRORS, MANIFEST_FORMAT_VERSION, manifestSchema, type Manifest } from './manifest-schema.ts';

export const MANIFEST_ERRORS = {
  notJson: (file: string, detail: string) => `${file} is not valid JSON (${detail})`,
  invalid: (file: string, problems: readonly string[]) => `${file} is not a featurestore manifest: ${problems.join('; ')}`,
} as const;

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(
    readonly file: string,
    /** `json`: not JSON at all; `schema`: JSON, but not a manifest this version reads. */
    readonly reason: 'json' | 'schema',
    /** One line per problem, each starting with the property path (`features.x::y-v1.fields`). */
    readonly problems: readonly string[],
  ) {
    super(reason === 'json' ? MANIFEST_ERRORS.notJson(file, problems.join('; ')) : MANIFEST_ERRORS.invalid(file, problems));
  }
}

export interface ParseManifestOptions {
  /**
   * `current` (the default): only MANIFEST_FORMAT_VERSION, as the runtime needs. `readable`: any of
   * READABLE_MANIFEST_FORMATS, for codegen's baseline, which upgrades an older format as it rewrites it.
   */
  readonly formats?: 'current' | 'readable';
}

/** `value`: the result of JSON.parse of `file` (plain JSON.parse is exact: 64-bit numbers are text). */
export function parseManifest(value: unknown, file: string, options: ParseManifestOptions = {}): Manifest {
  const result = manifestSchema.safeParse(value);
  if (!result.success) {
    throw new ManifestError(file, 'schema', result.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)));
  }
  if ((options.formats ?? 'current') === 'current' && result.data.formatVersion !== MANIFEST_FORMAT_VERSION) {
    throw new ManifestError(file, 'schema', [`formatVersion: ${MANIFEST_FORMAT_ERRORS.notCurrent}`]);
  }
  return result.data;
}

export function parseManifestText(text: string, file: string, options: ParseManifestOptions = {}): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(file, 'json', [e instanceof Error ? e.message : String(e)]);
  }
  return parseManifest(value, file, options);
}
