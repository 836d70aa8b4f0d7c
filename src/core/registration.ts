// RFC 7591 dynamic client registration and RFC 7592 client management. The metadata names
// and checks are the config file's (core/client-metadata.ts, through `build`); what a
// registered client may ask for is narrower: only the fields the table marks registrable,
// no password grant (RFC 9700 §2.4), scopes from `allowed_scopes`.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { CLIENT_METADATA, METADATA_FIELDS, REGISTRABLE_FIELDS } from './client-metadata.js';
import { OAuthError } from './errors.js';
import { generateClientSecret, hashToken, randomToken, verifyClientSecret } from './secrets.js';
import type { ClientRepo, RegistrationTokenRepo } from './store.js';
import type { Client, GrantType } from './types.js';

export interface RegistrationPolicy {
  initial_access_token: 'required' | 'open';
  /** Seconds a registered client's secret works; 0: never expires. */
  client_secret_ttl: number;
  /** Space-separated scopes a registered client may have. */
  allowed_scopes: string;
}

type Raw = Record<string, unknown>;

/**
 * The config file's validator and entity builder, applied to a registration's metadata:
 * throws invalid_client_metadata / invalid_redirect_uri (RFC 7591 §3.2.2) on a bad value.
 */
export type ClientBuilder = (metadata: Raw, existing: Client | null) => Promise<Client>;

export interface RegistrationDeps {
  clients: ClientRepo;
  tokens: RegistrationTokenRepo;
  policy: RegistrationPolicy;
  /** Base of registration_client_uri (RFC 7592 §3): `${issuer}/oauth2/register`. */
  endpoint: () => string;
  build: ClientBuilder;
}

export const invalidMetadata = (d: string) => new OAuthError('invalid_client_metadata', d);

/**
 * RFC 6750 §3.1: 401 invalid_token; without any token, the challenge carries no error code.
 * One answer for an unknown client, another client's token and a wrong one (RFC 7592 §2).
 */
export function invalidToken(description: string, presented: boolean, detail?: string): OAuthError {
  return new OAuthError('invalid_token', description, {
    status: 401,
    headers: { 'www-authenticate': presented ? 'Bearer realm="tessera", error="invalid_token"' : 'Bearer realm="tessera"' },
    ...(detail === undefined ? {} : { detail }),
  });
}

/** RFC 7592 §2.2: a client does not send these; the server does not accept them. */
const SERVER_FIELDS = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at'];
/** Grants a public registered client may have: the code flow (with PKCE) and refresh. */
const PUBLIC_GRANTS: readonly GrantType[] = ['authorization_code', 'refresh_token'];

