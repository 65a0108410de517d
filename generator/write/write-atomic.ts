/**
 * The only module that writes generated output. The new tree is built beside the old one and
 * swapped in with renames, so a failed or interrupted run leaves the output folder as it was.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { UsageError } from '../diagnostics.ts';
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
  // A random suffix, not only the PID: two containers sharing the folder can have the same PID.
  const suffix = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const staging = path.join(parent, `.${base}.staging-${suffix}`);
  const retired = path.join(parent, `.${base}.retired-${suffix}`);
  // The staging folder first: a read-only or immutable parent fails here at once, instead of
  // after the lock's retries (which cannot tell "locked" from "not allowed").
  await mkdir(staging, { recursive: true }).catch((e: unknown) => {
    throw writeError(outDir, e);
  });
  const release = await lockOutput(parent, base, outDir).catch(async (e: unknown) => {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  });
  try {
    // Checked again under the lock: another codegen may have written the same output meanwhile.
    const again = await compareOutput(outDir, files);
    if (again.stale.length === 0 && again.missing.length === 0 && again.extra.length === 0) return { written: 0, unchanged: true };
    await swapIn(outDir, staging, retired, files);
  } catch (e) {
    throw writeError(outDir, e);
  } finally {
    // Also when another codegen wrote the same output meanwhile: the unused staging folder goes too.
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    await release().catch(() => undefined);
  }
  return { written: files.size, unchanged: false };
}

async function swapIn(outDir: string, staging: string, retired: string, files: FileMap): Promise<void> {
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
  // The new output is in place; a leftover of the old one is litter, not a failure.
  if (hadOld) await rm(retired, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * One codegen at a time per output folder, across processes and containers that share the folder:
 * a lock file beside it (proper-lockfile: an mkdir lock with a refreshed mtime, so a crashed
 * holder's lock goes stale instead of blocking forever).
 */
async function lockOutput(parent: string, base: string, outDir: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(parent, {
      lockfilePath: path.join(parent, `.${base}.lock`),
      realpath: false,
      stale: 20_000,
      retries: { retries: 60, minTimeout: 100, maxTimeout: 1_000 },
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new UsageError(`${outDir} is being written by another featurestore codegen (lock ${path.join(parent, `.${base}.lock`)}); try again when it has finished`);
    }
    throw writeError(outDir, e);
  }
}

/** File-system failures while writing are the user's environment, not a bug: one line, no stack. */
function writeError(outDir: string, e: unknown): Error {
  if (e instanceof UsageError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted (is the folder or its parent immutable or owned by someone else?)',
    EROFS: 'the file system is read-only',
    ENOTDIR: 'a part of the path is a file, not a folder',
    ENOSPC: 'no space left on the device',
    EEXIST: 'a file is in the way',
    EISDIR: 'a folder is in the way',
  };
  const reason = code ? why[code] : undefined;
  if (!reason) return e instanceof Error ? e : new Error(String(e));
  const where = (e as NodeJS.ErrnoException).path;
  return new UsageError(`cannot write ${outDir}: ${reason}${where ? ` (${where})` : ''}; nothing was changed`);
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

/**
 * Python writes bytecode next to the DAGs it imports (`__pycache__/*.pyc`, or a bare `.pyc`) whenever
 * Airflow, a test or an editor loads generated/airflow/. Those files are not output and must not make
 * `--check` fail as "extra"; the next write drops them with the old tree. Only bytecode is ignored:
 * anything else in the folder is a stray file that `--check` should report.
 */
function isPythonBytecode(rel: string): boolean {
  return rel.endsWith('.pyc') || rel.split('/').includes('__pycache__');
}

async function listFiles(dir: string): Promise<string[]> {
  if (!(await exists(dir))) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((rel) => !isPythonBytecode(rel));
}

async function exists(p: string): Promise<boolean> {
  return readdir(p).then(
    () => true,
    () => false,
  );
}
