/**
 * `featurestore serve` failure paths: every bad flag, unusable SQLite path and key clash exits 2 with
 * one line, `featurestore: …`, naming the flag (or the variables) and what to do; no stack trace, no
 * "internal error", nothing opened. In process through the CLI, and once as the real binary.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBinary, runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let dir: string;
const immutable: string[] = [];
const VARS = ['FS_KEYS_LIVE_RECOMMENDER', 'FS_KEYS_ANOMALY_DETECTOR'] as const;
const saved = VARS.map((v) => process.env[v]);

beforeAll(async () => {
  dir = await tempDir('serve-failures');
  await writeFile(path.join(dir, 'notes.txt'), 'this is not a database\n');
  await writeFile(path.join(dir, 'fake.sqlite'), Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(200, 0xab)]));
  await mkdir(path.join(dir, 'locked'));
  await chmod(path.join(dir, 'locked'), 0o555);
  // chmod does not stop root; an immutable folder does (and the check must see it).
  if (spawnSync('chattr', ['+i', path.join(dir, 'locked')]).status === 0) immutable.push(path.join(dir, 'locked'));
});
afterAll(() => {
  for (const p of immutable) spawnSync('chattr', ['-i', p]);
  VARS.forEach((v, i) => (saved[i] === undefined ? delete process.env[v] : (process.env[v] = saved[i])));
});

/** A serve that must fail before listening: exit 2, one `featurestore:` line matching `message`. */
async function expectUsage(args: readonly string[], message: RegExp): Promise<void> {
  const res = await runCli(['serve', '--port', '0', ...args]);
  const lines = res.stderr.split('\n').filter((l) => l !== '' && !l.includes(': warning: '));
  expect(res.code, res.stderr).toBe(2);
  expect(lines, res.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^featurestore: /);
  expect(lines[0]).toMatch(message);
  expect(res.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(res.stderr).not.toContain('listening on');
}

describe('flags are checked before anything is opened', () => {
  it.each([
    [['--port', '99999'], /invalid --port "99999": expected an integer from 0 to 65535 \(hint: 0 picks a free port\)/],
    [['--port', '-1'], /invalid --port "-1"/],
    [['--port', '080808'], /invalid --port "080808"/],
    [['--log-level', 'loud'], /invalid --log-level "loud": expected one of fatal, error, warn, info, debug, trace, silent/],
    [['--redis', 'notaurl'], /invalid --redis "notaurl": expected a URL such as redis:\/\//],
    [['--redis', 'http://127.0.0.1:6379'], /invalid --redis "http:\/\/127\.0\.0\.1:6379"/],
    [['--redis', 'redis://127.0.0.1:99999'], /invalid --redis/],
    [['--redis', 'redis://127.0.0.1:6379/not-a-db'], /invalid --redis/],
    [['--store', 'cassandra', '--consistency', 'bogus'], /invalid --consistency "bogus": expected one of .*localQuorum/],
  ] as const)('%j', async (args, message) => expectUsage(args, message));

  it('a password in a bad --redis URL is not printed', async () => {
    const res = await runCli(['serve', '--redis', 'redis://:hunter2@127.0.0.1:6379/x']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('redis://:***@127.0.0.1:6379/x');
    expect(res.stderr).not.toContain('hunter2');
  });
});

describe('--store sqlite: paths that cannot work', () => {
  it('a missing folder', async () => {
    await expectUsage(['--store', `sqlite:${dir}/no-such-folder/online.sqlite`], /invalid --store "sqlite:.*": folder .*no-such-folder does not exist \(create it first/);
  });

  it('a file that is not a database', async () => {
    await expectUsage(['--store', `sqlite:${dir}/notes.txt`], /notes\.txt is not a SQLite database \(point at a database file/);
  });

  it('a file with a SQLite header but garbage after it (what the open reports, named)', async () => {
    // Only opening finds this, and serve opens the store only once a consumer has a key.
    process.env['FS_KEYS_LIVE_RECOMMENDER'] = 'garbage-test-key';
    try {
      await expectUsage(['--store', `sqlite:${dir}/fake.sqlite`], /invalid --store "sqlite:.*fake\.sqlite": cannot open .*fake\.sqlite: /);
    } finally {
      VARS.forEach((v, k) => (saved[k] === undefined ? delete process.env[v] : (process.env[v] = saved[k])));
    }
  });

  it('a folder', async () => {
    await expectUsage(['--store', `sqlite:${dir}`], /is a folder, not a database file \(pass a file path, e\.g\. .*featurestore\.sqlite\)/);
  });

  it('a read-only folder', async () => {
    await expectUsage(['--store', `sqlite:${dir}/locked/online.sqlite`], /folder .*locked is not writable/);
  });
});

describe('API keys', () => {
  it('one key value for two consumers names both consumers and both variables, never the key', async () => {
    process.env['FS_KEYS_LIVE_RECOMMENDER'] = 'shared-secret-1, own-key';
    process.env['FS_KEYS_ANOMALY_DETECTOR'] = 'shared-secret-1';
    try {
      await expectUsage(
        ['--store', `sqlite:${dir}/keys.sqlite`],
        /the same API key is configured for consumers "(live-recommender|anomaly-detector)" and "(live-recommender|anomaly-detector)" \(FS_KEYS_\w+ and FS_KEYS_\w+\): give each consumer keys of its own/,
      );
      const res = await runCli(['serve', '--store', `sqlite:${dir}/keys.sqlite`]);
      expect(res.stderr).not.toContain('shared-secret-1');
    } finally {
      VARS.forEach((v, i) => (saved[i] === undefined ? delete process.env[v] : (process.env[v] = saved[i])));
    }
  });
});

describe('the real binary', () => {
  it('prints one line and exits 2, no stack trace', async () => {
    const res = await runBinary(['serve', '--store', `sqlite:${dir}/no-such-folder/x.sqlite`]);
    expect(res.code).toBe(2);
    const lines = res.stderr.split('\n').filter((l) => l !== '' && !l.includes(': warning: '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^featurestore: invalid --store /);
  });
});
