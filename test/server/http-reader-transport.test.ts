/**
 * The HTTP client when no answer comes: a closed port, a server that accepts and never answers. Each is
 * a ReadApiError (status 0) naming the URL, never a bare `TypeError: fetch failed`; a base URL fetch
 * could never use is refused up front. No backing services needed.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeatures } from '../../generated/ts/index.ts';
import { createHttpFeatureReader, HTTP_READER_ERRORS, ReadApiError, TRANSPORT_ERROR_CODES } from '../../runtime/read/http-reader.ts';

/** A port nothing listens on: bound once by us, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function rejection(promise: Promise<unknown>): Promise<ReadApiError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ReadApiError);
  return error as ReadApiError;
}

describe('no answer from the Read API', () => {
  let silent: Server;
  let silentPort: number;
  beforeAll(async () => {
    // Accepts connections and reads requests, never writes a byte back.
    silent = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => silent.close(() => resolve())));

  it('a closed port: UNREACHABLE, status 0, the URL and the reason in the message, the transport error as cause', async () => {
    const port = await closedPort();
    const base = `http://127.0.0.1:${port}`;
    const features = createFeatures(createHttpFeatureReader({ baseUrl: base, apiKey: 'k' }));
    const error = await rejection(features.live.hakunaHostStatV1.get({ userId: '1001' }));
    const url = `${base}/v1/features/live%3A%3Ahakuna-host-stat-v1/get`;
    expect(error.status).toBe(0);
    expect(error.code).toBe(TRANSPORT_ERROR_CODES.unreachable);
    expect(error.feature).toBe('live::hakuna-host-stat-v1');
    expect(error.message).toBe(HTTP_READER_ERRORS.unreachable(url, `connect ECONNREFUSED 127.0.0.1:${port}`));
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('History reads too (latest), with the same error', async () => {
    const port = await closedPort();
    const features = createFeatures(createHttpFeatureReader({ baseUrl: `http://127.0.0.1:${port}/`, apiKey: 'k' }));
    const error = await rejection(features.live.viewerWatchHistoryV1.latest({ viewerId: 1n }, 5));
    expect(error.code).toBe(TRANSPORT_ERROR_CODES.unreachable);
    expect(error.message).toContain(`http://127.0.0.1:${port}/v1/features/live%3A%3Aviewer-watch-history-v1/latest`);
  });

  it('a server that never answers: TIMEOUT after timeoutMs, naming the URL', async () => {
    const features = createFeatures(createHttpFeatureReader({ baseUrl: `http://127.0.0.1:${silentPort}`, apiKey: 'k', timeoutMs: 150 }));
    const started = Date.now();
    const error = await rejection(features.live.hakunaHostStatV1.get({ userId: '1001' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(error.status).toBe(0);
    expect(error.code).toBe(TRANSPORT_ERROR_CODES.timeout);
    expect(error.message).toBe(HTTP_READER_ERRORS.timeout(`http://127.0.0.1:${silentPort}/v1/features/live%3A%3Ahakuna-host-stat-v1/get`, 150));
  });

  it('a base URL fetch could never use is refused when the reader is created, credentials unprinted', () => {
    expect(() => createHttpFeatureReader({ baseUrl: 'http://admin:hunter2@127.0.0.1:1', apiKey: 'k' })).toThrow(
      new TypeError(HTTP_READER_ERRORS.credentialsInBaseUrl),
    );
    expect(() => createHttpFeatureReader({ baseUrl: 'feature-store:8080', apiKey: 'k' })).toThrow(HTTP_READER_ERRORS.badBaseUrl('feature-store:8080'));
    expect(() => createHttpFeatureReader({ baseUrl: 'not a url', apiKey: 'k' })).toThrow(HTTP_READER_ERRORS.badBaseUrl('not a url'));
  });
});
