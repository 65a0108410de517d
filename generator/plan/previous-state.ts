/**
 * What the last codegen left in the output folder: its manifest (the previous IR of every feature,
 * without source positions) and its migration files. Schema evolution is a diff against this, so the
 * committed generated/ is the baseline on every pull request.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../diagnostics.ts';
import type { FeatureIR, FieldIR, ProjectIR } from '../ir/types.ts';

/** A feature as the manifest stores it: the IR without locations, plus what codegen derived. */
export type ManifestField = Omit<FieldIR, 'location'>;
export interface ManifestFeature extends Omit<FeatureIR, 'location' | 'fields'> {
  readonly fields: readonly ManifestField[];
  readonly source: string;
  /** Writer-schema id (signed 64-bit, decimal) of the current value schema. */
  readonly avroFingerprint: string;
  readonly inputHash: string;
  /**
   * Every value schema this feature version has had: fingerprint (signed decimal) → schema JSON text
   * (text, because JSON.parse would round 64-bit defaults). Rows written under any of them must still
   * decode, so none is ever dropped. Absent in manifests older than format version 2.
   */
  readonly writerSchemas?: Readonly<Record<string, string>>;
}

export interface Manifest {
  readonly formatVersion: number;
  readonly project: ProjectIR;
  readonly features: Readonly<Record<string, ManifestFeature>>;
  /** Features removed from the YAML: their names stay reserved and their writer schemas kept. */
  readonly retiredFeatures?: Readonly<Record<string, ManifestFeature>>;
}

export interface PreviousState {
  /** Absent on the first run (no manifest in the output folder). */
  readonly manifest?: Manifest;
  /** Migration files already generated, path (relative to the output folder) → content. */
  readonly migrations: ReadonlyMap<string, string>;
}

export const MIGRATIONS_DIR = 'migrations';

export async function loadPreviousState(outDir: string): Promise<PreviousState> {
  const manifestPath = path.join(outDir, 'manifest.json');
  const text = await readFile(manifestPath, 'utf8').catch(() => undefined);
  let manifest: Manifest | undefined;
  if (text !== undefined) {
    try {
      manifest = JSON.parse(text) as Manifest;
    } catch {
      throw new UsageError(`${manifestPath} is not valid JSON: restore it from Git (it is the baseline of schema evolution)`);
    }
  }
  const migrations = new Map<string, string>();
  const dir = path.join(outDir, MIGRATIONS_DIR);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries.filter((x) => x.isFile()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(e.parentPath, e.name);
    migrations.set(path.relative(outDir, full).split(path.sep).join('/'), await readFile(full, 'utf8'));
  }
  return { ...(manifest ? { manifest } : {}), migrations };
}
