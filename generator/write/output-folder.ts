/**
 * Which folders codegen may replace. Writing swaps the whole output folder for a new one, so a
 * wrong `--out` (the features folder, the project root, `/`, the home folder, someone's documents)
 * would delete what is there: every such folder is refused before anything is read or written.
 */
import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../diagnostics.ts';
import { isInside } from '../load/discover.ts';
import { JSON_NOTICE } from './preamble.ts';

export interface OutputFolderCheck {
  readonly outDir: string;
  readonly featuresDir: string;
  /** The folder of the project config in use (explicit or found), if any. */
  readonly configDir?: string;
  readonly cwd: string;
  /** Replace a non-empty folder that codegen did not create. */
  readonly force: boolean;
}

export const OUTPUT_MESSAGES = {
  empty: '--out must name a folder (it is empty)',
  root: (dir: string) => `refusing to write to ${dir}: it is the file-system root`,
  home: (dir: string) => `refusing to write to ${dir}: it is or contains your home folder`,
  features: (dir: string, features: string) => `refusing to write to ${dir}: it is, contains or is inside the features folder ${features} (codegen replaces the whole output folder)`,
  project: (dir: string, what: string) => `refusing to write to ${dir}: it is or contains ${what} (codegen replaces the whole output folder)`,
  symlink: (dir: string, target: string) => `refusing to write to ${dir}: it is a symbolic link (to ${target}); pass the real folder as --out`,
  notFolder: (dir: string) => `refusing to write to ${dir}: it is a file, not a folder`,
  underFile: (dir: string, file: string) => `cannot write to ${dir}: ${file} is a file, not a folder`,
  notOurs: (dir: string) => `refusing to replace ${dir}: it is not empty and has no manifest.json written by featurestore codegen; pass --force to replace it anyway, or choose another --out`,
} as const;

export async function checkOutputFolder(check: OutputFolderCheck): Promise<void> {
  if (check.outDir.trim() === '') throw new UsageError(OUTPUT_MESSAGES.empty);
  const out = path.resolve(check.cwd, check.outDir);
  const real = await realPathOfMaybeMissing(out);
  if (real === path.parse(real).root) throw new UsageError(OUTPUT_MESSAGES.root(check.outDir));
  const home = await realpath(os.homedir()).catch(() => os.homedir());
  if (isInside(real, home)) throw new UsageError(OUTPUT_MESSAGES.home(check.outDir));
  const features = await realpath(path.resolve(check.cwd, check.featuresDir)).catch(() => path.resolve(check.cwd, check.featuresDir));
  if (isInside(real, features) || isInside(features, real)) throw new UsageError(OUTPUT_MESSAGES.features(check.outDir, check.featuresDir));
  if (check.configDir !== undefined && isInside(real, await realpath(check.configDir).catch(() => check.configDir!))) {
    throw new UsageError(OUTPUT_MESSAGES.project(check.outDir, `the folder of the project config (${check.configDir})`));
  }
  if (isInside(real, await realpath(check.cwd).catch(() => check.cwd))) throw new UsageError(OUTPUT_MESSAGES.project(check.outDir, 'the working folder'));

  const info = await lstat(out).catch(() => undefined);
  if (info?.isSymbolicLink()) throw new UsageError(OUTPUT_MESSAGES.symlink(check.outDir, real));
  if (info && !info.isDirectory()) throw new UsageError(OUTPUT_MESSAGES.notFolder(check.outDir));
  if (info && !check.force && !(await isEmpty(out)) && !(await isOurs(out))) throw new UsageError(OUTPUT_MESSAGES.notOurs(check.outDir));
}

/** The real path of a folder that may not exist yet: its deepest existing ancestor, resolved, plus the rest. */
async function realPathOfMaybeMissing(p: string): Promise<string> {
  const rest: string[] = [];
  let current = p;
  for (;;) {
    const info = await lstat(current).catch(() => undefined);
    if (info) {
      if (!info.isDirectory() && !info.isSymbolicLink() && rest.length > 0) throw new UsageError(OUTPUT_MESSAGES.underFile(p, current));
      const resolved = await realpath(current).catch(() => current);
      if (rest.length > 0 && !(await lstat(resolved).then((i) => i.isDirectory(), () => false))) throw new UsageError(OUTPUT_MESSAGES.underFile(p, current));
      return path.join(resolved, ...rest.reverse());
    }
    const parent = path.dirname(current);
    if (parent === current) return p;
    rest.push(path.basename(current));
    current = parent;
  }
}

async function isEmpty(dir: string): Promise<boolean> {
  return (await readdir(dir).catch(() => [])).length === 0;
}

/** Our manifest carries the do-not-edit notice and a format version. */
async function isOurs(dir: string): Promise<boolean> {
  const text = await readFile(path.join(dir, 'manifest.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  try {
    const m = JSON.parse(text) as { $comment?: unknown; formatVersion?: unknown };
    return m.$comment === JSON_NOTICE && typeof m.formatVersion === 'number';
  } catch {
    return false;
  }
}
