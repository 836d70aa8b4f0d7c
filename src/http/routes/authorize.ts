// The authorization endpoint (RFC 6749 §4.1.1, OIDC Core §3.1.2: GET and POST), the login
// form's target and the consent form's target, and the pages' stylesheet. Framework-free
// checks are core/authorize.ts's; the steps and pages are src/web's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { matchRedirectUri, validateAuthorizationRequest, type AuthorizationRequest, type RawParams } from '../../core/authorize.js';
import { startSession, endSession } from '../../core/browser-session.js';
import { isOAuthError, OAuthError } from '../../core/errors.js';
import { verifyAgainstDummy, verifyPassword } from '../../core/password.js';
import { lockSubject } from '../../core/throttle.js';
import type { Client, User } from '../../core/types.js';
import type { Tessera } from '../../runtime.js';
import { bodyParams } from '../body.js';
import { setCookie } from '../../web/cookies.js';
import { checkForm, formExpired, issue, loginPage, makeWeb, nowSeconds, pageErrors, proceed, secure, signedIn, toClient, type LoginTarget, type Sealed, type Web } from '../../web/flow.js';
import { messages } from '../../web/messages.js';
import { route } from './methods.js';

/** A posted form of ours: its fields, the CSRF cookie it was checked against, its sealed request (null: does not open). */
interface PostedForm { body: Record<string, string>; csrf: string; now: number; sealed: Sealed | null }

/** null when the CSRF check fails (the caller answers 403). */
function readForm(w: Web, req: FastifyRequest): PostedForm | null {
  const body = bodyParams(req.body);
  const csrf = checkForm(w, req, body);
  if (!csrf) return null;
  const now = nowSeconds();
  return { body, csrf, now, sealed: w.seal.open(body.request, csrf, now) as Sealed | null };
}

/**
 * The request's client, still there and enabled, and still registered for the redirect URI
 * and the code flow: the sealed request may be 10 minutes old, and a URI removed since (a
 * lost domain) must not receive the code (RFC 6749 §3.1.2.3, checked again, on the page).
 */
async function clientOr(w: Web, reply: FastifyReply, r: AuthorizationRequest): Promise<Client | FastifyReply> {
  const client = await w.t.store.clients.get(r.client_id);
  if (!client || client.disabled) return w.pages.error(reply, new OAuthError('invalid_request', 'the application (client_id) is unknown'), 'error_unknown_client');
  if (!matchRedirectUri(r.redirect_uri, client.redirect_uris) || !client.grant_types.includes('authorization_code')) {
    return w.pages.error(reply, new OAuthError('invalid_request', 'redirect_uri is no longer registered for this application'), 'error_bad_redirect');
  }
  return client;
}

async function authorize(w: Web, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const raw = (req.method === 'POST' ? bodyParams(req.body) : req.query) as RawParams;
  const v = await validateAuthorizationRequest(raw, w.t.store.clients);
  if (!v.ok) {
    const f = v.failure;
    if (f.to === 'page') return w.pages.error(reply, f.error, f.about === 'client' ? 'error_unknown_client' : 'error_bad_redirect');
    return toClient(w, reply, f, { error: f.error }, false);
  }
  const now = nowSeconds();
  return proceed(w, req, reply, { request: v.request, client: v.client, session: await signedIn(w, req, now), justAuthenticated: false, now, afterForm: false });
}

/**
 * The password check behind the password grant's lockout (RFC 6749 §4.3.2): one gate before
 * any hashing, failures counted per username and address, one answer (null) for an unknown
 * user, a wrong password and a disabled user, in the same time (a dummy verification).
 * Throws the 429 of a lock and the 503 of a full password pool.
 */
async function checkPassword(w: Web, req: FastifyRequest, username: string, password: string): Promise<User | null> {
  const user = username ? [lockSubject.user(username)] : [];
  const ip = lockSubject.ip(req.clientIp);
  await w.t.lockout.gate([ip, ...user]);
  const found = username ? await w.t.store.users.getByUsername(username) : null;
  const ok = found ? await verifyPassword(found.password_hash, password) : await verifyAgainstDummy(password);
  if (!found || !ok || found.disabled) {
    await w.t.lockout.failed([...user, ip]);
    // Never the username in the log: it may be a mistyped password.
    req.log.info({ detail: found ? `sign-in failed for user id ${found.id}` : 'sign-in failed for an unknown username' }, 'sign-in rejected');
    return null;
  }
  w.t.lockout.succeeded(user);
  return found;
}

