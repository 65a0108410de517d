/**
 * `Accept` is negotiated as RFC 9110 says (media types case-insensitive, q weights, q=0 = refused,
 * wildcards), not searched for a substring: each case below names the format it must get, and a header
 * accepting neither JSON nor Avro is a 406 in the JSON error shape, before any store read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseFormat } from '../../runtime/server/content-negotiation.ts';
import { auth, startReadApi, type ReadApiFixture } from '../server/read-api-fixture.ts';

let api: ReadApiFixture;
beforeAll(async () => {
  api = await startReadApi();
});
afterAll(async () => api?.close());

const ROUTES = [
  ['get', '/v1/features/live::hakuna-host-stat-v1/get', { keys: [{ user_id: '1001' }] }],
  ['latest', '/v1/features/live::viewer-watch-history-v1/latest', { key: { viewer_id: '5' }, n: 2 }],
  ['range', '/v1/features/live::viewer-watch-history-v1/range', { key: { viewer_id: '5' }, from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }],
  ['get-online-features', '/v1/get-online-features', { features: ['live::hakuna-host-stat-v1'], keys: [{ user_id: '1001' }] }],
] as const;

const CASES: readonly (readonly [accept: string | undefined, format: 'json' | 'avro' | 406])[] = [
  [undefined, 'json'],
  ['', 'json'],
  ['*/*', 'json'],
  ['application/json', 'json'],
  ['application/avro', 'avro'],
  ['APPLICATION/AVRO', 'avro'],
  ['Application/Avro; q=1', 'avro'],
  ['application/json, application/avro;q=0', 'json'],
  ['application/avro;q=0, */*', 'json'],
  ['application/avro;q=0.5, application/json;q=0.9', 'json'],
  ['application/json;q=0.1, application/avro', 'avro'],
  ['text/html, application/*;q=0.8', 'json'],
  ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'json'],
  ['application/avro-binary', 406],
  ['text/html', 406],
  ['application/json;q=0, application/avro;q=0', 406],
  ['*/*;q=0', 406],
];

describe('responseFormat', () => {
  it.each(CASES)('Accept %j → %s', (accept, format) => {
    if (format === 406) expect(() => responseFormat(accept)).toThrow(expect.objectContaining({ statusCode: 406, code: 'NOT_ACCEPTABLE' }));
    else expect(responseFormat(accept)).toBe(format);
  });
});

describe('the read routes negotiate', () => {
  for (const [route, url, body] of ROUTES) {
    it.each(CASES)(`${route}: Accept %j → %s`, async (accept, format) => {
      const res = await api.app.inject({
        method: 'POST',
        url,
        headers: { ...auth('live-recommender'), 'content-type': 'application/json', ...(accept === undefined ? {} : { accept }) },
        payload: JSON.stringify(body),
      });
      if (format === 406) {
        expect(res.statusCode).toBe(406);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(res.json()).toMatchObject({ statusCode: 406, code: 'NOT_ACCEPTABLE', requestId: expect.any(String) });
        return;
      }
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(format === 'avro' ? 'application/avro' : 'application/json; charset=utf-8');
    });
  }

  it('errors stay JSON whatever Accept says', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/v1/features/nope::x-v1/get', headers: { ...auth('live-recommender'), accept: 'application/avro' }, payload: { keys: [] } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  });
});
