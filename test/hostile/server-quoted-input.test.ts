/**
 * Whatever a caller sends and an error quotes back (feature names, property and field names, the
 * Content-Type, the URL, the JSON parser's snippet) is cut to a few dozen characters and has its control,
 * format and separator characters escaped, in the message and in the `feature`/`field` details alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_QUOTED_INPUT, quoteInput, sanitizeInput } from '../../runtime/server/quoted-input.ts';
import { auth, startReadApi, type ReadApiFixture } from '../server/read-api-fixture.ts';

let api: ReadApiFixture;
beforeAll(async () => {
  api = await startReadApi();
});
afterAll(async () => api?.close());

// C0, DEL, C1, bidi overrides and isolates, zero-width characters, line/paragraph separators, lone surrogates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]|\p{Cs}/u;
const HUGE = 'h'.repeat(200_000);
const EVIL = 'a\u001b[31mred\u0007\r\nFAKE LOG LINE\u202egnp.exe\u2028\u0000\u0085\ud800';

describe('quoteInput', () => {
  it('short, safe input is quoted as it is', () => {
    expect(quoteInput('live::hakuna-host-stat-v1')).toBe('"live::hakuna-host-stat-v1"');
  });

  it('escapes control, format and separator characters, quotes and backslashes', () => {
    const q = quoteInput(EVIL);
    expect(q).not.toMatch(UNSAFE);
    expect(q).toContain('\\u001b[31m');
    expect(q).toContain('\\u000d\\u000a');
    expect(q).toContain('\\u202e');
    expect(q).toContain('\\ud800');
    expect(quoteInput('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
  });

  it('cuts long input at a code point boundary and gives the full length', () => {
    expect(quoteInput(HUGE)).toBe(`"${'h'.repeat(MAX_QUOTED_INPUT)}…" (200000 characters)`);
    const emoji = '😀'.repeat(100);
    const q = quoteInput(emoji);
    expect(q).toBe(`"${'😀'.repeat(MAX_QUOTED_INPUT)}…" (100 characters)`);
    expect(q).not.toMatch(/\p{Cs}/u);
    // 40 emoji are 80 UTF-16 units but only 40 characters: not cut.
    expect(quoteInput('😀'.repeat(40))).toBe(`"${'😀'.repeat(40)}"`);
    expect(sanitizeInput(HUGE, 3)).toBe('hhh…');
  });
});

interface Case {
  readonly name: string;
  readonly url: string;
  readonly body: string;
  readonly contentType?: string;
  readonly status: number;
}

const HOST = '/v1/features/live::hakuna-host-stat-v1';
const ONLINE = '/v1/get-online-features';
const json = (v: unknown) => JSON.stringify(v);

const CASES: Case[] = [
  { name: 'huge unknown feature in get-online-features', url: ONLINE, body: json({ features: [HUGE], keys: [{ user_id: '1' }] }), status: 404 },
  { name: 'unknown feature with terminal escapes in the path', url: `/v1/features/${encodeURIComponent(EVIL.slice(0, -1))}/get`, body: json({ keys: [{ user_id: '1' }] }), status: 404 },
  { name: 'huge feature listed twice', url: ONLINE, body: json({ features: [HUGE, HUGE], keys: [{ user_id: '1' }] }), status: 404 },
  { name: 'huge unknown property', url: `${HOST}/get`, body: `{"keys":[{"user_id":"1"}],${json(HUGE)}:1}`, status: 400 },
  { name: 'unknown property with control characters', url: `${HOST}/get`, body: `{"keys":[{"user_id":"1"}],${json(EVIL)}:1}`, status: 400 },
  { name: 'huge unknown key field', url: `${HOST}/get`, body: json({ keys: [{ user_id: '1', [HUGE]: 1 }] }), status: 400 },
  { name: 'key field no feature uses, with bidi overrides', url: ONLINE, body: json({ features: ['live::hakuna-host-stat-v1'], keys: [{ user_id: '1', [EVIL]: 1 }] }), status: 400 },
  { name: 'huge Content-Type', url: `${HOST}/get`, body: '{}', contentType: `text/${HUGE}`, status: 415 },
  { name: 'Content-Type with a huge charset', url: `${HOST}/get`, body: '{}', contentType: `application/json; charset=${HUGE}`, status: 415 },
  { name: 'invalid JSON around control characters', url: `${HOST}/get`, body: `{"keys": [\u0001\u001b[2J${HUGE}`, status: 400 },
  { name: 'unknown route with a huge path', url: `/v2/${HUGE.slice(0, 8000)}`, body: '{}', status: 404 },
  { name: 'unknown route with escapes in the path', url: `/v2/${encodeURIComponent(EVIL.slice(0, -1))}`, body: '{}', status: 404 },
];

describe('error answers quote caller input bounded and escaped', () => {
  it.each(CASES)('$name → $status', async (c) => {
    const res = await api.app.inject({
      method: 'POST',
      url: c.url,
      headers: { ...auth('live-recommender'), 'content-type': c.contentType ?? 'application/json' },
      payload: c.body,
    });
    expect(res.statusCode).toBe(c.status);
    const body = res.json() as Record<string, unknown>;
    expect(typeof body['code']).toBe('string');
    for (const field of ['message', 'feature', 'field'] as const) {
      const value = body[field];
      if (value === undefined) continue;
      expect(typeof value).toBe('string');
      expect((value as string).length, field).toBeLessThan(400);
      expect(value as string, field).not.toMatch(UNSAFE);
    }
    expect(res.body.length).toBeLessThan(1000);
  });
});
