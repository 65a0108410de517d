import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../diagnostics.ts';
import { SourceFile } from './source-file.ts';

export interface FeatureFilePath {
  /** Path to read. */
  readonly path: string;
  /** Path shown in diagnostics and preambles: relative to the working directory, forward slashes. */
  readonly display: string;
  readonly bytes: number;
}

/** Every `*.yaml`/`*.yml` under a folder (nested), in a stable order. */
export async function listFeatureFiles(dir: string, cwd = process.cwd()): Promise<FeatureFilePath[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new UsageError(`features folder not found: ${dir} (pass --features DIR, or create ${dir}/ with one YAML file per namespace)`);
  }
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  return Promise.all(files.map(async (file) => ({ path: file, display: toDisplayPath(file, cwd), bytes: (await stat(file)).size })));
}

export async function readFeatureFile(file: FeatureFilePath): Promise<SourceFile> {
  return new SourceFile(file.display, await readFile(file.path, 'utf8'));
}

/** Every feature file, parsed. */
export async function loadFeatureFiles(dir: string, cwd = process.cwd()): Promise<SourceFile[]> {
  return Promise.all((await listFeatureFiles(dir, cwd)).map(readFeatureFile));
}

/** Relative to the working directory when inside it, with forward slashes, so output is the same on every machine. */
export function toDisplayPath(file: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, path.resolve(file));
  return (rel.startsWith('..') || path.isAbsolute(rel) ? path.resolve(file) : rel).split(path.sep).join('/');
}
