import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Test scratch space inside the repo (gitignored), so relative paths in diagnostics stay short. */
export const TMP_ROOT = path.resolve('.vitest-tmp');

export async function tempDir(prefix: string): Promise<string> {
  await mkdir(TMP_ROOT, { recursive: true });
  return mkdtemp(path.join(TMP_ROOT, `${prefix}-`));
}

/** Writes `files` (relative path → content) under a fresh temp folder and returns it. */
export async function writeTree(prefix: string, files: Record<string, string>): Promise<string> {
  const dir = await tempDir(prefix);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  return dir;
}
