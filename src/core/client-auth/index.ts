// Client authentication (RFC 6749 §2.3), a registry keyed by method. The HTTP layer says
// what was presented and how; this decides whether it identifies a registered client.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { invalidClient } from '../errors.js';
import { fingerprint, verifyClientSecret } from '../secrets.js';
import type { ClientRepo } from '../store.js';
import type { AuthMethod, Client } from '../types.js';

export interface PresentedCredentials {
  /** How the credentials came: Basic header, body fields, or only a client_id (public). */
  method: AuthMethod;
  client_id: string | undefined;
  client_secret: string | undefined;
  /** The dialect whose route received the request; undefined on the standard endpoints. */
  via?: string | undefined;
}

type Authenticator = (client: Client, presented: PresentedCredentials) => Promise<boolean>;

// A secret that verified once is remembered as an HMAC under a per-process random key,
// so a low-entropy (argon2id-hashed) secret costs one slow hash per process, not per request.
const cacheKey = randomBytes(32);
const verified = new Map<string, { stored: string; mac: Buffer }>();
const mac = (secret: string) => createHmac('sha256', cacheKey).update(secret).digest();

async function secretMatches(client: Client, secret: string): Promise<boolean> {
  const stored = client.client_secret_hash;
  if (!stored) return false;
  const hit = verified.get(client.client_id);
  if (hit && hit.stored === stored) return timingSafeEqual(hit.mac, mac(secret));
  if (!(await verifyClientSecret(secret, stored))) return false;
  if (verified.size > 10_000) verified.clear();
  verified.set(client.client_id, { stored, mac: mac(secret) });
  return true;
}

const confidential: Authenticator = async (client, p) =>
  client.token_endpoint_auth_method !== 'none' && p.client_secret !== undefined && secretMatches(client, p.client_secret);

export const authenticators: Record<AuthMethod, Authenticator> = {
  // Confidential clients may use either Basic or body credentials, as Keycloak allows;
  // RFC 6749 §2.3.1 requires Basic and permits the body form.
  client_secret_basic: confidential,
  client_secret_post: confidential,
  // A public client only names itself (RFC 6749 §2.1); it must not be a confidential one.
  none: async (client, p) => client.token_endpoint_auth_method === 'none' && p.client_secret === undefined,
};

/**
 * RFC 7662 §2.1: the introspection caller must authenticate; a public client, which only
 * names itself, may not introspect.
 */
export async function authenticateConfidentialClient(clients: ClientRepo, p: PresentedCredentials): Promise<Client> {
  const client = await authenticateClient(clients, p);
  if (client.token_endpoint_auth_method === 'none') {
    throw invalidClient('a public client cannot use this endpoint', p.method === 'client_secret_basic');
  }
  return client;
}

export async function authenticateClient(clients: ClientRepo, p: PresentedCredentials): Promise<Client> {
  const basic = p.method === 'client_secret_basic';
  if (!p.client_id) {
    throw invalidClient(basic ? 'client authentication failed' : 'client authentication is required', basic);
  }
  const client = await clients.get(p.client_id);
  if (!client) {
    // Burn comparable time to a real check so unknown ids are not told apart by timing.
    if (p.client_secret !== undefined) mac(p.client_secret);
    throw invalidClient('client authentication failed', basic, `unknown client id ${fingerprint(p.client_id)}`);
  }
  // A dialect's built-in client works only on that dialect's routes: it exists for that
  // API's callers, and nobody registered it for anything else.
  const boundTo = client.managed_by?.startsWith('dialect:') ? client.managed_by.slice('dialect:'.length) : undefined;
  if (boundTo !== undefined && boundTo !== p.via) {
    throw invalidClient('client authentication failed', basic, `client ${client.client_id} is the ${boundTo} dialect's built-in client`);
  }
  if (p.method === 'none' && client.token_endpoint_auth_method !== 'none') {
    throw invalidClient('client authentication failed', basic, 'confidential client sent no secret');
  }
  if (!(await authenticators[p.method](client, p))) {
    throw invalidClient('client authentication failed', basic, `bad credentials for client ${client.client_id}`);
  }
  // After the credential check and with the same answer, so a disabled client is not revealed.
  if (client.disabled) throw invalidClient('client authentication failed', basic, `client ${client.client_id} is disabled`);
  return client;
}
