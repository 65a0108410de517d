/**
 * What an upsync request means, checked before any store is opened: the features exist and have
 * `upsync.enabled`, and one consumer may write all of them (the ACL's `access.write`; the named one, or
 * the only candidate). Pure: the catalog and manifest in, a plan or an UpsyncError out.
 */
import type { Manifest, ManifestFeature } from '../../core/manifest/manifest-schema.ts';
import type { CatalogFeature, FeatureCatalog } from '../manifest/feature-catalog.ts';
import { UPSYNC_ERRORS, UPSYNC_INVALID_OPTIONS, UPSYNC_NO_CONSUMER, UPSYNC_NOT_ENABLED, UPSYNC_UNKNOWN_FEATURE, UpsyncError } from './upsync-errors.ts';

export interface PlannedFeature {
  readonly name: string;
  readonly catalog: CatalogFeature;
  readonly manifest: ManifestFeature;
}

export interface UpsyncPlan {
  readonly consumer: string;
  readonly features: readonly PlannedFeature[];
}

export function planUpsync(catalog: FeatureCatalog, manifest: Manifest, names: readonly string[], consumer?: string): UpsyncPlan {
  if (names.length === 0) throw new UpsyncError(UPSYNC_INVALID_OPTIONS, UPSYNC_ERRORS.noFeatures);
  const seen = new Set<string>();
  const features: PlannedFeature[] = [];
  const known = Object.keys(manifest.features);
  for (const name of names) {
    if (seen.has(name)) throw new UpsyncError(UPSYNC_INVALID_OPTIONS, UPSYNC_ERRORS.duplicateFeature(name));
    seen.add(name);
    const m = manifest.features[name];
    const c = catalog.features.get(name);
    if (!m || !c) throw new UpsyncError(UPSYNC_UNKNOWN_FEATURE, UPSYNC_ERRORS.unknownFeature(name, closest(name, known)));
    if (!m.upsync.enabled) throw new UpsyncError(UPSYNC_NOT_ENABLED, UPSYNC_ERRORS.notEnabled(name));
    features.push({ name, catalog: c, manifest: m });
  }
  if (consumer !== undefined) {
    if (!catalog.consumers.includes(consumer)) throw new UpsyncError(UPSYNC_NO_CONSUMER, UPSYNC_ERRORS.unknownConsumer(consumer, catalog.consumers));
    for (const f of features) if (!catalog.canWrite(consumer, f.name)) throw new UpsyncError(UPSYNC_NO_CONSUMER, UPSYNC_ERRORS.consumerCannotWrite(consumer, f.name));
    return { consumer, features };
  }
  const candidates = catalog.consumers.filter((c) => features.every((f) => catalog.canWrite(c, f.name)));
  if (candidates.length === 0) throw new UpsyncError(UPSYNC_NO_CONSUMER, UPSYNC_ERRORS.noConsumer(names));
  if (candidates.length > 1) throw new UpsyncError(UPSYNC_NO_CONSUMER, UPSYNC_ERRORS.ambiguousConsumer(candidates));
  return { consumer: candidates[0] as string, features };
}

/** The most similar name within a third of its length in edits, or null. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
