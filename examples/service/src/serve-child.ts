/**
 * `featurestore serve` as a child process, as a deployment would run it next to the service: the binary
 * of the installed toolchain (found through its package.json, not a path into node_modules), a free port
 * (`--port 0`), and the bound URL taken from the server's `listening` log line (JSON lines on stdout).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';

export interface ServeChild {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, then the exit code (0 when it drained and closed cleanly). */
  stop(): Promise<number | null>;
}

export interface ServeOptions {
  readonly config: string;
  readonly sqlitePath: string;
  readonly env: Readonly<Record<string, string>>;
  /** Each log line the server writes (parsed JSON). */
  readonly onLog?: (line: Readonly<Record<string, unknown>>) => void;
}

const START_TIMEOUT_MS = 30_000;

export async function startServe(options: ServeOptions): Promise<ServeChild> {
  const bin = await featurestoreBin();
  const args = [bin, 'serve', '--port', '0', '--config', options.config, '--store', `sqlite:${options.sqlitePath}`, '--log-level', 'warn'];
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<Readonly<Record<string, unknown>>>((resolve, reject) => {
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const text of lines.filter((l) => l !== '')) {
        const line = JSON.parse(text) as Readonly<Record<string, unknown>>;
        options.onLog?.(line);
        if (line['msg'] === 'listening') resolve(line);
      }
    });
    void exited.then((code) => reject(new Error(`featurestore serve exited with ${code} before listening: ${stderr.trim()}`)));
    setTimeout(() => reject(new Error(`featurestore serve did not start within ${START_TIMEOUT_MS} ms: ${stderr.trim()}`)), START_TIMEOUT_MS).unref();
  });
  const line = await listening.catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  return {
    url: String(line['url']),
    pid: Number(line['pid']),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The `featurestore` bin of the installed package, from its own package.json. */
async function featurestoreBin(): Promise<string> {
  const manifestUrl = import.meta.resolve('featurestore/package.json');
  const pkg = JSON.parse(await readFile(fileURLToPath(manifestUrl), 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.['featurestore'];
  if (!bin) throw new Error('the installed featurestore package declares no featurestore bin');
  return fileURLToPath(new URL(bin, manifestUrl));
}
