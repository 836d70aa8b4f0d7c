// RFC 9457 problem details: every error of the admin API is one of these, sent as
// application/problem+json. `type` names the kind of problem (a URN, RFC 9457 §3.1.1) and
// `title` is fixed per type; `detail` says what went wrong with this request and never
// carries a secret; validation problems list each bad field in `errors`.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ConfigError } from '../config/error.js';
import { errorDescription, isOAuthError } from '../core/errors.js';
import { storeUnavailable, STORE_RETRY_AFTER_SECONDS } from '../store/unavailable.js';

export const PROBLEM_TYPES = {
  'invalid-request': { status: 400, title: 'Invalid request' },
  'validation': { status: 400, title: 'Validation failed' },
  'unauthorized': { status: 401, title: 'Unauthorized' },
  'forbidden': { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'conflict': { status: 409, title: 'Conflict' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'server-error': { status: 500, title: 'Internal server error' },
  'unavailable': { status: 503, title: 'Service unavailable' },
} as const;
export type ProblemKind = keyof typeof PROBLEM_TYPES;

export const problemType = (kind: ProblemKind) => `urn:tessera:problem:${kind}`;

/** RFC 9457 §3: one bad field, as a JSON Pointer (RFC 6901) into the request body. */
export interface FieldError { pointer: string; detail: string }

export class Problem extends Error {
  readonly status: number;
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly opts: { errors?: FieldError[]; headers?: Record<string, string>; log?: string } = {},
  ) {
    super(`${kind}: ${detail}`);
    this.status = PROBLEM_TYPES[kind].status;
  }
}

export const notFound = (what: string, id: string) => new Problem('not-found', `no ${what} ${JSON.stringify(id.slice(0, 200))}`);
export const conflict = (detail: string) => new Problem('conflict', detail);
export const badField = (pointer: string, detail: string) => new Problem('validation', `${pointer.slice(1) || 'body'}: ${detail}`, { errors: [{ pointer, detail }] });

/** `clients[0].grant_types` or `grant_types` (a ConfigError key) → `/grant_types`. */
const pointerOf = (key: string) => `/${key.replace(/^[a-z_]+\[\d+\]\./, '').replace(/\./g, '/')}`;

/** ajv's errors (Fastify's schema validation) → one FieldError each. */
function validationErrors(fe: FastifyError): FieldError[] {
  const part = fe.validationContext ?? 'body';
  return (fe.validation ?? []).map((v) => {
    const missing = v.keyword === 'required' ? `/${String((v.params as { missingProperty?: string }).missingProperty)}` : '';
    const extra = v.keyword === 'additionalProperties' ? `/${String((v.params as { additionalProperty?: string }).additionalProperty)}` : '';
    const pointer = `${v.instancePath}${missing}${extra}`;
    const detail = v.keyword === 'additionalProperties' ? 'is not a known field' : `${v.message ?? 'is invalid'}`;
    return { pointer: part === 'body' ? pointer || '/' : `${part}:${pointer || '/'}`, detail: errorDescription(detail) };
  });
}

/** Any thrown value → a Problem; unexpected ones are a 500 whose cause stays in the log. */
export function toProblem(err: unknown): Problem {
  if (err instanceof Problem) return err;
  if (err instanceof ConfigError) {
    const detail = err.message.replace(/^config: [^:]+: /, '');
    return badField(pointerOf(err.key), detail);
  }
  if (isOAuthError(err)) {
    // The rate limit (429) and the store's 503 come as OAuthErrors from shared code.
    const kind: ProblemKind = err.status === 429 ? 'rate-limited' : err.status === 503 ? 'unavailable' : err.status >= 500 ? 'server-error' : 'invalid-request';
    return new Problem(kind, err.status >= 500 && kind === 'server-error' ? 'internal server error' : err.description, { headers: err.headers });
  }
  const fe = err as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_VALIDATION': {
      const errors = validationErrors(fe as FastifyError);
      return new Problem('validation', errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ').slice(0, 500), { errors });
    }
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new Problem('payload-too-large', 'the request body is larger than 64 KiB');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new Problem('unsupported-media-type', 'send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return new Problem('invalid-request', 'the JSON body is empty');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return new Problem('invalid-request', 'Content-Length does not match the body');
  }
  if (err instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return new Problem('invalid-request', 'the body is not valid JSON');
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new Problem('invalid-request', 'malformed request');
  }
  const down = storeUnavailable(err);
  if (down !== undefined) return new Problem('unavailable', 'the database is unavailable; retry later', { headers: { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) }, log: down });
  return new Problem('server-error', 'internal server error', { log: String((err as Error)?.stack ?? err) });
}

export function sendProblem(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const p = toProblem(err);
  if (p.status >= 500) req.log.error({ err: p.opts.log ?? p.detail }, 'admin request failed');
  for (const [k, v] of Object.entries(p.opts.headers ?? {})) reply.header(k, v);
  const { title } = PROBLEM_TYPES[p.kind];
  return reply.code(p.status).header('cache-control', 'no-store').type('application/problem+json').serializer(JSON.stringify).send({
    type: problemType(p.kind), title, status: p.status, detail: p.detail,
    instance: req.url.split('?')[0]!.slice(0, 200),
    ...(p.opts.errors ? { errors: p.opts.errors } : {}),
  });
}
