import { readFile, writeFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareOutput, writeOutput } from '../../generator/write/write-atomic.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('writeOutput', () => {
  it('replaces the folder as a whole and deletes files no longer generated', async () => {
    const out = path.join(await tempDir('atomic'), 'generated');
    await writeOutput(out, new Map([['a/x.txt', 'x\n'], ['old.txt', 'old\n']]));
    const summary = await writeOutput(out, new Map([['a/x.txt', 'x2\n']]));
    expect(summary).toEqual({ written: 1, unchanged: false });
    expect(await readFile(path.join(out, 'a/x.txt'), 'utf8')).toBe('x2\n');
    expect(await compareOutput(out, new Map([['a/x.txt', 'x2\n']]))).toEqual({ stale: [], missing: [], extra: [] });
  });

  it('leaves the old output exactly as it was when writing fails', async () => {
    const parent = await tempDir('atomic-fail');
    const out = path.join(parent, 'generated');
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, 'keep.txt'), 'keep\n');
    // A file and a folder at one path cannot both be written: the write fails midway.
    const broken = new Map([['clash', 'file\n'], ['clash/inner.txt', 'inner\n']]);
    await expect(writeOutput(out, broken)).rejects.toThrow();
    expect(await readdir(out)).toEqual(['keep.txt']);
    expect(await readFile(path.join(out, 'keep.txt'), 'utf8')).toBe('keep\n');
    expect((await readdir(parent)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('does not touch the folder when nothing changed', async () => {
    const out = path.join(await tempDir('atomic-same'), 'generated');
    await writeOutput(out, new Map([['a.txt', 'a\n']]));
    expect(await writeOutput(out, new Map([['a.txt', 'a\n']]))).toEqual({ written: 0, unchanged: true });
  });

  it('leaves no staging folder behind when another write produced the same output while it waited for the lock', async () => {
    const parent = await tempDir('atomic-race');
    const out = path.join(parent, 'generated');
    const files = new Map([['a.txt', 'a\n'], ['b/c.txt', 'c\n']]);
    // Both see the output missing and stage; the second finds it written once it holds the lock.
    const results = await Promise.all([writeOutput(out, files), writeOutput(out, files)]);
    expect(results.map((r) => r.unchanged).sort()).toEqual([false, true]);
    expect((await readdir(parent)).sort()).toEqual(['generated']);
  });
});
