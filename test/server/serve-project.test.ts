/**
 * Where `featurestore serve` finds its project (config, generated folder, default SQLite file), which
 * API-key variables it uses (the manifest's, checked against the config), and what it refuses to start
 * with: no manifest, a stale manifest, no consumer holding a key. Folders are made under .vitest-tmp, so
 * "outside the project" means a folder with no featurestore.yaml and no generated/.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { copyFile, cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serveCommand, SERVE_KEY_ERRORS, SERVE_LOG, SERVE_PROJECT_ERRORS, type ServeFlags } from '../../cli/serve.ts';
import { consumerKeyVariables, KeyVariablesError } from '../../cli/serve-keys.ts';
import { DEFAULT_SQLITE_FILE, locateServeProject } from '../../cli/serve-project.ts';
import { configSpec } from '../../generator/spec/config-spec.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const KEY_VARS = ['FS_KEYS_LIVE_RECOMMENDER', 'FS_KEYS_MATCH_RECOMMENDER', 'FS_KEYS_LOUNGE_RECOMMENDER', 'FS_KEYS_REALTIME_CALCULATOR', 'FS_KEYS_UPSYNC_WORKER', 'FS_KEYS_ANOMALY_DETECTOR'];
const saved = Object.fromEntries(KEY_VARS.map((v) => [v, process.env[v]]));
afterEach(() => {
  for (const v of KEY_VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
});
const unsetKeys = () => KEY_VARS.forEach((v) => delete process.env[v]);

/** A copy of the repository's project: featurestore.yaml and generated/{manifest.json,acl/}. */
async function project(prefix: string, { config = true } = {}): Promise<string> {
  const dir = await tempDir(prefix);
  await mkdir(path.join(dir, 'generated'), { recursive: true });
  await copyFile('generated/manifest.json', path.join(dir, 'generated', 'manifest.json'));
  await cp('generated/acl', path.join(dir, 'generated', 'acl'), { recursive: true });
  if (config) await copyFile('featurestore.yaml', path.join(dir, 'featurestore.yaml'));
  return dir;
}

const flags = (over: Partial<ServeFlags>): ServeFlags => ({
  port: '0', host: '127.0.0.1', logLevel: 'info', maxKeys: '1000', maxFeatures: '50', bodyLimit: '1048576', ...over,
});

/** Runs serve in process until listening, makes `probe` requests, stops it; returns its output. */
async function serveOnce(opts: ServeFlags, probe: (url: string) => Promise<void> = async () => {}) {
  let out = '';
  let err = '';
  const controller = new AbortController();
  let listening!: (url: string) => void;
  let failed!: (e: Error) => void;
  const url = new Promise<string>((resolve, reject) => ((listening = resolve), (failed = reject)));
  const done = serveCommand(opts, { out: (t) => (out += t), err: (t) => (err += t) }, { signal: controller.signal, onListening: listening });
  void done.then((code) => failed(new Error(`serve returned ${code} before listening: ${err}`)), failed);
  try {
    await probe(await url);
  } finally {
    controller.abort();
  }
  return { code: await done, out, err, lines: out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function withoutKeys(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('FS_KEYS_')));
}

