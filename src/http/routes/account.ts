// GET /account: the signed-in user's remembered consents, each revocable, and sign-out.
// Without a session it is the login page, which leads back here (a fixed local path, never
// one taken from the request: no open redirect).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../core/errors.js';
import { checkForm, csrfCookie, formExpired, loginPage, nowSeconds, pageErrors, signedIn, type Web } from '../../web/flow.js';
import { bodyParams } from '../body.js';
import { route } from './methods.js';

async function account(w: Web, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const now = nowSeconds();
  const csrf = csrfCookie(w, req, reply);
  const current = await signedIn(w, req, now);
  if (!current) return loginPage(w, reply, csrf, now, { account: true });
  const consents = await w.t.store.consents.listForUser(current.user.id);
  const named = await Promise.all(consents.map(async (consent) => {
    const c = await w.t.store.clients.get(consent.client_id);
    return { consent, name: c?.client_name ?? consent.client_id };
  }));
  return w.pages.account(reply, { username: current.user.username, csrf: w.seal.csrfToken(csrf), consents: named });
}

/**
 * Revoking a consent makes the application ask again next time, and revokes the refresh
 * families the user's grants to it made (offline ones too), as Keycloak does: withdrawing
 * consent cuts the application off now, not when its tokens expire.
 */
async function revoke(w: Web, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const body = bodyParams(req.body);
  if (!checkForm(w, req, body)) return formExpired(w, reply, 403);
  const current = await signedIn(w, req, nowSeconds());
  if (!current) return formExpired(w, reply, 400);
  if (!body.client_id) return w.pages.error(reply, new OAuthError('invalid_request', 'client_id is missing'));
  await w.t.store.consents.revoke(current.user.id, body.client_id);
  await w.t.store.tokens.revokeUserClientFamilies(current.user.id, body.client_id, nowSeconds());
  return reply.status(303).header('cache-control', 'no-store').header('location', '/account').send();
}

export function accountRoutes(app: FastifyInstance, w: Web): void {
  const formatError = pageErrors(w);
  route(app, 'GET', '/account', (req, reply) => account(w, req, reply), { formatError });
  route(app, 'POST', '/account/consents/revoke', (req, reply) => revoke(w, req, reply), { formatError });
}
