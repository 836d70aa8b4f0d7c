// Every failure becomes an OAuthError with an RFC code before it is written: Fastify's own
// errors (body too large, bad content type, ...) are mapped here, and anything unexpected
// is a 500 `server_error` whose detail stays in the log.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isOAuthError, OAuthError, serviceUnavailable } from '../core/errors.js';
import { STORE_RETRY_AFTER_SECONDS, storeUnavailable } from '../store/unavailable.js';
import { sendOAuthError } from './reply.js';

export type ErrorFormatter = (reply: FastifyReply, err: OAuthError, req: FastifyRequest) => FastifyReply;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A dialect's own error body; the standard RFC 6749 §5.2 body when absent. */
    formatError?: ErrorFormatter;
  }
}

export function toOAuthError(err: unknown): OAuthError {
  if (isOAuthError(err)) return err;
  const fe = err as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new OAuthError('invalid_request', 'request body is larger than 64 KiB', { status: 413 });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new OAuthError('invalid_request', 'unsupported Content-Type: use application/x-www-form-urlencoded or application/json', { status: 415 });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new OAuthError('invalid_request', 'JSON body is empty');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new OAuthError('invalid_request', 'Content-Length does not match the body');
    case 'FST_ERR_VALIDATION':
      return new OAuthError('invalid_request', `invalid request: ${String(fe.message).slice(0, 200)}`);
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new OAuthError('invalid_request', 'malformed request', { status: fe.statusCode });
  }
  // The database is down, cut off or full: retry later (RFC 6749 §4.1.2.1
  // temporarily_unavailable; RFC 7009 §2.2.1 names 503 for revocation). Nothing was issued:
  // a token is handed out only after its write committed.
  const down = storeUnavailable(err);
  if (down !== undefined) return serviceUnavailable('unavailable', STORE_RETRY_AFTER_SECONDS, down);
  return new OAuthError('server_error', 'internal server error', { status: 500, detail: String((err as Error)?.stack ?? err) });
}

export function handleError(err: unknown, req: FastifyRequest, reply: FastifyReply, count: (code: string) => void): FastifyReply {
  const e = toOAuthError(err);
  // An outage is the operator's to fix, not a bug: one warn line per request, no stack.
  if (e.reason === 'unavailable') req.log.warn({ error: e.code, detail: e.detail }, 'store unavailable');
  else if (e.status >= 500) req.log.error({ err: e.detail }, 'request failed');
  else if (e.detail) req.log.info({ error: e.code, detail: e.detail }, 'request rejected');
  count(e.code);
  const format = req.routeOptions.config?.formatError;
  return format ? format(reply, e, req) : sendOAuthError(reply, e);
}

/** RFC 9110 §15.5.6: 405 with the methods the endpoint allows. */
export function methodNotAllowed(allow: string): OAuthError {
  return new OAuthError('invalid_request', `method not allowed; use ${allow}`, { status: 405, headers: { allow } });
}
