// Signing in to the console: Tessera's own authorization code flow (RFC 6749 §4.1) with
// PKCE S256 (RFC 7636), state (RFC 6749 §10.12) and nonce (OIDC Core §3.1.2.1), as the
// public client `tessera-console`. The browser signs in on the public listener; the code
// comes back to /admin/callback on the admin listener and is exchanged in-process (the
// token endpoint's own TokenService, as a request to it would). Only a token that carries
// tessera:admin (the user holds that role: core/scope.ts) opens the console.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { decodeJwt } from 'jose';
import { isOAuthError } from '../../core/errors.js';
import { revokeToken } from '../../core/revocation.js';
import { ADMIN_SCOPE, parseScope } from '../../core/scope.js';
import { presentedCredentials } from '../../http/credentials.js';
import type { Tessera } from '../../runtime.js';
import { CONSOLE_CLIENT_ID, CONSOLE_SCOPE, consoleRedirectUri } from './client.js';
import { html, layout } from './html.js';
import { CONSOLE_ROUTE } from './resource.js';
import { random, sameString, type ConsoleCookies, type ConsoleSession } from './session.js';

const page = (reply: FastifyReply, status: number, title: string, body: ReturnType<typeof html>, refresh?: string) => {
  reply.code(status).type('text/html; charset=utf-8');
  return reply.send(layout({ title }, refresh ? html`<meta http-equiv="refresh" content="0;url=${refresh}">${body}` : body));
};

const signInAgain = html`<p><a class="button" href="/admin/login">Sign in</a></p>`;

export function signinRoutes(app: FastifyInstance, t: Tessera, cookies: ConsoleCookies, origin: () => string): void {
  const consoleClient = async () => t.store.clients.get(CONSOLE_CLIENT_ID);

  app.get('/admin/login', { config: CONSOLE_ROUTE }, async (req, reply) => {
    const csrf = cookies.csrfCookie(req, reply);
    const login = { state: random(), nonce: random(), verifier: random() };
    cookies.sealLogin(reply, csrf, login);
    const q = new URLSearchParams({
      response_type: 'code', client_id: CONSOLE_CLIENT_ID, redirect_uri: consoleRedirectUri(origin()), scope: CONSOLE_SCOPE,
      state: login.state, nonce: login.nonce, code_challenge_method: 'S256',
      code_challenge: createHash('sha256').update(login.verifier).digest('base64url'),
    });
    return reply.code(303).header('location', `${t.config.issuer}/oauth2/authorize?${q.toString()}`).send();
  });

  app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/admin/callback', { config: CONSOLE_ROUTE }, async (req, reply) => {
    const login = cookies.openLogin(req);
    const q = (k: string) => (typeof req.query[k] === 'string' ? req.query[k] : undefined);
    cookies.clear(reply, 'login');
    // RFC 6749 §10.12: a callback this browser did not start (or a stale one) is refused.
    if (!login || !q('state') || !sameString(q('state')!, login.state)) {
      return page(reply, 400, 'Sign-in not completed', html`<p>This sign-in was not started here, or it took longer than ten minutes.</p>${signInAgain}`);
    }
    if (q('error')) {
      return page(reply, 400, 'Sign-in not completed', html`<p>The sign-in ended with <code>${q('error')!.slice(0, 100)}</code>.</p>${signInAgain}`);
    }
    const params: Record<string, string> = {
      grant_type: 'authorization_code', code: q('code') ?? '', redirect_uri: consoleRedirectUri(origin()),
      code_verifier: login.verifier, client_id: CONSOLE_CLIENT_ID,
    };
    let result;
    try {
      result = await t.tokens.issue({ params, credentials: presentedCredentials(undefined, params), ip: req.ip });
    } catch (e) {
      if (!isOAuthError(e)) throw e;
      return page(reply, 400, 'Sign-in not completed', html`<p>The authorization code was refused: ${e.description}</p>${signInAgain}`);
    }
    const client = result.client;
    // OIDC Core §3.1.3.7: the id_token's nonce must be the one this browser sent.
    const nonce = result.id_token ? decodeJwt(result.id_token).nonce : undefined;
    if (typeof nonce !== 'string' || !sameString(nonce, login.nonce) || !result.user) {
      await revokeToken(t.store, t.inspector, client, result.access_token);
      return page(reply, 400, 'Sign-in not completed', html`<p>The sign-in's nonce did not match.</p>${signInAgain}`);
    }
    if (!parseScope(result.scope).includes(ADMIN_SCOPE)) {
      await revokeToken(t.store, t.inspector, client, result.access_token);
      return page(reply, 403, 'Not an administrator', html`<p>You are signed in as <strong>${result.user.username}</strong>, who does not hold the <code>${ADMIN_SCOPE}</code> role. An administrator can grant it: <code>tessera user update ${result.user.username} --roles ${ADMIN_SCOPE}</code> (the list replaces the user's roles: keep the others in it).</p>`);
    }
    const session: ConsoleSession = { token: result.access_token, exp: result.issued_at + result.expires_in, user_id: result.user.id, username: result.user.username };
    cookies.sealSession(reply, cookies.csrfCookie(req, reply), session);
    // A page of this origin moves on, not a redirect: the SameSite=Strict session cookie is
    // not sent on a redirect chain that another site (the public listener) started.
    return page(reply, 200, 'Signed in', html`<p><a href="/admin/">Continue to the console</a></p>`, '/admin/');
  });

  app.post<{ Body: Record<string, unknown> }>('/admin/logout', { config: CONSOLE_ROUTE }, async (req, reply) => {
    const s = cookies.session(req);
    if (s && cookies.checkCsrf(req, req.body?.csrf_token)) {
      const client = await consoleClient();
      if (client) await revokeToken(t.store, t.inspector, client, s.token);
    } else if (s) {
      return page(reply, 403, 'Not signed out', html`<p>The form was not this console's (its CSRF token did not match). Reload the page and sign out again.</p>`);
    }
    cookies.clear(reply, 'session');
    return page(reply, 200, 'Signed out', html`<p>Your console session ended and its token was revoked.</p>${signInAgain}`);
  });
}
