/**
 * Sending errors, including the ones that never reach a route or the error handler: Fastify's router
 * refusing a URL (`frameworkErrors`: bad %-escapes, invalid UTF-8, a path parameter over the length
 * limit) and Node's HTTP parser refusing the bytes (`clientErrorHandler`: headers too large, a broken
 * request line, ambiguous body framing, a request not received in time). Each answer has the JSON shape
 * of every other error, a documented code and a request id, and none echoes the raw request.
 */
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, errorBody, HttpError, SERVER_ERRORS, toHttpError } from './http-errors.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Sends `error` as the JSON error body (and logs 5xx with the cause). */
export function sendHttpError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const http = toHttpError(error, { contentType: request.headers['content-type'] });
  if (http.statusCode >= 500) {
    request.log.error({ reqId: request.id, err: error, feature: request.featureLabel }, 'read failed');
  }
  if (http.statusCode === 401) void reply.header('www-authenticate', 'Bearer');
  return reply.code(http.statusCode).type(JSON_TYPE).send(errorBody(http, request.id));
}

/** Router errors (no route was matched, so no hook ran): mapped to documented codes, never the URL as sent. */
export function frameworkErrorHandler(maxParamLength: number) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    void reply.header('x-request-id', request.id);
    const path = request.raw.url?.split('?')[0] ?? '';
    let http: HttpError;
    switch (error.code) {
      case 'FST_ERR_BAD_URL':
        http = new HttpError(400, ERROR_CODES.invalidUrl, SERVER_ERRORS.invalidUrl(path));
        break;
      case 'FST_ERR_MAX_PARAM_LENGTH':
        http = new HttpError(414, ERROR_CODES.uriTooLong, SERVER_ERRORS.uriTooLong(maxParamLength));
        break;
      default:
        // FST_ERR_ASYNC_CONSTRAINT (no route uses async constraints) or a future one: a server fault.
        http = new HttpError(500, ERROR_CODES.internal, SERVER_ERRORS.internal);
        request.log.error({ reqId: request.id, err: error }, 'router failed');
    }
    request.log.warn({ reqId: request.id, route: null, statusCode: http.statusCode, code: http.code }, 'request');
    void reply.code(http.statusCode).type(JSON_TYPE).send(errorBody(http, request.id));
  };
}

/** What Node's parser reported, as status and code. */
function classify(error: ConnectionError, requestTimeoutMs: number): HttpError {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return new HttpError(431, ERROR_CODES.headersTooLarge, SERVER_ERRORS.headersTooLarge(maxHeaderSize));
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || error.code === 'ERR_HTTP_HEADERS_TIMEOUT') {
    return new HttpError(408, ERROR_CODES.requestTimeout, SERVER_ERRORS.requestTimeout(requestTimeoutMs));
  }
  // HPE_INVALID_METHOD, HPE_UNEXPECTED_CONTENT_LENGTH (Content-Length with chunked), HPE_INVALID_CHUNK_SIZE, …
  return new HttpError(400, ERROR_CODES.malformedRequest, SERVER_ERRORS.malformedRequest);
}

/** The in-flight response of a keep-alive socket, when Node has one (private, hence looked at structurally). */
interface HttpSocket extends Socket {
  readonly _httpMessage?: { readonly headersSent?: boolean } | null;
}

export interface ClientErrorOptions {
  readonly nextId: () => string;
  readonly requestTimeoutMs: number;
  readonly log: (entry: Record<string, unknown>) => void;
}

/**
 * Node's `clientError`: no Fastify request exists, so the body is written by hand, then the socket is
 * closed (after a framing error nothing else on it can be trusted). The raw packet is never logged or
 * echoed: it holds whatever the client sent, headers and keys included.
 */
export function clientErrorHandler(options: ClientErrorOptions) {
  return (error: ConnectionError, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const http = classify(error, options.requestTimeoutMs);
    const requestId = options.nextId();
    options.log({ reqId: requestId, route: null, statusCode: http.statusCode, code: http.code, parserError: error.code });
    // A response already started on this socket: writing another would corrupt what the client reads.
    const started = (socket as HttpSocket)._httpMessage?.headersSent === true;
    if (socket.writable && !started) {
      const body = JSON.stringify(errorBody(http, requestId));
      socket.write(
        `HTTP/1.1 ${http.statusCode} ${STATUS_CODES[http.statusCode] ?? 'Bad Request'}\r\n` +
          `Content-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}
