/**
 * Errors raised before any route runs — the router refusing a URL, Node's HTTP parser refusing the
 * bytes — get the project's JSON error shape with a documented code and a request id, like every other
 * error, and never echo the request back. The parser cases go over a real socket: `inject` skips the parser.
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../runtime/server/index.ts';
import { auth, startReadApi, type ReadApiFixture } from '../server/read-api-fixture.ts';

let api: ReadApiFixture;
let port: number;
beforeAll(async () => {
  api = await startReadApi();
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  port = (api.app.server.address() as AddressInfo).port;
});
afterAll(async () => api?.close());

const DOCUMENTED = new Set<string>(Object.values(ERROR_CODES));

function expectErrorShape(body: Record<string, unknown>, status: number, code: string): void {
  expect(body).toMatchObject({ statusCode: status, code, requestId: expect.stringMatching(/^[\w.:-]{1,128}$/) });
  expect(DOCUMENTED.has(code)).toBe(true);
  expect(Object.keys(body).sort()).toEqual(['code', 'message', 'requestId', 'statusCode']);
}

describe('router errors (frameworkErrors)', () => {
  const BAD_URLS = [
    ['%ZZ: not a hex escape', '/v1/features/%ZZ/get'],
    ['a lone %', '/v1/features/%/get'],
    ['%C3%28: an escape that is not UTF-8', '/v1/features/%C3%28/get'],
    ['a bad escape on an unknown route', '/nope/%E0%A4%A'],
  ] as const;

  it.each(BAD_URLS)('%s → 400 INVALID_URL', async (_name, url) => {
    const res = await api.app.inject({ method: 'POST', url, headers: { ...auth('live-recommender'), 'x-request-id': 'trace-123' }, payload: {} });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-request-id']).toBe('trace-123');
    const body = res.json();
    expectErrorShape(body, 400, 'INVALID_URL');
    expect(body.requestId).toBe('trace-123');
  });

  it('a feature name over the route length limit → 414 URI_TOO_LONG, without the name', async () => {
    const name = `live::${'x'.repeat(5000)}`;
    const res = await api.app.inject({ method: 'POST', url: `/v1/features/${name}/get`, headers: auth('live-recommender'), payload: {} });
    expect(res.statusCode).toBe(414);
    const body = res.json();
    expectErrorShape(body, 414, 'URI_TOO_LONG');
    expect(body.message).not.toContain('xxxxxxxx');
    expect(res.headers['x-request-id']).toBe(body.requestId);
  });

  it('the URL quoted in INVALID_URL is bounded', async () => {
    const res = await api.app.inject({ method: 'GET', url: `/v1/features/%ZZ${'y'.repeat(10_000)}/schema`, headers: auth('live-recommender') });
    expect(res.statusCode).toBe(400);
    expect(res.json().message.length).toBeLessThan(400);
  });
});

/** Sends raw bytes and returns everything the server wrote before closing. */
function rawExchange(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let out = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (out += d));
    socket.on('close', () => resolve(out));
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' && out ? resolve(out) : reject(e)));
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(bytes.slice(0, 60))}`)));
  });
}

function parseResponse(raw: string): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as Record<string, unknown> };
}

describe('HTTP parser errors (clientErrorHandler)', () => {
  const CASES = [
    ['headers over the 16 KiB limit', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ['garbage request line', 'GARBAGE \x01\x02\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ['Content-Length together with chunked (smuggling)', 'POST /v1/get-online-features HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ['a bad chunk size', `POST /v1/get-online-features HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth('live-recommender').authorization}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`, 400, 'MALFORMED_REQUEST'],
    ['a control character in a header value', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Evil: a\x00b\r\n\r\n', 400, 'MALFORMED_REQUEST'],
  ] as const;

  it.each(CASES)('%s', async (_name, bytes, status, code) => {
    const res = parseResponse(await rawExchange(bytes));
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['connection']).toBe('close');
    expectErrorShape(res.body, status, code);
    expect(res.headers['x-request-id']).toBe(res.body['requestId']);
    expect(JSON.stringify(res.body)).not.toContain('aaaaaaaa');
  });

  it('keeps serving after all of the above', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
  });
});
