/** File names and symbolic links under the features folder. */
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { preamble } from '../../generator/write/preamble.ts';
import { runCli } from '../helpers/run-cli.ts';
import { writeTree } from '../helpers/temp-dir.ts';
import { OK } from '../validation/cases.ts';

const CONFIG = path.resolve('test/fixtures/config/featurestore.yaml');
const feature = (name: string) => `${name}:\n${OK}`;
const INJECTED = 'x\nimport { execSync } from "node:child_process"; execSync("touch pwned"); ({}).yaml';

describe('feature file names', () => {
  it('refuses a file name that would inject code into a preamble, on one escaped line, writing nothing', async () => {
    const dir = await writeTree('inject', {});
    await mkdir(path.join(dir, 'features'));
    await writeFile(path.join(dir, 'features', INJECTED), feature('a::b-v1'));
    const out = path.join(dir, 'gen');
    const r = await runCli(['codegen', '--features', path.join(dir, 'features'), '--out', out, '--config', CONFIG]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('features/x\\nimport { execSync }');
    expect(r.stderr).toMatch(/:1:1 the file name contains the control or invisible character \\n/);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('import'))).toEqual([]);
    expect(await readdir(dir)).toEqual(['features']);
  });

  it('escapes a source path in every comment style, whatever it holds', () => {
    for (const style of ['slash', 'dash', 'hash'] as const) {
      const text = preamble(style, [INJECTED, 'a\rb\u2028c\u001b[31m']);
      const lines = text.split(/\r\n|[\n\r\u2028\u2029]/);
      expect(lines).toHaveLength(5);
      for (const line of lines.slice(0, -1)) expect(line.startsWith({ slash: '//', dash: '--', hash: '#' }[style])).toBe(true);
      expect(text).not.toContain('\u001b');
    }
  });
});

describe('symbolic links under the features folder', () => {
  async function linked(setup: (features: string, dir: string) => Promise<void>) {
    const dir = await writeTree('links', { 'features/real/a.yaml': feature('a::b-v1') });
    const features = path.join(dir, 'features');
    await setup(features, dir);
    return { dir, features, run: () => runCli(['codegen', '--features', features, '--out', path.join(dir, 'gen'), '--config', CONFIG]) };
  }

  it('follows links to files and folders inside the folder', async () => {
    const { dir, run } = await linked(async (features) => {
      await writeFile(path.join(features, 'real', 'c.yaml.txt'), feature('a::c-v1'));
      await symlink(path.join(features, 'real', 'c.yaml.txt'), path.join(features, 'c.yaml'));
      await mkdir(path.join(features, 'more'));
      await writeFile(path.join(features, 'more', 'd.yaml'), feature('a::d-v1'));
      await mkdir(path.join(features, 'deeper'));
      await symlink(path.join(features, 'more'), path.join(features, 'deeper', 'more-link'));
    });
    const r = await run();
    expect(r.code, r.stderr).toBe(1);
    // d.yaml is reached twice (through the folder and the link): the same feature defined twice.
    expect(r.stderr).toMatch(/a::d-v1: feature defined twice/);
    await writeFile(path.join(dir, 'features', 'more', 'd.yaml'), '');
    await writeFile(path.join(dir, 'features', 'deeper', 'e.yaml'), feature('a::e-v1'));
    const ok = await run();
    expect(ok.code, ok.stderr).toBe(0);
    const values = (await readdir(path.join(dir, 'gen', 'avro', 'a'))).filter((f) => !f.endsWith('.key.avsc'));
    expect(values.sort()).toEqual(['b-v1.avsc', 'c-v1.avsc', 'e-v1.avsc']);
  });

  it('refuses a link that leaves the folder', async () => {
    const { run } = await linked(async (features, dir) => {
      await writeFile(path.join(dir, 'outside.yaml'), feature('a::z-v1'));
      await symlink(path.join(dir, 'outside.yaml'), path.join(features, 'z.yaml'));
      await symlink('/etc', path.join(features, 'etc'));
    });
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/features\/z\.yaml:1:1 symbolic link points outside the features folder/);
    expect(r.stderr).toMatch(/features\/etc:1:1 symbolic link points outside the features folder \(to \/etc\)/);
  });

  it('refuses a link that loops and a link to nothing', async () => {
    const { run } = await linked(async (features) => {
      await symlink(features, path.join(features, 'real', 'loop'));
      await symlink(path.join(features, 'gone.yaml.txt'), path.join(features, 'gone.yaml'));
    });
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/features\/real\/loop:1:1 symbolic link makes a loop/);
    expect(r.stderr).toMatch(/features\/gone\.yaml:1:1 symbolic link points to nothing/);
  });
});
