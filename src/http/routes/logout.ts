// end_session_endpoint (OIDC RP-Initiated Logout 1.0): GET or POST /oauth2/logout with
// id_token_hint, client_id, post_logout_redirect_uri and state. A valid hint naming the
// current session signs out at once; otherwise the user confirms on a page (CSRF-checked
// form). Signing out ends the session, revokes its refresh families and clears the cookie.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { endSession } from '../../core/browser-session.js';
import { OAuthError } from '../../core/errors.js';
import { logoutTarget, readIdTokenHint, type LogoutTarget } from '../../core/logout.js';
import { setCookie } from '../../web/cookies.js';
import { checkForm, csrfCookie, formExpired, nowSeconds, pageErrors, secure, signedIn, type Web } from '../../web/flow.js';
import { bodyParams } from '../body.js';
import { route } from './methods.js';

function queryParams(q: unknown): Record<string, string> | null {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries((q ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(v)) return null; // RFC 6749 §3.1 style: no parameter twice
    if (typeof v === 'string' && v !== '') out[k] = v;
  }
  return out;
}

function finish(w: Web, reply: FastifyReply, target: LogoutTarget, state: string | undefined, afterForm: boolean): FastifyReply {
  if (!target.redirect_uri) return w.pages.signedOut(reply);
  const sep = target.redirect_uri.includes('?') ? '&' : '?';
  const location = state === undefined ? target.redirect_uri : `${target.redirect_uri}${sep}state=${encodeURIComponent(state)}`;
  return reply.status(afterForm ? 303 : 302).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').header('location', location).send();
}

async function logout(w: Web, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const p = req.method === 'POST' ? bodyParams(req.body) : queryParams(req.query);
  const bad = (d: string) => w.pages.error(reply, new OAuthError('invalid_request', d));
  if (!p) return bad('a parameter is repeated');
  // Our own confirmation form (it carries csrf_token); a relying party's POST does not.
  const confirmed = req.method === 'POST' && p.csrf_token !== undefined;
  if (confirmed && !checkForm(w, req, p)) return formExpired(w, reply, 403);
  const now = nowSeconds();
  const hint = p.id_token_hint ? await readIdTokenHint(p.id_token_hint, w.t.keys, w.t.config.issuer) : null;
  const target = await logoutTarget(w.t.store.clients, hint, p.client_id, p.post_logout_redirect_uri);
  if (!target) return bad('client_id does not match the id_token_hint');
  const current = await signedIn(w, req, now);
  const afterForm = req.method === 'POST';
  if (!current) {
    setCookie(reply, 'session', '', secure(w), 0);
    return finish(w, reply, target, p.state, afterForm);
  }
  const hintIsThisSession = hint !== null && hint.sid === current.session.sid && hint.sub === current.user.id;
  if (confirmed || hintIsThisSession) {
    await endSession(w.t.store, current.session.sid, now);
    setCookie(reply, 'session', '', secure(w), 0);
    return finish(w, reply, target, p.state, afterForm);
  }
  // §2 "the OP SHOULD ask the End-User whether to log out": the same request, confirmed.
  const fields: [string, string][] = [];
  if (target.client) fields.push(['client_id', target.client.client_id]);
  if (target.redirect_uri) fields.push(['post_logout_redirect_uri', target.redirect_uri]);
  if (p.state !== undefined) fields.push(['state', p.state]);
  const csrf = csrfCookie(w, req, reply);
  return w.pages.logout(reply, { username: current.user.username, csrf: w.seal.csrfToken(csrf), fields, formTargets: target.redirect_uri ? [target.redirect_uri] : [] });
}

export function logoutRoutes(app: FastifyInstance, w: Web): void {
  const formatError = pageErrors(w);
  route(app, ['GET', 'POST'], '/oauth2/logout', (req, reply) => logout(w, req, reply), { formatError });
}
