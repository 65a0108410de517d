/**
 * The only module that writes generated output. The new tree is built beside the old one and
 * swapped in with renames, so a failed or interrupted run leaves the output folder as it was.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sortedEntries, type FileMap } from './file-map.ts';

export interface WriteSummary {
  readonly written: number;
  readonly unchanged: boolean;
}

export async function writeOutput(outDir: string, files: FileMap): Promise<WriteSummary> {
  const diff = await compareOutput(outDir, files);
  if (diff.stale.length === 0 && diff.missing.length === 0 && diff.extra.length === 0) {
    return { written: 0, unchanged: true };
  }
  const parent = path.dirname(path.resolve(outDir));
  const base = path.basename(path.resolve(outDir));
  const staging = path.join(parent, `.${base}.staging-${process.pid}`);
  const retired = path.join(parent, `.${base}.retired-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  try {
    for (const [rel, content] of sortedEntries(files)) {
      const target = path.join(staging, rel);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    const hadOld = await exists(outDir);
    if (hadOld) await rename(outDir, retired);
    try {
      await rename(staging, outDir);
    } catch (e) {
      if (hadOld) await rename(retired, outDir);
      throw e;
    }
    if (hadOld) await rm(retired, { recursive: true, force: true });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { written: files.size, unchanged: false };
}

export interface OutputDiff {
  /** On disk with other content. */
  readonly stale: string[];
  /** Expected but absent. */
  readonly missing: string[];
  /** On disk but no longer generated. */
  readonly extra: string[];
}

export async function compareOutput(outDir: string, files: FileMap): Promise<OutputDiff> {
  const onDisk = new Set(await listFiles(outDir));
  const stale: string[] = [];
  const missing: string[] = [];
  for (const [rel, content] of sortedEntries(files)) {
    if (!onDisk.has(rel)) missing.push(rel);
    else if ((await readFile(path.join(outDir, rel), 'utf8')) !== content) stale.push(rel);
    onDisk.delete(rel);
  }
  return { stale, missing, extra: [...onDisk].sort() };
}

async function listFiles(dir: string): Promise<string[]> {
  if (!(await exists(dir))) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

async function exists(p: string): Promise<boolean> {
  return readdir(p).then(
    () => true,
    () => false,
  );
}
