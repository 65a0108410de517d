/**
 * Codegen replaces its whole output folder, so every folder whose loss would hurt is refused before
 * anything is read or written, and every file-system failure is one line (exit 2), never a stack.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/run-cli.ts';
import { writeTree } from '../helpers/temp-dir.ts';
import { OK } from '../validation/cases.ts';

const CONFIG = path.resolve('test/fixtures/config/featurestore.yaml');
const FEATURE = `a::b-v1:\n${OK}`;
const BIN = path.resolve('bin/featurestore.mjs');

async function project() {
  const dir = await writeTree('out-guard', { 'features/f.yaml': FEATURE });
  return { dir, features: path.join(dir, 'features') };
}

const codegen = (features: string, out: string, ...extra: string[]) => runCli(['codegen', '--features', features, '--out', out, '--config', CONFIG, ...extra]);

function expectUsageError(r: CliResult, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
}

/** Runs the real binary as an unprivileged user: permission checks do not apply to root. */
async function runAsNobody(args: readonly string[]): Promise<CliResult> {
  return promisify(execFile)('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', BIN, ...args], { encoding: 'utf8' }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
  );
}

const immutable: string[] = [];
afterEach(() => {
  for (const p of immutable.splice(0)) spawnSync('chattr', ['-i', p]);
});

describe('the output folder guard', () => {
  it('refuses --out equal to --features and keeps the YAML', async () => {
    const { features } = await project();
    expectUsageError(await codegen(features, features), /is, contains or is inside the features folder/);
    expect(await readFile(path.join(features, 'f.yaml'), 'utf8')).toBe(FEATURE);
  });

  it('refuses a parent of the features folder and a folder inside it', async () => {
    const { dir, features } = await project();
    expectUsageError(await codegen(features, dir), /features folder/);
    expectUsageError(await codegen(features, path.join(features, 'gen')), /features folder/);
    expect(await readdir(dir)).toEqual(['features']);
  });

  it('refuses the working folder, the root, the home folder and an empty --out, quickly', async () => {
    const { features } = await project();
    const started = Date.now();
    expectUsageError(await codegen(features, '/'), /file-system root/);
    expectUsageError(await codegen(features, os.homedir()), /home folder/);
    expectUsageError(await codegen(features, path.dirname(os.homedir())), /home folder|file-system root/);
    expectUsageError(await codegen(features, '.'), /the working folder|features folder/);
    expectUsageError(await codegen(path.resolve('features'), path.resolve('.')), /features folder/);
    expectUsageError(await codegen(features, ''), /--out must name a folder/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("refuses the project config's folder", async () => {
    const { dir, features } = await project();
    await writeFile(path.join(dir, 'featurestore.yaml'), 'consumers: {}\n');
    const r = await runCli(['codegen', '--features', features, '--out', path.join(dir, 'other'), '--config', path.join(dir, 'featurestore.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    await mkdir(path.join(dir, 'cfg'));
    await writeFile(path.join(dir, 'cfg', 'featurestore.yaml'), 'consumers: {}\n');
    expectUsageError(await runCli(['codegen', '--features', features, '--out', path.join(dir, 'cfg'), '--config', path.join(dir, 'cfg', 'featurestore.yaml')]), /folder of the project config/);
  });

  it('refuses a file, a path under a file, and a symbolic link', async () => {
    const { dir, features } = await project();
    await writeFile(path.join(dir, 'notes.txt'), 'mine');
    expectUsageError(await codegen(features, path.join(dir, 'notes.txt')), /is a file, not a folder/);
    expectUsageError(await codegen(features, path.join(dir, 'notes.txt', 'gen')), /notes\.txt is a file, not a folder/);
    await mkdir(path.join(dir, 'real'));
    await symlink(path.join(dir, 'real'), path.join(dir, 'link'));
    expectUsageError(await codegen(features, path.join(dir, 'link')), /is a symbolic link/);
    expect((await lstat(path.join(dir, 'link'))).isSymbolicLink()).toBe(true);
    expect(await readFile(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('refuses a non-empty folder codegen did not create, unless --force', async () => {
    const { dir, features } = await project();
    await mkdir(path.join(dir, 'docs'));
    await writeFile(path.join(dir, 'docs', 'thesis.md'), 'years of work');
    expectUsageError(await codegen(features, path.join(dir, 'docs')), /not empty and has no manifest\.json written by featurestore codegen; pass --force/);
    expect(await readFile(path.join(dir, 'docs', 'thesis.md'), 'utf8')).toBe('years of work');
    expect((await codegen(features, path.join(dir, 'docs'), '--force')).code).toBe(0);
    // Once it is ours, no --force is needed.
    await writeFile(path.join(features, 'f.yaml'), FEATURE.replace('owner: team', 'owner: other'));
    expect((await codegen(features, path.join(dir, 'docs'))).code).toBe(0);
    expect((await codegen(features, path.join(dir, 'empty-or-new'))).code).toBe(0);
  });

  it('fails in one line when the parent folder is immutable, and changes nothing', async () => {
    const { dir, features } = await project();
    const out = path.join(dir, 'locked', 'gen');
    expect((await codegen(features, out)).code).toBe(0);
    await writeFile(path.join(features, 'f.yaml'), FEATURE.replace('owner: team', 'owner: other'));
    const before = await readFile(path.join(out, 'manifest.json'), 'utf8');
    expect(spawnSync('chattr', ['+i', path.join(dir, 'locked')]).status).toBe(0);
    immutable.push(path.join(dir, 'locked'));
    expectUsageError(await codegen(features, out), /cannot write .*gen: operation not permitted .*nothing was changed/);
    expect(await readFile(path.join(out, 'manifest.json'), 'utf8')).toBe(before);
  });

  it('fails in one line when the output folder is not writable (as an unprivileged user)', async () => {
    const { dir, features } = await project();
    await chmod(dir, 0o755);
    const r = await runAsNobody(['codegen', '--features', features, '--out', path.join(dir, 'gen'), '--config', CONFIG]);
    expectUsageError(r, /cannot write .*gen: permission denied/);
  });

  it('reports an unreadable feature file as a diagnostic (as an unprivileged user)', async () => {
    const { dir, features } = await project();
    await writeFile(path.join(features, 'secret.yaml'), FEATURE.replace('a::b-v1', 'a::c-v1'));
    await chmod(path.join(features, 'secret.yaml'), 0o000);
    await chmod(dir, 0o777);
    const r = await runAsNobody(['codegen', '--features', features, '--out', path.join(dir, 'gen'), '--config', CONFIG]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/secret\.yaml:1:1 cannot read: permission denied \(hint: check the file permissions/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('lets two codegens share one output folder (same PID namespace or not): both succeed, nothing is left behind', async () => {
    const { dir, features } = await project();
    const out = path.join(dir, 'gen');
    const run = () =>
      promisify(execFile)('node', [BIN, 'codegen', '--features', features, '--out', out, '--config', CONFIG], { encoding: 'utf8' }).then(
        () => 'ok',
        (e: { code?: number; stderr?: string }) => `exit ${e.code}: ${e.stderr}`,
      );
    expect(await Promise.all([run(), run(), run()])).toEqual(['ok', 'ok', 'ok']);
    expect((await readdir(dir)).sort()).toEqual(['features', 'gen']);
    expect(JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')).features['a::b-v1']).toBeDefined();
  });
});
