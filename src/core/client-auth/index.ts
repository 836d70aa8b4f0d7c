// Client authentication (RFC 6749 §2.3), a registry keyed by method. The HTTP layer says
// what was presented and how; this decides whether it identifies a registered client.
import { invalidClient } from '../errors.js';
import { fingerprint } from '../secrets.js';
import type { ClientRepo } from '../store.js';
import type { AuthMethod, Client } from '../types.js';
import { SecretCheck } from './secret-check.js';

export interface PresentedCredentials {
  /** How the credentials came: Basic header, body fields, or only a client_id (public). */
  method: AuthMethod;
  client_id: string | undefined;
  client_secret: string | undefined;
  /** The dialect whose route received the request; undefined on the standard endpoints. */
  via?: string | undefined;
}

type Authenticator = (client: Client, presented: PresentedCredentials, secrets: SecretCheck) => Promise<boolean>;

/** The process's secret check (its verified-secret cache lives as long as the process). */
const processSecrets = new SecretCheck();

const confidential: Authenticator = async (client, p, secrets) =>
  client.token_endpoint_auth_method !== 'none' && p.client_secret !== undefined && secrets.matches(client, p.client_secret);

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
export async function authenticateConfidentialClient(clients: ClientRepo, p: PresentedCredentials, secrets = processSecrets): Promise<Client> {
  return requireConfidential(await authenticateClient(clients, p, secrets), p);
}

/** The RFC 7662 §2.1 rule on an authenticated client. */
export function requireConfidential(client: Client, p: PresentedCredentials): Client {
  if (client.token_endpoint_auth_method === 'none') {
    throw invalidClient('a public client cannot use this endpoint', p.method === 'client_secret_basic');
  }
  return client;
}

export async function authenticateClient(clients: ClientRepo, p: PresentedCredentials, secrets = processSecrets): Promise<Client> {
  const basic = p.method === 'client_secret_basic';
  if (!p.client_id) {
    throw invalidClient(basic ? 'client authentication failed' : 'client authentication is required', basic);
  }
  const client = await clients.get(p.client_id);
  if (!client) {
    // Burn what a registered client's failure costs, so unknown ids are not told apart by timing.
    if (p.client_secret !== undefined) await secrets.unknownClient(p.client_secret);
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
  if (!(await authenticators[p.method](client, p, secrets))) {
    throw invalidClient('client authentication failed', basic, `bad credentials for client ${client.client_id}`);
  }
  // After the credential check and with the same answer, so a disabled client is not revealed.
  if (client.disabled) throw invalidClient('client authentication failed', basic, `client ${client.client_id} is disabled`);
  const now = Math.floor(Date.now() / 1000);
  // RFC 7591 §3.2.1 client_secret_expires_at: an expired secret no longer authenticates.
  if (client.client_secret_expires_at !== null && client.client_secret_expires_at <= now) {
    throw invalidClient('client authentication failed', basic, `the secret of client ${client.client_id} expired`);
  }
  if (client.managed_by === 'registration') noteRegisteredUse(clients, client, now);
  return client;
}

/** How often a registered client's last use is written: its idle expiry is days, not seconds. */
export const LAST_USED_RESOLUTION = 3600;

/**
 * A registered client's use, for its idle expiry (ops/purge.ts): written at most hourly, and
 * never in the way of the request (a failed write is retried at the next use).
 */
function noteRegisteredUse(clients: ClientRepo, client: Client, now: number): void {
  if (now - (client.last_used_at ?? client.created_at) < LAST_USED_RESOLUTION) return;
  clients.touch(client.client_id, now).catch(() => undefined);
}
