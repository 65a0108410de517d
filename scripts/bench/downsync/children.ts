/**
 * The benchmark's child processes: `featurestore downsync` and `featurestore serve` (cli-child.ts), with
 * their JSON lifecycle lines parsed and stderr kept for the failure message. Optionally under
 * `node --cpu-prof` (the profile is written when the child exits after SIGTERM, so stop() waits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

const CHILD = 'scripts/bench/downsync/cli-child.ts';

export interface ChildLine {
  readonly event?: string;
  readonly [field: string]: unknown;
}

export class CliChild {
  readonly lines: ChildLine[] = [];
  stderr = '';
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  constructor(args: readonly string[], options: { readonly cpuProfDir?: string; readonly env?: NodeJS.ProcessEnv; readonly keepLines?: boolean } = {}) {
    const node = [...(options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : []), '--import', 'tsx', CHILD, ...args];
    this.child = spawn(process.execPath, node, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    let buffered = '';
    const keep = options.keepLines ?? true;
    this.child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      if (!keep) return;
      buffered += text;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(line) as ChildLine);
        } catch {
          this.lines.push({ event: 'unparsed', line });
        }
      }
    });
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => (this.stderr = (this.stderr + text).slice(-8_000)));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** The first line with this event, waiting at most `timeoutMs`; throws with stderr when the child exits first. */
  async line(event: string, timeoutMs = 60_000): Promise<ChildLine> {
    for (const deadline = Date.now() + timeoutMs; ; await sleep(50)) {
      const found = this.lines.find((l) => l.event === event);
      if (found) return found;
      if (!this.running) throw new Error(`child exited before "${event}": ${this.stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`no "${event}" line within ${timeoutMs} ms: ${this.stderr.trim()}`);
    }
  }

  /** SIGTERM, then waits for the exit (the worker flushes and commits first). */
  async stop(): Promise<number | null> {
    if (!this.running) return (await this.exited).code;
    this.child.kill('SIGTERM');
    return (await this.exited).code;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port free right now (bound and released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
