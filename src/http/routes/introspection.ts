// POST /oauth2/introspect (RFC 7662). Client authentication is required (§2.1); anything
// not active reads `{"active": false}` and nothing more (§2.2).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { PresentedCredentials } from '../../core/client-auth/index.js';
import { invalidRequest } from '../../core/errors.js';
import type { InspectedToken } from '../../core/inspect.js';
import { entitledToIntrospect, inspectPresented } from '../../core/introspection.js';
import { authenticateGuarded, lockSubject } from '../../core/throttle.js';
import type { Client } from '../../core/types.js';
import type { Tessera } from '../../runtime.js';
import { bodyParams } from '../body.js';
import { presentedCredentials, rejectSecretsInQuery } from '../credentials.js';
import { noStore } from '../reply.js';
import { route } from './methods.js';
import { clientIpOf } from '../rate-limit.js';

/** The RFC 7662 §2.2 answer to `caller`: `{"active": false}` unless active and entitled. */
export async function introspectionBody(t: Tessera, caller: Client, token: InspectedToken | null): Promise<Record<string, unknown>> {
  if (!token || !token.active || !entitledToIntrospect(caller, token)) return { active: false };
  // Inspection has read the user of an active token already.
  const user = token.user ?? (token.user_id ? await t.store.users.getById(token.user_id) : null);
  const c = token.claims;
  const body: Record<string, unknown> = {
    active: true,
    scope: token.scope,
    client_id: token.client_id,
    token_type: token.kind === 'refresh_token' ? 'refresh_token' : 'Bearer',
    exp: token.exp,
    iat: token.iat,
    sub: (c.sub as string | undefined) ?? token.user_id ?? token.client_id,
    iss: t.config.issuer,
  };
  if (user) body.username = user.username;
  if (c.aud !== undefined) body.aud = c.aud;
  if (c.nbf !== undefined) body.nbf = c.nbf;
  if (c.jti !== undefined) body.jti = c.jti;
  if (c.participant_code !== undefined) body.participant_code = c.participant_code;
  if (c.roles !== undefined) body.roles = c.roles;
  return body;
}

/**
 * The introspecting client, authenticated behind the lockout: one gate for the IP, the
 * client_id and its token key (unknown tokens it presented) before any secret is hashed.
 */
export function introspectionCaller(t: Tessera, credentials: PresentedCredentials, ip: string): Promise<Client> {
  const token = credentials.client_id ? [lockSubject.token(credentials.client_id)] : [];
  return authenticateGuarded({ throttle: t.lockout, clients: t.store.clients, ip, alsoLocks: token, confidential: true }, credentials);
}

/** Answers an introspection of `token` by `caller` (RFC 7662 §2.2). */
export async function introspectionReply(t: Tessera, reply: FastifyReply, caller: Client, token: string | undefined, ip: string): Promise<FastifyReply> {
  if (!token) throw invalidRequest('token is required');
  return noStore(reply).send(await introspectionBody(t, caller, await inspectPresented(t.inspector, t.lockout, caller, token, ip)));
}

export function introspectionRoute(app: FastifyInstance, t: Tessera): void {
  route(app, 'POST', '/oauth2/introspect', async (req, reply) => {
    rejectSecretsInQuery(req.query);
    const params = bodyParams(req.body);
    const ip = clientIpOf(req);
    const caller = await introspectionCaller(t, presentedCredentials(req.headers.authorization, params), ip);
    await t.rateLimits.admitClient(caller);
    return introspectionReply(t, reply, caller, params.token, ip);
  }, { rateLimited: true });
}