async function login(w: Web, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = readForm(w, req);
  if (!form) return formExpired(w, reply, 403);
  const { body, csrf, now, sealed } = form;
  if (!sealed || sealed.k !== 'login') return formExpired(w, reply, 400);
  let target: LoginTarget;
  if ('account' in sealed) target = { account: true };
  else {
    const client = await clientOr(w, reply, sealed.r);
    if (!('client_id' in client)) return client;
    target = { request: sealed.r, client };
  }
  const username = body.username ?? '';
  const again = (error: string, status: number) => loginPage(w, reply, csrf, now, target, { error, status, username: username || null });

  let found: User | null;
  try {
    found = await checkPassword(w, req, username, body.password ?? '');
  } catch (e) {
    // 429 locked, 503 the password pool is full: the login page again, with Retry-After.
    if (isOAuthError(e) && (e.reason === 'throttled' || e.reason === 'overloaded')) {
      for (const [k, h] of Object.entries(e.headers)) reply.header(k, h);
      return again(e.reason === 'throttled' ? messages.login_error_locked : messages.login_error_busy, e.status);
    }
    throw e;
  }
  if (!found) return again(messages.login_error_credentials, 400);
  // A new session at every sign-in (no session fixation); the one it replaces ends. Another
  // person signing in on this browser is a sign-out of the first (its session's tokens go);
  // the same person signing in again (prompt=login, max_age) keeps the tokens issued before.
  const previous = await signedIn(w, req, now);
  if (previous && previous.user.id !== found.id) await endSession(w.t.store, previous.session.sid, now);
  else if (previous) await w.t.store.sessions.end(previous.session.sid, now);
  const { cookie, session } = await startSession(w.t.store.sessions, found, w.t.config.session_ttl, now);
  setCookie(reply, 'session', cookie, secure(w), w.t.config.session_ttl);
  if ('account' in target) return reply.status(303).header('cache-control', 'no-store').header('location', '/account').send();
  return proceed(w, req, reply, { ...target, session: { session, user: found }, justAuthenticated: true, now, afterForm: true });
}

async function consent(w: Web, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = readForm(w, req);
  if (!form) return formExpired(w, reply, 403);
  const { body, now, sealed } = form;
  const session = await signedIn(w, req, now);
  // Shown in this very session: a consent form outlives neither a sign-out nor another sign-in.
  if (!sealed || sealed.k !== 'consent' || !session || session.session.sid !== sealed.sid) return formExpired(w, reply, 400);
  const client = await clientOr(w, reply, sealed.r);
  if (!('client_id' in client)) return client;
  if (body.decision === 'deny') return toClient(w, reply, sealed.r, { error: new OAuthError('access_denied', 'the user denied the request') }, true);
  if (body.decision !== 'allow') return w.pages.error(reply, new OAuthError('invalid_request', 'decision must be allow or deny'));
  await w.t.store.consents.grant(session.user.id, client.client_id, sealed.r.scope, now);
  return issue(w, reply, sealed.r, session, now, true);
}

export function authorizeRoutes(app: FastifyInstance, t: Tessera): Web {
  const w = makeWeb(t);
  const formatError = pageErrors(w);
  route(app, ['GET', 'POST'], '/oauth2/authorize', (req, reply) => authorize(w, req, reply), { formatError });
  route(app, 'POST', '/oauth2/login', (req, reply) => login(w, req, reply), { formatError, rateLimited: true });
  route(app, 'POST', '/oauth2/consent', (req, reply) => consent(w, req, reply), { formatError });
  route(app, 'GET', '/oauth2/assets/style.css', async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=3600').header('x-content-type-options', 'nosniff').type('text/css; charset=utf-8').send(w.pages.css));
  return w;
}
