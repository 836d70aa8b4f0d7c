// The web admin console at /admin/ on the admin listener: server-rendered pages over the
// admin API (see docs/design.md for why: no build step, no script, the token never in the
// browser's reach). Registered in its own Fastify context: its own form parser, security
// headers and an HTML error page instead of problem+json.
import { readFileSync } from 'node:fs';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Tessera } from '../../runtime.js';
import { adminOrigin } from './client.js';
import { clientPages } from './clients.js';
import { ApiProblem, CsrfFailure, makeContext, type Form } from './context.js';
import { dashboardBody, RateSampler } from './dashboard.js';
import { html, layout } from './html.js';
import { keyPages, participantPages } from './participants-keys.js';
import { CONSOLE_ROUTE, Pages } from './resource.js';
import { ConsoleCookies } from './session.js';
import { signinRoutes } from './signin.js';
import { userPages } from './users.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A console page: not part of the admin API (nor of its OpenAPI document). */
    console?: boolean;
  }
}

/** console.css beside this module (src/), or the source's when running from dist/. */
function readCss(): string {
  for (const rel of ['./console.css', '../../../src/admin/console/console.css']) {
    try { return readFileSync(new URL(rel, import.meta.url), 'utf8'); } catch { /* next */ }
  }
  throw new Error('console.css not found (src/admin/console)');
}
const CSS = readCss();
const FORM_LIMIT = 16 * 1024;

/** No script at all, nothing framed, nothing cached (RFC 9111 §5.2.2.5: pages show secrets and tokens' subjects). */
export const CONSOLE_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function parseForm(body: string): Form {
  const out: Form = Object.create(null) as Form;
  for (const [k, v] of new URLSearchParams(body)) {
    if (v.includes('\u0000') || k.includes('\u0000')) continue;
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function consoleRoutes(admin: FastifyInstance, t: Tessera, opts: { secure: boolean }): void {
  const cookies = new ConsoleCookies(t, opts.secure);
  const sampler = new RateSampler(t.metrics);
  admin.addHook('onClose', async () => { sampler.stop(); });
  const origin = () => {
    const addr = admin.server.address();
    return adminOrigin(t.config, typeof addr === 'object' && addr ? addr.port : t.config.admin_port);
  };

  void admin.register(async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_req, body, done) => done(null, parseForm(body as string)));
    app.addHook('onRequest', async (_req, reply) => {
      reply.header('content-security-policy', CONSOLE_CSP).header('x-frame-options', 'DENY').header('cache-control', 'no-store')
        .header('referrer-policy', 'same-origin').header('x-content-type-options', 'nosniff');
    });
    app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => errorPage(err, req, reply, cookies));

    app.get('/admin', { config: CONSOLE_ROUTE }, async (_req, reply) => reply.code(308).header('location', '/admin/').send());
    app.get('/admin/console/console.css', { config: CONSOLE_ROUTE }, async (_req, reply) => reply.header('cache-control', 'public, max-age=300').type('text/css; charset=utf-8').send(CSS));
    signinRoutes(app, t, cookies, origin);

    const pages = new Pages(makeContext(admin, cookies));
    pages.get(app, '/admin/', 'Dashboard', async () => dashboardBody(sampler));
    clientPages(app, pages);
    userPages(app, pages);
    participantPages(app, pages);
    keyPages(app, pages);
  });
}

function errorPage(err: FastifyError, req: FastifyRequest, reply: FastifyReply, cookies: ConsoleCookies) {
  const send = (status: number, title: string, body: ReturnType<typeof html>) => reply.code(status).type('text/html; charset=utf-8').send(layout({ title }, body));
  const back = html`<p><a href="/admin/">Back to the console</a></p>`;
  if (err instanceof CsrfFailure) return send(403, 'Form expired', html`<p>The form was not this console's, or it is from an earlier sign-in. Go back, reload the page and try again.</p>${back}`);
  if (err instanceof ApiProblem) {
    const p = err.problem;
    // The token no longer opens the admin API: expired, revoked, or its user disabled.
    if (p.status === 401) {
      cookies.clear(reply, 'session');
      return send(401, 'Signed out', html`<p>Your console session has ended (it expired, was revoked, or your account was disabled).</p><p><a class="button" href="/admin/login">Sign in</a></p>`);
    }
    if (p.status === 403) return send(403, 'Not an administrator', html`<p>${p.detail ?? 'This account may not use the admin console.'}</p>`);
    // Still signed in: keep the navigation and the sign-out form.
    const session = cookies.session(req);
    const csrf = cookies.read(req, 'csrf');
    return reply.code(p.status).type('text/html; charset=utf-8').send(layout({
      ...(session && csrf ? { who: { username: session.username, csrf: cookies.csrfToken(csrf) } } : {}),
      title: p.status === 404 ? 'Not found' : 'Not done', error: { detail: p.detail ?? `the admin API answered ${p.status}`, ...(p.errors ? { fields: p.errors } : {}) },
    }, html`<p>Go back to correct it.</p>${back}`));
  }
  if (err.statusCode && err.statusCode < 500) return send(err.statusCode, 'Bad request', html`<p>${err.message}</p>${back}`);
  req.log.error({ err }, 'console page failed');
  return send(500, 'Something went wrong', html`<p>The console could not show this page (request ${String(req.id)}). The server log has the cause.</p>${back}`);
}
