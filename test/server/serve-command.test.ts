/**
 * `featurestore serve`: flags, API keys from the manifest's variables, one JSON log stream on stdout, a
 * clean stop; in process and as a real binary.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCommand, SERVE_ERRORS, SERVE_LOG, SERVE_PROJECT_ERRORS, type ServeFlags } from '../../cli/serve.ts';
import { API_KEY_ERRORS } from '../../runtime/server/index.ts';
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
  it('serves with the keys of the api_keys_env variables, logs JSON lines on stdout only, and stops on abort', async () => {
    let out = '';
    let err = '';
    const controller = new AbortController();
    let listening!: (url: string) => void;
    const url = new Promise<string>((resolve) => (listening = resolve));
    const done = serveCommand(flags({ logLevel: 'info' }), { out: (t) => (out += t), err: (t) => (err += t) }, { signal: controller.signal, onListening: listening });
    const base = await url;
    const ok = await read(base, 'serve-key-2');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ values: [{ level: '12' }] });
    expect((await read(base, 'serve-key-3')).status).toBe(401);
    controller.abort();
    expect(await done).toBe(0);
    expect(err).toBe('');
    const lines = jsonLines(out);
    expect(lines.find((l) => l['msg'] === SERVE_LOG.listening)).toMatchObject({
      url: base, store: `sqlite:${dbPath}`, generated: 'generated', cache: null, consumersWithKeys: ['live-recommender'],
    });
    // The other consumers' variables are unset: each is named once, so operators see why they get 401.
    expect(lines.filter((l) => l['msg'] === API_KEY_ERRORS.unsetEnv('match-recommender', 'FS_KEYS_MATCH_RECOMMENDER'))).toHaveLength(1);
    expect(lines.find((l) => l['msg'] === SERVE_LOG.stopping)).toMatchObject({ reason: 'aborted' });
    expect(lines.at(-1)).toMatchObject({ msg: SERVE_LOG.stopped });
  });

  it('--log-level warn drops request lines but keeps the start and stop lines; silent writes nothing', async () => {
    for (const [logLevel, expected] of [['warn', [SERVE_LOG.listening, SERVE_LOG.stopping, SERVE_LOG.stopped]], ['silent', []]] as const) {
      let out = '';
      const controller = new AbortController();
      let listening!: (url: string) => void;
      const url = new Promise<string>((resolve) => (listening = resolve));
      const done = serveCommand(flags({ logLevel }), { out: (t) => (out += t), err: () => {} }, { signal: controller.signal, onListening: listening });
      expect((await read(await url, 'serve-key-1')).status).toBe(200);
      controller.abort();
      expect(await done).toBe(0);
      const messages = out === '' ? [] : jsonLines(out).map((l) => l['msg']);
      // warn also keeps the warnings about unset key variables; no line per request.
      expect(messages.filter((m) => !String(m).includes('is not set'))).toEqual(expected);
    }
  });

  it('usage errors exit 2 with a message', async () => {
    const store = await runCli(['serve', '--store', 'mysql:x']);
    expect([store.code, store.stderr.trim()]).toEqual([2, `featurestore: ${SERVE_ERRORS.badStore('mysql:x')}`]);
    const port = await runCli(['serve', '--port', 'http']);
    expect(port.stderr).toContain('invalid --port "http"');
    const generated = await runCli(['serve', '--generated', 'no-such-dir']);
    expect([generated.code, generated.stderr.trim()]).toEqual([2, `featurestore: ${SERVE_PROJECT_ERRORS.noManifestAt('no-such-dir')}`]);
  });

  it('--help lists the flags', async () => {
    const help = await runCli(['serve', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--port', '--host', '--generated', '--store', '--redis', '--config', '--anonymous-consumer', '--max-keys']) expect(help.stdout).toContain(flag);
  });

  it('the real binary logs only JSON lines, on stdout, without key values, and exits 0 on SIGTERM', async () => {
    const child = spawn('node', ['bin/featurestore.mjs', 'serve', '--port', '0', '--store', `sqlite:${dbPath}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = /"msg":"listening"/.test(stdout) ? /"url":"(http:\/\/[^"]+)"/.exec(stdout) : null;
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    expect((await read(base, 'serve-key-1')).status).toBe(200);
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toBe('');
    // Every line is JSON: warnings, the start, each request, the stop.
    const lines = jsonLines(stdout);
    expect(lines.map((l) => l['msg'])).toEqual(expect.arrayContaining([SERVE_LOG.listening, 'request', SERVE_LOG.stopping, SERVE_LOG.stopped]));
    expect(lines.some((l) => l['level'] === 40 && String(l['msg']).includes('FS_KEYS_MATCH_RECOMMENDER is not set'))).toBe(true);
    const access = lines.find((l) => l['msg'] === 'request');
    expect(access).toMatchObject({ route: '/v1/features/:feature/get', feature: 'live::hakuna-host-stat-v1', consumer: 'live-recommender', statusCode: 200, keys: 1 });
    expect(typeof access?.['reqId']).toBe('string');
    expect(lines.find((l) => l['msg'] === SERVE_LOG.stopping)).toMatchObject({ reason: 'SIGTERM' });
    expect(stdout).not.toContain('1001');
    expect(stdout).not.toContain('serve-key');
  }, 60_000);
});

/** Each line of `text` parsed as JSON; a line that is not JSON fails the test. */
function jsonLines(text: string): Record<string, unknown>[] {
  return text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}
