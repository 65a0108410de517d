/**
 * The only request body parser: Fastify's own JSON parser (secure-json-parse: it refuses `__proto__` and
 * `constructor.prototype`, so a body never reaches Object.prototype), with errors that say what was
 * wrong — Fastify's hide the reason. Registered alone, so any other Content-Type (including the
 * text/plain Fastify accepts by default, which would hand a string to the routes) is a 415.
 *
 * The body is taken as bytes and decoded as strict UTF-8: Fastify's string mode decodes leniently, so a
 * stray 0xFF became U+FFFD and was looked up as a different key than the one the client meant. JSON is
 * UTF-8 (RFC 8259 §8.1): invalid bytes are a 400 INVALID_UTF8, another declared charset a 415. A UTF-8
 * byte-order mark is skipped (the RFC lets parsers ignore it).
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, ERROR_CODES, HttpError, SERVER_ERRORS } from './http-errors.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      done(new HttpError(415, ERROR_CODES.unsupportedMediaType, SERVER_ERRORS.unsupportedCharset(charset)), undefined);
      return;
    }
    let text: string;
    try {
      text = UTF8.decode(body as Buffer);
    } catch {
      done(new HttpError(400, ERROR_CODES.invalidUtf8, SERVER_ERRORS.invalidUtf8), undefined);
      return;
    }
    parse(request, text, (error, value) => {
      if (!error) done(null, value);
      else done(explain(text), undefined);
    });
  });
}

/** Runs only for bad bodies: parsing again is cheaper than keeping the reason around for good ones. */
function explain(body: string): Error {
  if (body.length === 0) return badRequest(SERVER_ERRORS.malformedJson('empty body'));
  try {
    JSON.parse(body);
  } catch (e) {
    return badRequest(SERVER_ERRORS.malformedJson(e instanceof Error ? e.message : String(e)));
  }
  // Valid JSON that the secure parser refused: a prototype-poisoning property.
  return badRequest(SERVER_ERRORS.prototypeKey);
}
