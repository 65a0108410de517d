/**
 * The upsync progress bar: drawn on a TTY (rows, rows/s, and on DuckDB the total, a percentage and an
 * ETA from one COUNT), never on a non-TTY stream: a log (Airflow's task log, a CI file) gets the
 * summary lines and not one escape code. DuckDB → SQLite, no server.
 */
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { etaText, upsyncCommand, type ProgressStream } from '../../cli/upsync.ts';
import { openOfflineStore } from '../../runtime/offline/open-offline-store.ts';
import { appendAll, objRow, offlineTables, T0 } from './upsync-fixtures.ts';
import { OBJ, upsyncProject, type UpsyncProject } from './upsync-project.ts';

const N = 600;

async function filled(prefix: string): Promise<UpsyncProject> {
  const p = await upsyncProject(prefix);
  const tables = await offlineTables(p.generated);
  const store = await openOfflineStore({ kind: 'duckdb', path: p.duckdb, tables: [...tables.values()] });
  await appendAll(store, tables.get(OBJ)!, Array.from({ length: N }, (_, i) => objRow(i + 1, T0 + (i + 1) * 1000)));
  await store.close();
  return p;
}

/** A stream that says it is a terminal and keeps what is drawn on it. */
class FakeTty extends Writable implements ProgressStream {
  readonly isTTY = true;
  readonly columns = 200;
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  cursorTo(_x: number, _y?: number): boolean {
    this.text += '\x1b[G';
    return true;
  }
  clearLine(_dir: number): boolean {
    this.text += '\x1b[K';
    return true;
  }
  moveCursor(_dx: number, _dy: number): boolean {
    return true;
  }
}

const ESC = '\x1b';

describe('upsync progress', () => {
  it('on a TTY: rows read of the counted total, rows/s, a percentage and an ETA; the summary still printed', async () => {
    const p = await filled('upsync-progress-tty');
    const tty = new FakeTty();
    let out = '';
    let err = '';
    const code = await upsyncCommand(
      { config: p.config, feature: [OBJ], full: true, overlap: '10m', concurrency: '2', pageSize: '50', shard: '0/1', json: true },
      { out: (t) => (out += t), err: (t) => (err += t) },
      { signals: false, progressStream: tty },
    );
    expect(code, err).toBe(0);
    expect(tty.text).toContain(ESC);
    // The last frame (drawn on stop) has every row, of the total DuckDB counted first.
    expect(tty.text).toContain(`${OBJ} ${N}/${N} rows read, ${N} written, 0 quarantined`);
    expect(tty.text).toMatch(/\d+ rows\/s, 100 %, ETA 0s/);
    expect(JSON.parse(out.trim()).totals.written).toBe(N);
  });

  it('on a non-TTY stream (a pipe, as in a log): no bar, no escape code, the summary lines only', async () => {
    const p = await filled('upsync-progress-pipe');
    // The CLI from source in a child process: its stderr is a pipe, as when a scheduler captures it.
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/upsync/cli-child.ts', 'upsync', '--config', p.config, '--feature', OBJ, '--full', '--page-size', '50'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`${OBJ} [shard 0/1, full]: ${N} read, ${N} written`);
    expect(stdout + stderr).not.toContain(ESC);
    expect(stderr).not.toContain('rows read');
  });

  it('a TTY-like stream is not drawn on when it says it is no TTY, even with progress asked for', async () => {
    const p = await filled('upsync-progress-notty');
    const stream = Object.assign(new FakeTty(), { isTTY: false });
    let err = '';
    const code = await upsyncCommand(
      { config: p.config, feature: [OBJ], full: true, overlap: '10m', concurrency: '2', pageSize: '50', shard: '0/1' },
      { out: () => {}, err: (t) => (err += t) },
      { signals: false, progress: true, progressStream: stream },
    );
    expect(code, err).toBe(0);
    expect(stream.text).toBe('');
  });

  it('ETA text: seconds, minutes, hours; 0s when done, ? before any rate', () => {
    expect(etaText(0, 100)).toBe('0s');
    expect(etaText(100, 0)).toBe('?');
    expect(etaText(1000, 100)).toBe('10s');
    expect(etaText(18_400, 100)).toBe('3m04s');
    expect(etaText(372_000, 100)).toBe('1h02m');
  });
});
