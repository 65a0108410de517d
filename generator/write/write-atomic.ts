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
    const entries = sortedEntries(files);
    for (const dir of new Set(entries.map(([rel]) => path.dirname(path.join(staging, rel))))) await mkdir(dir, { recursive: true });
    await mapBounded(entries, IO_CONCURRENCY, ([rel, content]) => writeFile(path.join(staging, rel), content));
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
  const entries = sortedEntries(files);
  const missing = entries.filter(([rel]) => !onDisk.has(rel)).map(([rel]) => rel);
  const present = entries.filter(([rel]) => onDisk.has(rel));
  const differs = await mapBounded(present, IO_CONCURRENCY, async ([rel, content]) => (await readFile(path.join(outDir, rel), 'utf8')) !== content);
  const stale = present.filter((_, i) => differs[i]).map(([rel]) => rel);
  for (const [rel] of entries) onDisk.delete(rel);
  return { stale, missing, extra: [...onDisk].sort() };
}

/** Enough reads in flight to keep the disk busy, few enough to stay far from the open-file limit. */
const IO_CONCURRENCY = 64;

async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
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
