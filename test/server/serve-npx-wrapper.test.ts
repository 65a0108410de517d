/**
 * SIGTERM to `npx featurestore serve` stops the server. npm runs the binary under `sh -c` and forwards
 * the signal to that shell only, which dies of it without passing it on; the server notices its parent
 * is gone (cli/parent-watch.ts) and stops as on SIGTERM. Run exactly as a user would: a project folder
 * with the toolchain in node_modules/.bin, `npx --no featurestore serve` (never the registry).
 */
import { spawn } from 'node:child_process';
import { copyFile, cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVE_LOG } from '../../cli/serve.ts';
import { tempDir } from '../helpers/temp-dir.ts';

async function projectWithToolchain(): Promise<string> {
  const dir = await tempDir('serve-npx');
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'npx-wrapper-test', private: true }));
  await mkdir(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  await symlink(path.resolve('.'), path.join(dir, 'node_modules', 'featurestore'));
  await symlink(path.join('..', 'featurestore', 'bin', 'featurestore.mjs'), path.join(dir, 'node_modules', '.bin', 'featurestore'));
  await copyFile('featurestore.yaml', path.join(dir, 'featurestore.yaml'));
  await mkdir(path.join(dir, 'generated'));
  await copyFile('generated/manifest.json', path.join(dir, 'generated', 'manifest.json'));
  await cp('generated/acl', path.join(dir, 'generated', 'acl'), { recursive: true });
  return dir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}

describe('npx featurestore serve', () => {
  it('SIGTERM to the npx process: the server drains, closes its port and exits through its normal stop', async () => {
    const cwd = await projectWithToolchain();
    const env = { ...process.env, FS_KEYS_LIVE_RECOMMENDER: 'npx-key' };
    const npx = spawn('npx', ['--no', 'featurestore', 'serve', '--port', '0'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    npx.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The server inherited npx's stdout: the pipe ends only when the server process itself has exited.
    const serverOutputEnded = new Promise<void>((resolve) => npx.stdout.once('end', resolve));
    const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
      npx.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const line = stdout.split('\n').find((l) => l.includes('"msg":"listening"'));
        if (line) resolve(JSON.parse(line) as Record<string, unknown>);
      });
      npx.once('exit', (code) => reject(new Error(`npx exited ${code} before listening: ${stderr}`)));
    });
    const url = String(listening['url']);
    const serverPid = Number(listening['pid']);
    expect(serverPid).not.toBe(npx.pid);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const npxExit = new Promise<void>((resolve) => npx.once('exit', () => resolve()));
    npx.kill('SIGTERM');
    await npxExit;
    const stopped = await until(() => !alive(serverPid), 10_000);
    // A failed run must not leave an orphan server behind (the very defect under test).
    if (!stopped) process.kill(serverPid, 'SIGKILL');
    expect(stopped).toBe(true);
    await serverOutputEnded;
    const refused = await fetch(`${url}/healthz`).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(TypeError);
    expect(((refused as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l['msg'] === SERVE_LOG.stopping)).toMatchObject({ reason: 'parent exited', pid: serverPid });
    // The last line is written after the store closed, just before the command returns exit code 0.
    expect(lines.at(-1)).toMatchObject({ msg: SERVE_LOG.stopped, pid: serverPid });
    expect(stderr).toBe('');
  }, 60_000);
});
