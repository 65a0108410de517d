/**
 * `featurestore init [DIR]`: the scaffold passes `featurestore codegen` as it is (run by the real binary
 * from inside the new folder) and `serve` reads it; nothing existing is overwritten without --force;
 * package.json and .gitignore are edited, never replaced.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { INIT_ERRORS } from '../../cli/init.ts';
import { CODEGEN_SCRIPT, configYaml, exampleFeatureYaml, GITIGNORE_ENTRIES, GITIGNORE_HEADER, INIT_DEFAULTS } from '../../cli/init-templates.ts';
import { serveCommand } from '../../cli/serve.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const BIN = path.resolve('bin/featurestore.mjs');

/** The real binary, run from `cwd` as a user in that folder would. */
async function binary(cwd: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
  );
}

const read = (dir: string, file: string) => readFile(path.join(dir, file), 'utf8');
const rel = (dir: string, file: string) => path.relative(process.cwd(), path.join(dir, file));

describe('featurestore init', () => {
  it('scaffolds config, example feature, .gitignore and package.json; codegen accepts it as it is', async () => {
    const dir = path.join(await tempDir('init'), 'new-project');
    const res = await runCli(['init', dir]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    for (const file of ['featurestore.yaml', 'features/example/example.yaml', 'package.json', '.gitignore']) {
      expect(res.stdout).toContain(`created  ${rel(dir, file)}`);
    }
    expect(await read(dir, 'featurestore.yaml')).toBe(configYaml(INIT_DEFAULTS));
    expect(await read(dir, 'features/example/example.yaml')).toBe(exampleFeatureYaml(INIT_DEFAULTS));
    expect(JSON.parse(await read(dir, 'package.json'))).toEqual({ name: 'new-project', private: true, type: 'module', scripts: { codegen: CODEGEN_SCRIPT } });
    expect(await read(dir, '.gitignore')).toBe(`${GITIGNORE_HEADER}\n${GITIGNORE_ENTRIES.join('\n')}\n`);
    expect(res.stdout).toContain('FS_KEYS_MY_SERVICE=<key> npx featurestore serve');

    const codegen = await binary(dir, ['codegen']);
    expect(codegen, codegen.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(codegen.stdout).toContain('for 1 features in generated/');
    const manifest = JSON.parse(await read(dir, 'generated/manifest.json')) as { features: Record<string, unknown>; project: { consumers: unknown[] } };
    expect(Object.keys(manifest.features)).toEqual(['example::user-profile-v1']);
    expect(manifest.project.consumers).toMatchObject([{ name: 'my-service', apiKeysEnv: 'FS_KEYS_MY_SERVICE' }]);
    expect(await binary(dir, ['codegen', '--check'])).toMatchObject({ code: 0 });
  }, 60_000);

  it('the scaffold serves: its consumer reads its feature with a key from FS_KEYS_MY_SERVICE', async () => {
    const dir = await tempDir('init-serve');
    expect((await runCli(['init', dir])).code).toBe(0);
    expect((await binary(dir, ['codegen'])).code).toBe(0);
    const saved = process.env['FS_KEYS_MY_SERVICE'];
    process.env['FS_KEYS_MY_SERVICE'] = 'scaffold-key';
    try {
      const controller = new AbortController();
      let listening!: (url: string) => void;
      const url = new Promise<string>((resolve) => (listening = resolve));
      const flags = { port: '0', host: '127.0.0.1', config: path.join(dir, 'featurestore.yaml'), logLevel: 'silent', maxKeys: '10', maxFeatures: '5', bodyLimit: '65536' };
      const done = serveCommand(flags, { out: () => {}, err: () => {} }, { signal: controller.signal, onListening: listening });
      const response = await fetch(`${await url}/v1/features/example::user-profile-v1/get`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer scaffold-key' },
        body: JSON.stringify({ keys: [{ user_id: '1' }] }),
      });
      controller.abort();
      expect(await done).toBe(0);
      expect([response.status, await response.json()]).toEqual([200, { feature: 'example::user-profile-v1', values: [null] }]);
    } finally {
      if (saved === undefined) delete process.env['FS_KEYS_MY_SERVICE'];
      else process.env['FS_KEYS_MY_SERVICE'] = saved;
    }
  }, 60_000);

  it('run again: exit 2 naming every file it would overwrite, and nothing changes; --force replaces them', async () => {
    const dir = await tempDir('init-again');
    expect((await runCli(['init', dir])).code).toBe(0);
    await writeFile(path.join(dir, 'features/example/example.yaml'), '# mine\n');
    const again = await runCli(['init', dir]);
    expect([again.code, again.stderr, again.stdout]).toEqual([
      2,
      `featurestore: ${INIT_ERRORS.exist([rel(dir, 'featurestore.yaml'), rel(dir, 'features/example/example.yaml')])}\n`,
      '',
    ]);
    expect(await read(dir, 'features/example/example.yaml')).toBe('# mine\n');
    const forced = await runCli(['init', dir, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`replaced ${rel(dir, 'features/example/example.yaml')}`);
    expect(await read(dir, 'features/example/example.yaml')).toBe(exampleFeatureYaml(INIT_DEFAULTS));
  });

  it('a featurestore.yml counts as an existing config', async () => {
    const dir = await tempDir('init-yml');
    await writeFile(path.join(dir, 'featurestore.yml'), 'consumers: {}\n');
    const res = await runCli(['init', dir]);
    expect([res.code, res.stderr]).toEqual([2, `featurestore: ${INIT_ERRORS.exist([rel(dir, 'featurestore.yml')])}\n`]);
  });

  it('an existing package.json gains the script with its keys, order and indentation kept; another codegen script needs --force', async () => {
    const dir = await tempDir('init-package');
    const original = { name: 'svc', version: '1.2.3', scripts: { build: 'tsc' }, dependencies: { featurestore: 'file:../..' } };
    await writeFile(path.join(dir, 'package.json'), JSON.stringify(original, null, 4) + '\n');
    expect((await runCli(['init', dir])).code).toBe(0);
    const updated = await read(dir, 'package.json');
    expect(updated).toBe(JSON.stringify({ ...original, scripts: { build: 'tsc', codegen: CODEGEN_SCRIPT } }, null, 4) + '\n');

    const other = await tempDir('init-package-other');
    await writeFile(path.join(other, 'package.json'), JSON.stringify({ scripts: { codegen: 'make gen' } }));
    const refused = await runCli(['init', other]);
    expect([refused.code, refused.stderr]).toEqual([2, `featurestore: ${INIT_ERRORS.exist([INIT_ERRORS.codegenScript(rel(other, 'package.json'), 'make gen')])}\n`]);
    // Refused as a whole: not even the files that did not exist were written.
    await expect(read(other, 'featurestore.yaml')).rejects.toThrow(/ENOENT/);
    expect((await runCli(['init', other, '--force'])).code).toBe(0);
    expect(JSON.parse(await read(other, 'package.json'))).toEqual({ scripts: { codegen: CODEGEN_SCRIPT } });
  });

  it('a package.json that is not JSON is named and left alone', async () => {
    const dir = await tempDir('init-bad-package');
    await writeFile(path.join(dir, 'package.json'), '{ "name": ');
    const res = await runCli(['init', dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^featurestore: .*package\.json cannot be edited: not valid JSON \(/);
    expect(await read(dir, 'package.json')).toBe('{ "name": ');
  });

  it('.gitignore: only the missing entries are appended, after what is there', async () => {
    const dir = await tempDir('init-gitignore');
    await writeFile(path.join(dir, '.gitignore'), 'node_modules/\n*.pyc');
    expect((await runCli(['init', dir])).code).toBe(0);
    const missing = GITIGNORE_ENTRIES.filter((e) => e !== '*.pyc');
    expect(await read(dir, '.gitignore')).toBe(`node_modules/\n*.pyc\n\n${GITIGNORE_HEADER}\n${missing.join('\n')}\n`);
    const again = await runCli(['init', dir, '--force']);
    expect(again.stdout).not.toContain('.gitignore');
  });

  it('--namespace and --consumer name the example; the result codegens', async () => {
    const dir = await tempDir('init-names');
    const res = await runCli(['init', dir, '--namespace', 'recsys', '--consumer', 'feed-ranker']);
    expect(res.code).toBe(0);
    expect(await read(dir, 'features/recsys/recsys.yaml')).toContain('recsys::user-profile-v1:');
    expect(await read(dir, 'featurestore.yaml')).toContain('api_keys_env: FS_KEYS_FEED_RANKER');
    expect(await binary(dir, ['codegen'])).toMatchObject({ code: 0, stderr: '' });
  }, 60_000);

  it.each([
    [['--namespace', 'Rec_Sys'], INIT_ERRORS.badNamespace('Rec_Sys')],
    [['--namespace', 'a'.repeat(40)], INIT_ERRORS.longNamespace('a'.repeat(40), `${'a'.repeat(40)}__user_profile_v1`)],
    [['--consumer', '9lives'], INIT_ERRORS.badConsumer('9lives')],
  ] as const)('bad names exit 2 before anything is written: %j', async (args, message) => {
    const dir = path.join(await tempDir('init-bad-names'), 'p');
    const res = await runCli(['init', dir, ...args]);
    expect([res.code, res.stderr]).toEqual([2, `featurestore: ${message}\n`]);
    await expect(readFile(path.join(dir, 'featurestore.yaml'))).rejects.toThrow(/ENOENT/);
  });

  it('DIR that is a file: exit 2', async () => {
    const dir = await tempDir('init-file');
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', 'x'), '');
    const res = await runCli(['init', path.join(dir, 'sub', 'x')]);
    expect([res.code, res.stderr]).toEqual([2, `featurestore: ${INIT_ERRORS.notAFolder(rel(dir, 'sub/x'))}\n`]);
  });
});