/** The metadata a registration carries, checked against the registration rules. */
function registrationMetadata(body: Raw, policy: RegistrationPolicy): Raw {
  // RFC 7591 §2: privileged fields are the operator's. Refused, not ignored, so the client
  // knows it does not have what it asked for.
  for (const k of METADATA_FIELDS) {
    if (body[k] !== undefined && !CLIENT_METADATA[k].registrable) throw invalidMetadata(`${k} cannot be set by dynamic registration`);
  }
  // RFC 7591 §2: any metadata it does not understand is ignored.
  const m: Raw = Object.fromEntries(REGISTRABLE_FIELDS.filter((k) => body[k] !== undefined && body[k] !== null).map((k) => [k, body[k]]));
  // RFC 7591 §2 defaults: client_secret_basic, and the authorization_code grant.
  m.token_endpoint_auth_method ??= 'client_secret_basic';
  m.grant_types ??= ['authorization_code'];
  const grants = Array.isArray(m.grant_types) ? m.grant_types : typeof m.grant_types === 'string' ? m.grant_types.split(/[\s,]+/) : [];
  // RFC 7591 §3.2.1: the server may replace requested values. Each grant type once, so
  // that an open registration stores a bounded list (as validate.ts bounds the URI lists).
  if (grants.every((g) => typeof g === 'string')) m.grant_types = [...new Set(grants)];
  if (grants.includes('password')) throw invalidMetadata('the password grant is not available to registered clients (RFC 9700 §2.4)');
  if (m.token_endpoint_auth_method === 'none' && grants.some((g) => !PUBLIC_GRANTS.includes(g as GrantType))) {
    throw invalidMetadata(`a public client may only use ${PUBLIC_GRANTS.join(' and ')}`);
  }
  // RFC 7591 §2.1: response_types and grant_types agree; only `code` is served.
  const rt = body.response_types;
  if (rt !== undefined && rt !== null) {
    if (!Array.isArray(rt) || rt.some((r) => r !== 'code')) throw invalidMetadata('response_types: only "code" is supported');
    if (rt.length > 0 && !grants.includes('authorization_code')) throw invalidMetadata('response_types "code" needs the authorization_code grant (RFC 7591 §2.1)');
  }
  const allowed = policy.allowed_scopes.split(' ').filter(Boolean);
  if (m.scope === undefined) m.scope = policy.allowed_scopes;
  else if (typeof m.scope === 'string') {
    const extra = m.scope.split(/\s+/).filter(Boolean).find((s) => !allowed.includes(s));
    if (extra !== undefined) throw invalidMetadata(`scope ${JSON.stringify(extra)} is not available to registered clients (allowed: ${policy.allowed_scopes})`);
    // Each scope once: at most allowed_scopes is stored, however long the request.
    m.scope = [...new Set(m.scope.split(/\s+/).filter(Boolean))].join(' ');
  } else throw invalidMetadata('scope must be a string of space-separated scopes (RFC 7591 §2)');
  return m;
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class Registration {
  constructor(private readonly d: RegistrationDeps) {}

  /** RFC 7591 §3.2.1: the client information response. */
  private response(c: Client, extra: { client_secret?: string; registration_access_token: string }): Raw {
    const metadata = Object.fromEntries(REGISTRABLE_FIELDS.map((k) => [k, c[k]]).filter(([, v]) => v !== null));
    return {
      client_id: c.client_id,
      ...(extra.client_secret === undefined ? {} : { client_secret: extra.client_secret }),
      client_id_issued_at: c.created_at,
      // REQUIRED when the client has a secret; 0: it does not expire.
      ...(c.token_endpoint_auth_method === 'none' ? {} : { client_secret_expires_at: c.client_secret_expires_at ?? 0 }),
      registration_access_token: extra.registration_access_token,
      registration_client_uri: `${this.d.endpoint()}/${encodeURIComponent(c.client_id)}`,
      ...metadata,
      response_types: c.grant_types.includes('authorization_code') ? ['code'] : [],
    };
  }

  /** POST /oauth2/register (RFC 7591 §3.1), `bearer`: the initial access token, if any. */
  async register(bearer: string | undefined, body: Raw, now: number): Promise<Raw> {
    const { policy } = this.d;
    const iat = policy.initial_access_token === 'required' ? bearer : undefined;
    if (policy.initial_access_token === 'required') {
      if (iat === undefined) throw invalidToken('an initial access token is required (RFC 7591 §3)', false);
      if (!(await this.d.tokens.find(hashToken(iat), now))) throw invalidToken('the initial access token is invalid, expired or used up', true);
    }
    const m = registrationMetadata(body, policy);
    const secret = m.token_endpoint_auth_method === 'none' ? undefined : generateClientSecret();
    const built = await this.d.build({ ...m, client_id: randomUUID(), ...(secret === undefined ? {} : { client_secret: secret }) }, null);
    // Used only now that the request is good: a typo in the metadata does not cost a use.
    if (iat !== undefined && !(await this.d.tokens.consume(hashToken(iat), now))) {
      throw invalidToken('the initial access token is invalid, expired or used up', true);
    }
    const rat = randomToken(32);
    const client: Client = {
      ...built,
      managed_by: 'registration',
      registration_access_token_hash: hashToken(rat),
      client_secret_expires_at: secret !== undefined && policy.client_secret_ttl > 0 ? now + policy.client_secret_ttl : null,
      created_at: now,
      updated_at: now,
      last_used_at: null,
    };
    await this.d.clients.upsert(client);
    return this.response(client, { ...(secret === undefined ? {} : { client_secret: secret }), registration_access_token: rat });
  }

  /** RFC 7592 §2: the registered client the registration access token is for, or 401. */
  async authorize(clientId: string, bearer: string | undefined): Promise<Client> {
    if (bearer === undefined) throw invalidToken('the registration access token is required (RFC 7592 §2)', false);
    const c = await this.d.clients.get(clientId);
    if (!c || c.managed_by !== 'registration' || c.registration_access_token_hash === null || !sameHash(hashToken(bearer), c.registration_access_token_hash)) {
      throw invalidToken('the registration access token is not valid for this client', true, c ? 'wrong registration access token' : 'no such registered client');
    }
    return c;
  }

  /** GET (RFC 7592 §2.1). The secret is stored hashed: it is shown at registration only. */
  async read(clientId: string, bearer: string | undefined): Promise<Raw> {
    const c = await this.authorize(clientId, bearer);
    return this.response(c, { registration_access_token: bearer! });
  }

  /** PUT (RFC 7592 §2.2): the body replaces the metadata; omitted fields go back to defaults. */
  async update(clientId: string, bearer: string | undefined, body: Raw, now: number): Promise<Raw> {
    const c = await this.authorize(clientId, bearer);
    if (body.client_id !== c.client_id) throw new OAuthError('invalid_request', 'client_id must be sent and be the client\'s (RFC 7592 §2.2)');
    const server = SERVER_FIELDS.find((k) => body[k] !== undefined);
    if (server !== undefined) throw new OAuthError('invalid_request', `${server} is set by the server and must not be sent (RFC 7592 §2.2)`);
    // RFC 7592 §2.2: a client_secret sent must be the current one.
    if (body.client_secret !== undefined && (typeof body.client_secret !== 'string' || c.client_secret_hash === null || !(await verifyClientSecret(body.client_secret, c.client_secret_hash)))) {
      throw new OAuthError('invalid_request', 'client_secret does not match the client\'s current secret (RFC 7592 §2.2)');
    }
    const m = registrationMetadata(body, this.d.policy);
    if ((m.token_endpoint_auth_method === 'none') !== (c.token_endpoint_auth_method === 'none')) {
      throw invalidMetadata('a client cannot switch between public and confidential; register a new one');
    }
    // The secret stays (RFC 7592 §2.2: the server MAY issue a new one; rotating is the
    // operator's `client rotate-secret`). A placeholder passes the validator's secret rule.
    const built = await this.d.build({ ...m, client_id: c.client_id, ...(c.token_endpoint_auth_method === 'none' ? {} : { client_secret: 'unchanged' }) }, c);
    const client: Client = {
      ...built,
      client_secret_hash: c.client_secret_hash,
      managed_by: 'registration',
      registration_access_token_hash: c.registration_access_token_hash,
      client_secret_expires_at: c.client_secret_expires_at,
      created_at: c.created_at,
      updated_at: now,
    };
    await this.d.clients.upsert(client);
    return this.response(client, { registration_access_token: bearer! });
  }

  /** DELETE (RFC 7592 §2.3): the client and its tokens go. */
  async delete(clientId: string, bearer: string | undefined): Promise<void> {
    await this.authorize(clientId, bearer);
    await this.d.clients.delete(clientId);
  }
}
