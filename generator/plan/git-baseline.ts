/**
 * `codegen --dev`: iterate on features that are not released yet. Normally the baseline of schema
 * evolution is what the last codegen left in the output folder, so a feature generated once is
 * gated from then on, even before any migration of it was deployed. In dev mode the baseline is the
 * output folder as committed at a Git revision (default HEAD): features added since then are not
 * gated, and every migration written since then is regenerated as one, from that baseline to the
 * definitions now. Like `prisma migrate dev`, it squashes unreleased work; a feature that exists at
 * the baseline is gated exactly as without `--dev`. Commit (or merge) to release.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from '../diagnostics.ts';
import { loadPreviousState, MIGRATIONS_DIR, type PreviousState } from './previous-state.ts';

const run = promisify(execFile);

/** Git's answer, or why there is none, as a UsageError. */
async function git(cwd: string, args: readonly string[]): Promise<string> {
  try {
    return (await run('git', ['-C', cwd, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })).stdout;
  } catch (e) {
    const err = e as { code?: string | number; stderr?: string };
    if (err.code === 'ENOENT') throw new UsageError('--dev needs git on the PATH (the baseline is the output folder as committed)');
    throw new UsageError(`--dev: git ${args[0]} failed: ${(err.stderr ?? '').trim().split('\n')[0] || String(e)}`);
  }
}

export async function loadGitBaseline(outDir: string, revision: string): Promise<PreviousState> {
  if (!/^[\w./@~^{}-]+$/.test(revision) || revision.startsWith('-')) throw new UsageError(`--dev ${revision}: not a Git revision name`);
  const out = path.resolve(outDir);
  // The output folder may not exist yet: ask Git from its nearest existing parent.
  const anchor = await nearestExisting(out);
  const top = (await git(anchor, ['rev-parse', '--show-toplevel'])).trim();
  const prefix = path.relative(top, out).split(path.sep).join('/');
  await git(top, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]).catch(() => {
    throw new UsageError(`--dev ${revision}: no such commit in ${top}`);
  });
  const listed = await git(top, ['ls-tree', '-r', '-z', '--name-only', revision, '--', `${prefix}/manifest.json`, `${prefix}/${MIGRATIONS_DIR}`]);
  const files = listed.split('\0').filter(Boolean);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'featurestore-baseline-'));
  try {
    for (const file of files) {
      const target = path.join(scratch, file.slice(prefix.length + 1));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, await git(top, ['show', `${revision}:${file}`]));
    }
    return await loadPreviousState(scratch).catch((e: unknown) => {
      // Name the committed file, not the scratch copy it was read from.
      if (e instanceof Error) throw new UsageError(e.message.split(scratch).join(`${revision}:${prefix}`));
      throw e;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function nearestExisting(p: string): Promise<string> {
  const { stat } = await import('node:fs/promises');
  for (let current = p; ; current = path.dirname(current)) {
    if (await stat(current).then((s) => s.isDirectory(), () => false)) return current;
    if (path.dirname(current) === current) return current;
  }
}
