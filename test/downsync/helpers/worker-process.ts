/**
 * `featurestore downsync` as a child process (the real binary), for the crash tests: kill -9 leaves it
 * no chance to flush, commit or leave the group, exactly like a machine dying.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface LogLine {
  readonly event: string;
  readonly [field: string]: unknown;
}

export class WorkerProcess {
  readonly lines: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, ['bin/featurestore.mjs', 'downsync', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let buffered = '';
    this.child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          this.lines.push({ event: 'unparsed', line });
        }
      }
    });
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => (this.stderr += text));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** null while running. */
  get exitCode(): number | null {
    return this.child.exitCode ?? (this.child.signalCode ? -1 : null);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  has(event: string): boolean {
    return this.lines.some((l) => l.event === event);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}
