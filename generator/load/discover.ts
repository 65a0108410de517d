import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../diagnostics.ts';
import { SourceFile } from './source-file.ts';

/** Every `*.yaml`/`*.yml` under a folder (nested), in a stable order, parsed. */
export async function loadFeatureFiles(dir: string, cwd = process.cwd()): Promise<SourceFile[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new UsageError(`features folder not found: ${dir} (pass --features DIR, or create ${dir}/ with one YAML file per namespace)`);
  }
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  return Promise.all(
    files.map(async (file) => new SourceFile(toDisplayPath(file, cwd), await readFile(file, 'utf8'))),
  );
}

/** Relative to the working directory when inside it, with forward slashes, so output is the same on every machine. */
export function toDisplayPath(file: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, path.resolve(file));
  return (rel.startsWith('..') || path.isAbsolute(rel) ? path.resolve(file) : rel).split(path.sep).join('/');
}
