/**
 * Bodies are strict UTF-8: an invalid byte is a 400 INVALID_UTF8, never a lookup of U+FFFD (which could
 * be another caller's key). Text keys are at most 1024 characters counted as Unicode code points, so
 * 1024 emoji fit and 1025 ASCII characters do not, whatever UTF-16 makes of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TEXT_KEY_LENGTH } from '../../runtime/server/json-scalars.ts';
import { auth, startReadApi, type ReadApiFixture } from '../server/read-api-fixture.ts';

const HOST = 'live::hakuna-host-stat-v1';
const GET = `/v1/features/${HOST}/get`;

let api: ReadApiFixture;
beforeAll(async () => {
  api = await startReadApi();
  // A value stored under the key U+FFFD: what a lenient decoder turns a stray byte into.
  await api.runtime.put('upsync-worker', HOST, [{ key: { user_id: '\ufffd' }, value: { gender: 'X', level: 7n, country_code: 'ZZ', birthday: '2000-01-01' } }]);
});
afterAll(async () => api?.close());

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

const post = (payload: Buffer | string, contentType = 'application/json') =>
  api.app.inject({ method: 'POST', url: GET, headers: { ...auth('live-recommender'), 'content-type': contentType }, payload });

describe('request bodies must be UTF-8', () => {
  const INVALID = [
    ['a lone 0xFF', [0xff]],
    ['a truncated two-byte sequence', [0xc3]],
    ['an invalid continuation (C3 28)', [0xc3, 0x28]],
    ['an overlong encoding of "/" (C0 AF)', [0xc0, 0xaf]],
    ['an encoded surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
  ] as const;

  it.each(INVALID)('%s in a key → 400 INVALID_UTF8', async (_name, bad) => {
    const res = await post(bytes('{"keys":[{"user_id":"', [...bad], '"}]}'));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, code: 'INVALID_UTF8', requestId: expect.any(String) });
    expect(res.body).not.toContain('"level"');
  });

  it('invalid bytes outside any string are INVALID_UTF8 too, not a JSON syntax error', async () => {
    const res = await post(bytes('{"keys":[{"user_id":"1001"}]}', [0xff]));
    expect(res.json()).toMatchObject({ code: 'INVALID_UTF8' });
  });

  it('a declared charset other than UTF-8 → 415; utf-8 in any spelling is fine', async () => {
    const latin1 = await post(bytes('{"keys":[{"user_id":"1001"}]}'), 'application/json; charset=iso-8859-1');
    expect(latin1.statusCode).toBe(415);
    expect(latin1.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('"iso-8859-1"') });
    for (const type of ['application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/json; charset=utf8']) {
      const res = await post('{"keys":[{"user_id":"1001"}]}', type);
      expect(res.statusCode, type).toBe(200);
    }
  });

  it('valid multi-byte UTF-8 and a byte-order mark are accepted; U+FFFD sent as itself still finds its value', async () => {
    const bom = await post(bytes([0xef, 0xbb, 0xbf], '{"keys":[{"user_id":"1001"},{"user_id":"사용자😀"},{"user_id":"\ufffd"}]}'));
    expect(bom.statusCode).toBe(200);
    expect(bom.json().values.map((v: { level?: string } | null) => v?.level ?? null)).toEqual(['12', null, '7']);
  });
});

describe('Text key length is counted in code points', () => {
  const lookup = async (userId: string) => (await post(JSON.stringify({ keys: [{ user_id: userId }] }))).statusCode;

  it(`${MAX_TEXT_KEY_LENGTH} astral characters (2048 UTF-16 units) fit`, async () => {
    expect(await lookup('😀'.repeat(MAX_TEXT_KEY_LENGTH))).toBe(200);
    expect(await lookup(`${'😀'.repeat(MAX_TEXT_KEY_LENGTH - 1)}a`)).toBe(200);
  });

  it(`${MAX_TEXT_KEY_LENGTH + 1} characters do not, whether ASCII, BMP or astral`, async () => {
    for (const ch of ['x', '한', '😀']) {
      const res = await post(JSON.stringify({ keys: [{ user_id: ch.repeat(MAX_TEXT_KEY_LENGTH + 1) }] }));
      expect(res.statusCode, ch).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_KEY', field: 'user_id', message: expect.stringContaining(`at most ${MAX_TEXT_KEY_LENGTH} characters`) });
    }
  });

  it('mixed widths: 1023 emoji plus 2 ASCII is 1025 characters, refused', async () => {
    expect(await lookup(`${'😀'.repeat(MAX_TEXT_KEY_LENGTH - 1)}ab`)).toBe(400);
  });
});
