/**
 * Which format a read route answers in, from `Accept` (RFC 9110 §12.5.1, by `negotiator`): media types
 * are case-insensitive, `q` weights are honoured (`q=0` means "not this"), wildcards match, and on a tie
 * JSON wins because every client reads it. Nothing acceptable is a 406 in the JSON error shape (errors
 * are always JSON, whatever Accept says). No Accept header, or an empty one, means "anything": JSON.
 */
import Negotiator from 'negotiator';
import { AVRO_CONTENT_TYPE } from './avro-envelope.ts';
import { ERROR_CODES, HttpError, SERVER_ERRORS } from './http-errors.ts';

export type ResponseFormat = 'json' | 'avro';

const JSON_MEDIA_TYPE = 'application/json';

/** In order of preference on equal weights. */
const OFFERED: readonly string[] = [JSON_MEDIA_TYPE, AVRO_CONTENT_TYPE];

/** Accept values clients send on every request, answered without parsing. */
const COMMON: ReadonlyMap<string, ResponseFormat> = new Map([
  ['*/*', 'json'],
  [JSON_MEDIA_TYPE, 'json'],
  [AVRO_CONTENT_TYPE, 'avro'],
]);

export function responseFormat(accept: string | undefined): ResponseFormat {
  if (accept === undefined || accept.trim() === '') return 'json';
  const common = COMMON.get(accept);
  if (common) return common;
  const chosen = new Negotiator({ headers: { accept } }).mediaType(OFFERED);
  if (chosen === undefined) throw new HttpError(406, ERROR_CODES.notAcceptable, SERVER_ERRORS.notAcceptable(OFFERED));
  return chosen === AVRO_CONTENT_TYPE ? 'avro' : 'json';
}
