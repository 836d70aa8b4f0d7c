// What every console page has: the signed-in session (or a redirect to sign in), this
// browser's csrf_token, and `api`, which makes one admin API call with the session's token
// in-process (Fastify's inject): the same route, validation, authorisation (the token is
// checked again on every call, so a disabled user or a revoked token is out at once) and
// audit entry as a call over HTTP, with the signed-in user as the actor.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleCookies, ConsoleSession } from './session.js';

export interface ProblemBody {
  status: number;
  detail?: string;
  errors?: { pointer: string; detail: string }[];
}

/** A problem answer of the admin API, shown on the console's error page. */
export class ApiProblem extends Error {
  constructor(readonly problem: ProblemBody) {
    super(problem.detail ?? `admin API answered ${problem.status}`);
  }
}

/** A POST without this browser's csrf_token. */
export class CsrfFailure extends Error {}

export interface Ctx {
  session: ConsoleSession;
  csrf: string;
  api<T = any>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<T>;
}

export type Form = Record<string, string | string[]>;

export function makeContext(admin: FastifyInstance, cookies: ConsoleCookies) {
  /** The page's context, or null after answering with a redirect to sign in. */
  return async (req: FastifyRequest, reply: FastifyReply): Promise<Ctx | null> => {
    const session = cookies.session(req);
    if (!session) {
      await reply.code(303).header('location', '/admin/login').send();
      return null;
    }
    if (req.method === 'POST' && !cookies.checkCsrf(req, (req.body as Form | undefined)?.csrf_token)) throw new CsrfFailure('csrf');
    const csrf = cookies.csrfToken(cookies.read(req, 'csrf')!);
    const api = async (method: string, url: string, body?: unknown) => {
      const res = await admin.inject({
        method: method as 'GET', url, remoteAddress: req.ip,
        headers: {
          authorization: `Bearer ${session.token}`, 'x-request-id': String(req.id),
          ...(req.headers['x-forwarded-for'] ? { 'x-forwarded-for': req.headers['x-forwarded-for'] } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
      const json = res.body ? JSON.parse(res.body) as unknown : null;
      if (res.statusCode >= 400) throw new ApiProblem({ ...(json as ProblemBody), status: res.statusCode });
      return json;
    };
    return { session, csrf, api } as Ctx;
  };
}

/** One form value as a trimmed string ('' when absent). */
export const one = (f: Form, k: string): string => {
  const v = f[k];
  return (Array.isArray(v) ? v[0] ?? '' : v ?? '').trim();
};

/** Every value of a repeated field (checkboxes). */
export const all = (f: Form, k: string): string[] => {
  const v = f[k];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((s) => s.trim()).filter(Boolean);
};

/** A list typed one per line, or separated by spaces or commas. */
export const words = (s: string): string[] => s.split(/[\s,]+/).filter(Boolean);

/** The fields that were filled in (an empty field is left out: the API's "not given"). */
export function filled(values: Record<string, string | string[] | boolean | undefined>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== ''));
}
