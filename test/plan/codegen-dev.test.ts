/** `codegen --dev`: unreleased features (absent from the committed baseline) iterate without the evolution gate. */
import { execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { writeTree } from '../helpers/temp-dir.ts';

const released = `a::released-v1:\n  feature_type: Object\n  owner: team\n  schema:\n    user_id: { type: Text, is_key_field: true }\n    score: { type: Int, default_value: 0 }\n`;
const draft = (key: string) => `a::draft-v1:\n  feature_type: Object\n  owner: team\n  schema:\n    ${key}: { type: Text, is_key_field: true }\n    n: { type: Long, default_value: 0 }\n`;

async function repo() {
  const dir = await writeTree('dev', { 'features/a.yaml': released, 'featurestore.yaml': 'consumers: {}\n' });
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' });
  git('init', '-q');
  const codegen = (...extra: string[]) => runCli(['codegen', '--features', path.join(dir, 'features'), '--out', path.join(dir, 'generated'), '--config', path.join(dir, 'featurestore.yaml'), ...extra]);
  expect((await codegen()).code).toBe(0);
  git('add', '-A');
  git('commit', '-q', '-m', 'baseline');
  const migrations = async () => (await readdir(path.join(dir, 'generated', 'migrations', 'cql'))).sort();
  return { dir, git, codegen, migrations };
}

describe('codegen --dev', () => {
  it('lets an unreleased feature change incompatibly, squashing its migrations into one', async () => {
    const { dir, codegen, migrations } = await repo();
    await writeFile(path.join(dir, 'features', 'b.yaml'), draft('user_id'));
    expect((await codegen()).code).toBe(0);
    expect(await migrations()).toEqual(['0001_initial.cql', '0002_add_a__draft_v1.cql']);
    // Changing the key of a generated feature is gated, even though it was never released…
    await writeFile(path.join(dir, 'features', 'b.yaml'), draft('account_id'));
    const gated = await codegen();
    expect(gated.code).toBe(1);
    expect(gated.stderr).toMatch(/a::draft-v1/);
    // …unless it is new since the committed baseline.
    const dev = await codegen('--dev');
    expect(dev.code, dev.stderr).toBe(0);
    const files = await migrations();
    expect(files).toHaveLength(2);
    const squashed = await readFile(path.join(dir, 'generated', 'migrations', 'cql', files[1]!), 'utf8');
    expect(squashed).toContain('account_id');
    expect(squashed).not.toContain('user_id text');
    // The result is a normal baseline: a plain run changes nothing.
    expect((await codegen('--check')).code).toBe(0);
  });

  it('still gates features that exist at the baseline', async () => {
    const { dir, codegen } = await repo();
    await writeFile(path.join(dir, 'features', 'a.yaml'), released.replace('score: { type: Int, default_value: 0 }', 'score: { type: Text, default_value: "0" }'));
    const r = await codegen('--dev');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/a::released-v1\.score: .*\[/);
  });

  it('names the committed file when the baseline manifest does not parse', async () => {
    const { dir, git, codegen } = await repo();
    await writeFile(path.join(dir, 'generated', 'manifest.json'), '{ "formatVersion": 2, "broken": ');
    git('commit', '-q', '-am', 'broken baseline');
    const r = await codegen('--dev', '--force');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/HEAD:generated\/manifest\.json/);
    expect(r.stderr).not.toMatch(/featurestore-baseline-/);
  });

  it('names the problem when the revision or the repository is missing', async () => {
    const { codegen } = await repo();
    const bad = await codegen('--dev', 'no-such-branch');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--dev no-such-branch: no such commit/);
    const odd = await codegen('--dev', '--upload-pack=x');
    expect(odd.code).toBe(2);
    const outside = await writeTree('dev-nogit', { 'features/a.yaml': released });
    const r = await runCli(['codegen', '--features', path.join(outside, 'features'), '--out', '/tmp/featurestore-dev-nogit-out', '--dev']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--dev: git rev-parse failed|not a git repository/i);
  });
});
