/**
 * What the last codegen left in the output folder: its manifest (the previous IR of every feature,
 * without source positions) and its migration files. Schema evolution is a diff against this, so the
 * committed generated/ is the baseline on every pull request.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ManifestError, parseManifestText } from '../../core/manifest/parse-manifest.ts';
import type { Manifest } from '../../core/manifest/manifest-schema.ts';
import { UsageError } from '../diagnostics.ts';

export const PREVIOUS_STATE_ERRORS = {
  /** The baseline is never reset silently: that would let a breaking change through unnoticed. */
  restore: 'restore it from Git (it is the baseline of schema evolution)',
  notJson: (file: string) => `${file} is not valid JSON: ${PREVIOUS_STATE_ERRORS.restore}`,
  invalid: (file: string, problems: readonly string[]) =>
    `${file} is not a manifest this codegen can read (${problems.join('; ')}): ${PREVIOUS_STATE_ERRORS.restore}, or regenerate it with the codegen that wrote it`,
} as const;

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
      // Any readable format: a format-1 baseline is upgraded as codegen rewrites it (writer-schemas.ts).
      manifest = parseManifestText(text, manifestPath, { formats: 'readable' });
    } catch (e) {
      if (!(e instanceof ManifestError)) throw e;
      throw new UsageError(e.reason === 'json' ? PREVIOUS_STATE_ERRORS.notJson(manifestPath) : PREVIOUS_STATE_ERRORS.invalid(manifestPath, e.problems));
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
