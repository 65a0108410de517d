/**
 * `featurestore send` error paths that need no broker: every one is decided before the stream is
 * opened (brokers point at a closed port, so a send attempt would show up as a stream failure instead).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const ROOM = 'live::realtime-room-context-v1';
const NOWHERE = ['--brokers', '127.0.0.1:1', '--generated', 'generated'];
let dir = '';

const room = (roomId: unknown, viewerCount: unknown = 1) => ({
  key: { room_id: roomId },
  value: { viewer_count: viewerCount, like_count_1m: 0, gift_amount_10m: 0, click_through_rate_1h: 0, vision_labels: [], last_frame_at: null, is_adult_suspected: false },
});

async function file(name: string, lines: readonly (string | object)[]): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
  return p;
}

beforeAll(async () => {
  dir = await tempDir('send-cli');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('featurestore send: refusals before anything is sent', () => {
  it('refuses --stream memory with a hint (exit 2)', async () => {
    const r = await runCli(['send', '--feature', ROOM, '--file', 'x.jsonl', '--stream', 'memory']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^featurestore: --stream memory cannot be used with send: .*\(hint: use --stream kafka/);
  });

  it('an invalid line: exit 1 naming the file, the line, the field and a hint; nothing sent', async () => {
    const rows = await file('bad.jsonl', [room('1'), '', room('2', 2 ** 31), room('9007199254740993'), '{"key": 1', { ...room('4'), extra: 1 }]);
    const r = await runCli(['send', '--feature', ROOM, '--file', rows, ...NOWHERE]);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe(`${rows}:3: live::realtime-room-context-v1.viewer_count: 2147483648 is outside the 32-bit range of an Int`);
    expect(lines[1]).toMatch(new RegExp(`^${rows.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: not JSON: `));
    expect(lines[2]).toBe(`${rows}:6: unknown property "extra" (a line has key, value and optionally eventTime)`);
    expect(lines[3]).toMatch(/^hint: each line is \{"key"/);
    expect(lines[4]).toBe(`${rows}: 3 of 5 lines invalid; nothing was sent`);
    expect(r.stderr).not.toMatch(/stream failed|cannot reach/);
  });

  it('--json reports the invalid lines on stdout', async () => {
    const rows = await file('bad-key.jsonl', [room('x')]);
    const r = await runCli(['send', '--feature', ROOM, '--file', rows, '--json', ...NOWHERE]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; lines: string[] };
    expect(out.ok).toBe(false);
    expect(out.lines).toEqual([expect.stringMatching(new RegExp(`^${rows.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: live::realtime-room-context-v1\\.room_id: `))]);
  });

  it('a bad eventTime is named', async () => {
    const rows = await file('bad-time.jsonl', [{ ...room('1'), eventTime: '2024-05-01 12:00' }]);
    const r = await runCli(['send', '--feature', ROOM, '--file', rows, ...NOWHERE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${rows}:1: eventTime must be an ISO-8601 timestamp with a zone`);
  });

  it('a consumer without write access: exit 1, nothing sent', async () => {
    const rows = await file('ok.jsonl', [room('1')]);
    const r = await runCli(['send', '--feature', ROOM, '--file', rows, '--consumer', 'live-recommender', ...NOWHERE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`featurestore: consumer "live-recommender" may not write ${ROOM} (see access.write in its YAML definition)\n`);
  });

  it('usage errors (exit 2): unknown feature with a suggestion, missing file, empty file, unknown consumer, bad flags', async () => {
    const rows = await file('ok2.jsonl', [room('1')]);
    const unknown = await runCli(['send', '--feature', 'live::realtime-room-context-v2', '--file', rows, ...NOWHERE]);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining(`unknown feature "live::realtime-room-context-v2" in the manifest (did you mean ${ROOM}?)`)]);
    const missing = await runCli(['send', '--feature', ROOM, '--file', path.join(dir, 'none.jsonl'), ...NOWHERE]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/cannot read --file .*none\.jsonl: not found/)]);
    const empty = await runCli(['send', '--feature', ROOM, '--file', await file('empty.jsonl', ['', '  ']), ...NOWHERE]);
    expect([empty.code, empty.stderr]).toEqual([2, expect.stringContaining('holds no lines: nothing to send')]);
    const nobody = await runCli(['send', '--feature', ROOM, '--file', rows, '--consumer', 'nobody', ...NOWHERE]);
    expect([nobody.code, nobody.stderr]).toEqual([2, expect.stringContaining('unknown consumer "nobody"')]);
    const batch = await runCli(['send', '--feature', ROOM, '--file', rows, '--batch-size', '0', ...NOWHERE]);
    expect([batch.code, batch.stderr]).toEqual([2, expect.stringContaining('invalid --batch-size "0"')]);
    const brokers = await runCli(['send', '--feature', ROOM, '--file', rows, '--generated', 'generated', '--brokers', 'nohost']);
    expect([brokers.code, brokers.stderr]).toEqual([2, expect.stringContaining('invalid --brokers "nohost"')]);
    const noFlags = await runCli(['send', '--file', rows]);
    expect(noFlags.code).toBe(2);
  });

  it('an unreachable broker after the lines are valid: exit 1, how many were acknowledged', async () => {
    const rows = await file('ok3.jsonl', [room('1'), room('2')]);
    const r = await runCli(['send', '--feature', ROOM, '--file', rows, ...NOWHERE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^featurestore: sent 0 of 2 commands, then the stream failed: cannot reach Kafka at 127\.0\.0\.1:1: .*sending the file again is safe/);
  }, 60_000);
});