/** Resolves with the URL of the `listening` log line; `output` keeps filling until the child exits. */
async function listeningUrl(child: ChildProcessByStdio<null, Readable, Readable>) {
  const output = { stdout: '', stderr: '' };
  child.stderr.on('data', (d: Buffer) => (output.stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      output.stdout += d.toString();
      const m = /"msg":"listening"/.test(output.stdout) ? /"url":"(http:\/\/[^"]+)"/.exec(output.stdout) : null;
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${output.stderr}`)));
  });
  return { url, output };
}

const get = (url: string, headers: Record<string, string>, feature = 'live::hakuna-host-stat-v1', key: Record<string, unknown> = { user_id: '1001' }) =>
  fetch(`${url}/v1/features/${feature}/get`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ keys: [key] }) });

describe('locating the project', () => {
  let withConfig: string;
  let bare: string;
  let empty: string;
  beforeAll(async () => {
    withConfig = await project('serve-project');
    bare = await project('serve-bare', { config: false });
    empty = await tempDir('serve-empty');
  });

  it('--config elsewhere: generated/ and the SQLite file default to its folder, not the working folder', async () => {
    const found = await locateServeProject({ config: path.join(withConfig, 'featurestore.yaml') }, empty);
    expect(path.resolve(empty, found.generatedDir)).toBe(path.join(withConfig, 'generated'));
    expect(path.resolve(empty, found.defaultSqlitePath)).toBe(path.join(withConfig, DEFAULT_SQLITE_FILE));
  });

  it('featurestore.yaml in the working folder is found; defaults beside it', async () => {
    const found = await locateServeProject({}, withConfig);
    expect(found).toEqual({ configFile: 'featurestore.yaml', generatedDir: 'generated', defaultSqlitePath: DEFAULT_SQLITE_FILE });
  });

  it('no config: --generated alone is enough, and the SQLite default is in the working folder', async () => {
    const found = await locateServeProject({ generated: path.join(bare, 'generated') }, empty);
    expect(found.configFile).toBeNull();
    expect(path.resolve(empty, found.defaultSqlitePath)).toBe(path.join(empty, DEFAULT_SQLITE_FILE));
  });

  it('an explicit --generated wins over the folder beside the config, relative to the working folder', async () => {
    const found = await locateServeProject({ config: path.join(withConfig, 'featurestore.yaml'), generated: 'generated' }, bare);
    expect(path.resolve(bare, found.generatedDir)).toBe(path.join(bare, 'generated'));
  });

  it.each([
    ['nothing here', {}, () => SERVE_PROJECT_ERRORS.noProject(empty)],
    ['--generated without a manifest', { generated: 'nowhere' }, () => SERVE_PROJECT_ERRORS.noManifestAt('nowhere')],
    ['--config that does not exist', { config: 'missing.yaml' }, () => SERVE_PROJECT_ERRORS.configMissing('missing.yaml')],
  ] as const)('%s: one message naming the flag to pass', async (_name, given, message) => {
    await expect(locateServeProject(given, empty)).rejects.toThrow(message());
  });

  it('a config without generated/ beside it names both', async () => {
    const lone = await tempDir('serve-lone-config');
    await writeFile(path.join(lone, 'featurestore.yaml'), 'consumers: {}\n');
    await expect(locateServeProject({}, lone)).rejects.toThrow(SERVE_PROJECT_ERRORS.noManifestBesideConfig('generated', 'featurestore.yaml'));
  });
});

describe('API-key variables: the manifest, checked against the config', () => {
  const manifest = new Map<string, string | null>([['a', 'FS_A'], ['b', null]]);
  const config = (yaml: Record<string, unknown>) => ({ file: 'featurestore.yaml', spec: configSpec.parse({ consumers: yaml }) });

  it('without a config, the manifest decides', () => {
    expect(consumerKeyVariables(manifest, null, 'generated/manifest.json')).toEqual({ a: { api_keys_env: 'FS_A' }, b: {} });
  });

  it('a config that agrees changes nothing', () => {
    expect(consumerKeyVariables(manifest, config({ a: { api_keys_env: 'FS_A' }, b: null }), 'm.json')).toEqual({ a: { api_keys_env: 'FS_A' }, b: {} });
  });

  it.each([
    [{ a: { api_keys_env: 'FS_OTHER' }, b: null }, 'a', 'api_keys_env FS_OTHER', 'api_keys_env FS_A'],
    [{ a: { api_keys_env: 'FS_A' }, b: { api_keys_env: 'FS_B' } }, 'b', 'api_keys_env FS_B', 'no api_keys_env'],
    [{ a: { api_keys_env: 'FS_A' }, b: null, c: null }, 'c', 'no api_keys_env', 'no such consumer'],
  ] as const)('a config edited after codegen is refused: %j', (yaml, consumer, inConfig, inManifest) => {
    expect(() => consumerKeyVariables(manifest, config(yaml), 'm.json')).toThrow(
      new KeyVariablesError(SERVE_KEY_ERRORS.staleManifest('m.json', 'featurestore.yaml', consumer, inConfig, inManifest)),
    );
  });

  it('a manifest from a codegen that did not record them: the config\'s variables, or an error asking for codegen', () => {
    expect(consumerKeyVariables(null, config({ a: { api_keys_env: 'FS_A' } }), 'm.json')).toEqual({ a: { api_keys_env: 'FS_A' } });
    expect(() => consumerKeyVariables(null, null, 'm.json')).toThrow(SERVE_KEY_ERRORS.predatesKeys('m.json'));
  });
});

describe('serve outside the repository', () => {
  it('the real binary started in a folder with nothing but --generated DIR: keys from the manifest, featurestore.sqlite created there', async () => {
    const bare = await project('serve-only-generated', { config: false });
    const cwd = await tempDir('serve-cwd');
    const env = { ...withoutKeys(process.env), FS_KEYS_LIVE_RECOMMENDER: 'only-generated-key' };
    const child = spawn(process.execPath, [path.resolve('bin/featurestore.mjs'), 'serve', '--port', '0', '--generated', path.join(bare, 'generated')], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const { url, output } = await listeningUrl(child);
    expect((await get(url, { authorization: 'Bearer only-generated-key' })).status).toBe(200);
    expect((await get(url, {})).status).toBe(401);
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(output.stderr).toBe('');
    expect((await stat(path.join(cwd, DEFAULT_SQLITE_FILE))).isFile()).toBe(true);
    const listening = output.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === SERVE_LOG.listening);
    expect(listening).toMatchObject({ store: `sqlite:${DEFAULT_SQLITE_FILE}`, consumersWithKeys: ['live-recommender'] });
  }, 60_000);

  it('the real binary in an empty folder: exit 2, one line asking for --generated or --config', async () => {
    const cwd = await tempDir('serve-nothing');
    const res = spawnSync(process.execPath, [path.resolve('bin/featurestore.mjs'), 'serve'], { cwd, encoding: 'utf8' });
    expect([res.status, res.stderr, res.stdout]).toEqual([2, `featurestore: ${SERVE_PROJECT_ERRORS.noProject(cwd)}\n`, '']);
  }, 60_000);

  it('--config elsewhere and no --store: the default SQLite file is created beside the config', async () => {
    const dir = await project('serve-config-elsewhere');
    unsetKeys();
    process.env['FS_KEYS_LIVE_RECOMMENDER'] = 'elsewhere-key';
    const res = await serveOnce(flags({ config: path.join(dir, 'featurestore.yaml') }), async (url) => {
      expect((await get(url, { 'x-api-key': 'elsewhere-key' })).status).toBe(200);
    });
    expect(res.code).toBe(0);
    expect((await stat(path.join(dir, DEFAULT_SQLITE_FILE))).isFile()).toBe(true);
    // The store it opened is that file, not featurestore.sqlite in the working folder.
    const store = res.lines.find((l) => l['msg'] === SERVE_LOG.listening)?.['store'];
    expect(store).toBe(`sqlite:${path.relative(process.cwd(), path.join(dir, DEFAULT_SQLITE_FILE))}`);
  });

  it('a config whose api_keys_env changed since codegen: exit 1, one line naming the consumer and the fix', async () => {
    const dir = await project('serve-stale');
    const yaml = await readFile(path.join(dir, 'featurestore.yaml'), 'utf8');
    await writeFile(path.join(dir, 'featurestore.yaml'), yaml.replace('FS_KEYS_LIVE_RECOMMENDER', 'FS_KEYS_LIVE_RENAMED'));
    const res = await runCli(['serve', '--port', '0', '--config', path.join(dir, 'featurestore.yaml')]);
    const manifest = path.relative(process.cwd(), path.join(dir, 'generated', 'manifest.json'));
    expect([res.code, res.stderr]).toEqual([
      1,
      `featurestore: ${SERVE_KEY_ERRORS.staleManifest(manifest, path.join(dir, 'featurestore.yaml'), 'live-recommender', 'api_keys_env FS_KEYS_LIVE_RENAMED', 'api_keys_env FS_KEYS_LIVE_RECOMMENDER')}\n`,
    ]);
  });
});

describe('refusing to start without a way in', () => {
  it('no consumer has a key: exit 2 naming every variable and --anonymous-consumer; nothing listens', async () => {
    const dir = await project('serve-no-keys');
    unsetKeys();
    const res = await runCli(['serve', '--port', '0', '--config', path.join(dir, 'featurestore.yaml')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`featurestore: ${SERVE_KEY_ERRORS.noKeys(['FS_KEYS_ANOMALY_DETECTOR', 'FS_KEYS_LIVE_RECOMMENDER', 'FS_KEYS_LOUNGE_RECOMMENDER', 'FS_KEYS_MATCH_RECOMMENDER', 'FS_KEYS_REALTIME_CALCULATOR', 'FS_KEYS_UPSYNC_WORKER'])}\n`);
    expect(res.stdout).toBe('');
    // Refused before the store was opened: no database file was created.
    await expect(stat(path.join(dir, DEFAULT_SQLITE_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('no consumer even has api_keys_env: exit 2 saying so', async () => {
    const dir = await project('serve-no-vars');
    const manifestFile = path.join(dir, 'generated', 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { project: { consumers: { name: string; apiKeysEnv: string | null }[] } };
    for (const c of manifest.project.consumers) c.apiKeysEnv = null;
    await writeFile(manifestFile, JSON.stringify(manifest));
    // The config the manifest would come from: the same consumers, none with api_keys_env.
    await writeFile(path.join(dir, 'featurestore.yaml'), `consumers:\n${manifest.project.consumers.map((c) => `  ${c.name}: {}\n`).join('')}`);
    const res = await runCli(['serve', '--port', '0', '--config', path.join(dir, 'featurestore.yaml')]);
    expect([res.code, res.stderr]).toEqual([2, `featurestore: ${SERVE_KEY_ERRORS.noKeyVariables(path.relative(process.cwd(), manifestFile))}\n`]);
  });

  it('--anonymous-consumer NAME: requests without a key act as NAME under its ACL; a wrong key is still 401', async () => {
    const dir = await project('serve-anonymous');
    unsetKeys();
    const res = await serveOnce(flags({ config: path.join(dir, 'featurestore.yaml'), anonymousConsumer: 'live-recommender' }), async (url) => {
      expect((await get(url, {})).status).toBe(200);
      expect((await get(url, { authorization: 'Bearer guessed' })).status).toBe(401);
      // live-recommender may not read match features: the ACL applies to anonymous requests too.
      const denied = await get(url, {}, 'azar-match::user-embedding-v2', { user_id: '42' });
      expect(denied.status).toBe(403);
    });
    expect(res.code).toBe(0);
    expect(res.lines.find((l) => l['msg'] === SERVE_LOG.anonymous)).toMatchObject({ level: 40, anonymousConsumer: 'live-recommender' });
  });

  it('--anonymous-consumer naming no consumer of the project: exit 2', async () => {
    const dir = await project('serve-anonymous-unknown');
    const res = await runCli(['serve', '--port', '0', '--config', path.join(dir, 'featurestore.yaml'), '--anonymous-consumer', 'nobody']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^featurestore: invalid --anonymous-consumer "nobody": not a consumer of this project \(expected one of anomaly-detector, live-recommender, /);
  });
});
