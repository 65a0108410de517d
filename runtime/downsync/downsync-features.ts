/**
 * What the worker knows about each feature, compiled once at start: the catalog entry (table, key
 * fields, writer schemas, ACL through the catalog), the key codec of the command envelope, and for
 * features with `downsync.enabled` the sampling policy and the offline table sampled rows go to.
 * Built from the same generated manifest the catalog was (the catalog does not keep the downsync
 * settings or the offline columns).
 */
import { keyCodecForCommands, type CommandKeyCodec } from '../../core/commands/index.ts';
import type { Manifest } from '../../core/manifest/manifest-schema.ts';
import type { CatalogFeature, FeatureCatalog } from '../manifest/feature-catalog.ts';
import type { OfflineTable } from '../offline/offline-store.ts';
import { offlineTableOf } from '../offline/offline-table.ts';
import type { SamplingPolicy } from './sampler.ts';

export interface DownsyncSampling {
  readonly policy: SamplingPolicy;
  readonly offlineTable: OfflineTable;
}

export interface DownsyncFeature {
  readonly feature: CatalogFeature;
  readonly keyCodec: CommandKeyCodec;
  /** null: `downsync.enabled` is false, commands are applied online only. */
  readonly sampling: DownsyncSampling | null;
}

export function downsyncFeaturesOf(catalog: FeatureCatalog, manifest: Manifest): ReadonlyMap<string, DownsyncFeature> {
  const out = new Map<string, DownsyncFeature>();
  for (const [name, feature] of catalog.features) {
    const m = manifest.features[name];
    const sampling: DownsyncSampling | null =
      m && m.downsync.enabled
        ? { policy: { minIntervalByKeyMs: m.downsync.minIntervalByKeyMs, randomSamplingRatio: m.downsync.randomSamplingRatio }, offlineTable: offlineTableOf(m) }
        : null;
    out.set(name, { feature, keyCodec: keyCodecForCommands(feature), sampling });
  }
  return out;
}
