import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBinary, runCli } from '../helpers/run-cli.ts';
import { tempDir, writeTree } from '../helpers/temp-dir.ts';
import { OK } from '../validation/cases.ts';

const CONFIG = 'test/fixtures/config/featurestore.yaml';

async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files: Record<string, string> = {};
  for (const e of entries.filter((x) => x.isFile()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(e.parentPath, e.name);
    files[path.relative(dir, p)] = await readFile(p, 'utf8');
  }
  return files;
}

describe('featurestore codegen', () => {
  it('generates, then reports unchanged on a second run', async () => {
    const out = path.join(await tempDir('cli-out'), 'generated');
    const first = await runCli(['codegen', '--out', out]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Generated: \d+ files for 7 features/);
    const second = await runCli(['codegen', '--out', out]);
    expect(second.stdout).toMatch(/^Unchanged: /);
  });

  it('is deterministic: two output folders hold identical bytes', async () => {
    const a = path.join(await tempDir('det-a'), 'generated');
    const b = path.join(await tempDir('det-b'), 'generated');
    await runCli(['codegen', '--out', a]);
    await runCli(['codegen', '--out', b]);
    expect(await snapshot(a)).toEqual(await snapshot(b));
  });

  it('on invalid input exits 1, prints every error with its location, and leaves the output folder untouched', async () => {
    const features = await writeTree('cli-bad', {
      'a.yaml': `a::b-v1:\n${OK}  retention: 30\n  cache: { ttl: 0s }\n`,
    });
    const out = path.join(await tempDir('cli-bad-out'), 'generated');
    await runCli(['codegen', '--out', out]);
    const before = await snapshot(out);
    const result = await runCli(['codegen', '--features', features, '--out', out, '--config', CONFIG]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\.vitest-tmp\/cli-bad-\w+\/a\.yaml:6:14 a::b-v1\.retention: retention needs a unit/);
    expect(lines[1]).toMatch(/^\.vitest-tmp\/cli-bad-\w+\/a\.yaml:7:17 a::b-v1\.cache\.ttl: cache\.ttl must be positive/);
    expect(lines[2]).toBe(`featurestore: 2 errors; nothing was written to ${out}/`);
    expect(await snapshot(out)).toEqual(before);
  });

  it('--check writes nothing and lists every stale, missing and extra file', async () => {
    const out = path.join(await tempDir('check'), 'generated');
    await runCli(['codegen', '--out', out]);
    expect((await runCli(['codegen', '--out', out, '--check'])).code).toBe(0);

    const files = Object.keys(await snapshot(out));
    const [edited, removed] = files.filter((f) => f.endsWith('.json'));
    expect(edited && removed).toBeTruthy();
    await writeFile(path.join(out, edited!), 'hand edit\n');
    await rm(path.join(out, removed!));
    await writeFile(path.join(out, 'stray.txt'), 'extra\n');
    const tampered = await snapshot(out);

    const result = await runCli(['codegen', '--out', out, '--check']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${out}/${edited}: stale`);
    expect(result.stderr).toContain(`${out}/${removed}: missing`);
    expect(result.stderr).toContain(`${out}/stray.txt: extra`);
    expect(result.stderr).toContain('is out of date (3 files)');
    expect(await snapshot(out)).toEqual(tampered);

    expect((await runCli(['codegen', '--out', out])).code).toBe(0);
    expect(await snapshot(out)).not.toHaveProperty('stray.txt');
  });

  it('--json prints a machine-readable summary', async () => {
    const out = path.join(await tempDir('json'), 'generated');
    const result = await runCli(['codegen', '--out', out, '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, features: 7, unchanged: false });
  });

  it('exits 2 on usage errors', async () => {
    const unknownFlag = await runCli(['codegen', '--no-such-flag']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("unknown option '--no-such-flag'");
    const noDir = await runCli(['codegen', '--features', 'does/not/exist']);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toBe('featurestore: features folder not found: does/not/exist (pass --features DIR, or create does/not/exist/ with one YAML file per namespace)\n');
    const noConfig = await runCli(['codegen', '--config', 'missing.yaml']);
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toContain('cannot read config file missing.yaml: no such file');
    expect((await runCli(['nonsense'])).code).toBe(2);
  });

  it('reports config file problems with their location', async () => {
    const dir = await writeTree('cfg', {
      'featurestore.yaml': 'cassandra:\n  keyspace: Bad-Name\nconsumer:\n  x: {}\n',
    });
    const result = await runCli(['codegen', '--config', path.join(dir, 'featurestore.yaml'), '--out', path.join(dir, 'out')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/featurestore\.yaml:2:13 cassandra\.keyspace: keyspace "Bad-Name" has the wrong format/);
    expect(result.stderr).toMatch(/featurestore\.yaml:3:1 consumer: unknown key "consumer" \(hint: did you mean consumers\?\)/);
  });

  it('the real binary prints errors without a stack trace', async () => {
    const features = await writeTree('bin-bad', { 'a.yaml': 'a::b-v1:\n  owner: [\n' });
    const result = await runBinary(['codegen', '--features', features, '--out', `${features}-out`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/a\.yaml:\d+:\d+ YAML syntax error/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const help = await runBinary(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('codegen');
  });
});
