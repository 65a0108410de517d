/** `featurestore serve`: flags, API keys from the config's variables, a clean stop; in process and as a real binary. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCommand, SERVE_ERRORS, type ServeFlags } from '../../cli/serve.ts';
import { createOnlineRuntime } from '../../runtime/index.ts';
import { runCli } from '../helpers/run-cli.ts';
import { seed } from './read-api-fixture.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let dbPath: string;
const saved = process.env['FS_KEYS_LIVE_RECOMMENDER'];
beforeAll(async () => {
  dbPath = path.join(await tempDir('serve'), 'online.sqlite');
  const runtime = await createOnlineRuntime({ generatedDir: 'generated', store: { kind: 'sqlite', path: dbPath } });
  await seed(runtime);
  await runtime.close();
  process.env['FS_KEYS_LIVE_RECOMMENDER'] = 'serve-key-1, serve-key-2';
});
afterAll(() => {
  if (saved === undefined) delete process.env['FS_KEYS_LIVE_RECOMMENDER'];
  else process.env['FS_KEYS_LIVE_RECOMMENDER'] = saved;
});

const flags = (over: Partial<ServeFlags> = {}): ServeFlags => ({
  port: '0', host: '127.0.0.1', generated: 'generated', store: `sqlite:${dbPath}`, logLevel: 'silent',
  maxKeys: '1000', maxFeatures: '50', bodyLimit: '1048576', config: 'featurestore.yaml', ...over,
});

const read = (url: string, key: string) =>
  fetch(`${url}/v1/features/live::hakuna-host-stat-v1/get`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ keys: [{ user_id: '1001' }] }),
  });

describe('featurestore serve', () => {
  it('serves with the keys of featurestore.yaml\'s api_keys_env variables, and stops on abort', async () => {
    let err = '';
    const controller = new AbortController();
    let listening!: (url: string) => void;
    const url = new Promise<string>((resolve) => (listening = resolve));
    const done = serveCommand(flags(), { out: () => {}, err: (t) => (err += t) }, { signal: controller.signal, onListening: listening });
    const base = await url;
    const ok = await read(base, 'serve-key-2');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ values: [{ level: '12' }] });
    expect((await read(base, 'serve-key-3')).status).toBe(401);
    controller.abort();
    expect(await done).toBe(0);
    expect(err).toContain(`listening on ${base} (store sqlite:${dbPath}, cache off, consumers with keys: live-recommender)`);
    // The other consumers' variables are unset: each is named once, so operators see why they get 401.
    expect(err).toContain('FS_KEYS_MATCH_RECOMMENDER is not set');
  });

  it('usage errors exit 2 with a message', async () => {
    const store = await runCli(['serve', '--store', 'mysql:x']);
    expect([store.code, store.stderr.trim()]).toEqual([2, `featurestore: ${SERVE_ERRORS.badStore('mysql:x')}`]);
    const port = await runCli(['serve', '--port', 'http']);
    expect(port.stderr).toContain('invalid --port "http"');
    const generated = await runCli(['serve', '--generated', 'no-such-dir']);
    expect([generated.code, generated.stderr.trim()]).toEqual([2, `featurestore: ${SERVE_ERRORS.noManifest('no-such-dir')}`]);
  });

  it('--help lists the flags', async () => {
    const help = await runCli(['serve', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--port', '--host', '--generated', '--store', '--redis', '--config', '--max-keys']) expect(help.stdout).toContain(flag);
  });

  it('the real binary logs JSON lines without key values and exits 0 on SIGTERM', async () => {
    const child = spawn('node', ['bin/featurestore.mjs', 'serve', '--port', '0', '--store', `sqlite:${dbPath}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const base = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    expect((await read(base, 'serve-key-1')).status).toBe(200);
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const access = lines.find((l) => l['msg'] === 'request');
    expect(access).toMatchObject({ route: '/v1/features/:feature/get', feature: 'live::hakuna-host-stat-v1', consumer: 'live-recommender', statusCode: 200, keys: 1 });
    expect(typeof access?.['reqId']).toBe('string');
    expect(stdout).not.toContain('1001');
    expect(stdout).not.toContain('serve-key');
  }, 60_000);
});
