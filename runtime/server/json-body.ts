/**
 * The only request body parser: Fastify's own JSON parser (secure-json-parse: it refuses `__proto__` and
 * `constructor.prototype`, so a body never reaches Object.prototype), with errors that say what was
 * wrong — Fastify's hide the reason. Registered alone, so any other Content-Type (including the
 * text/plain Fastify accepts by default, which would hand a string to the routes) is a 415.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, SERVER_ERRORS } from './http-errors.ts';

export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (error, value) => {
      if (!error) done(null, value);
      else done(explain(body as string), undefined);
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
