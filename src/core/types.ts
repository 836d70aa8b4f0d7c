// Domain types shared by the core, the storage adapters and the HTTP layer.
// Field names follow RFC 7591 (client metadata) so the config file, the CLI's --json
// output and the store all speak the same words.

export const GRANT_TYPES = ['authorization_code', 'client_credentials', 'password', 'refresh_token'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export const TOKEN_FORMATS = ['jwt', 'opaque'] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];

export const SIGNING_ALGS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** OIDC Core §3.1.3.7: RS256 is the default every relying party can verify; ES256 per client. */
export const ID_TOKEN_ALGS = ['RS256', 'ES256'] as const;
export type IdTokenAlg = (typeof ID_TOKEN_ALGS)[number];

/** RFC 7636 §4.2 code_challenge_method; `plain` only where a client allows it. */
export const PKCE_METHODS = ['S256', 'plain'] as const;
export type PkceMethod = (typeof PKCE_METHODS)[number];

/** A dialect's claim set and defaults for a client (issue 3); null = standard RFC 9068. */
export const CLIENT_PROFILES = ['apk', 'hcx', 'o', 'v1'] as const;
export type ClientProfile = (typeof CLIENT_PROFILES)[number];

/**
 * Which tokens a client may introspect (RFC 7662 §4): `own` = those issued to it and access
 * tokens whose `aud` names it (a resource server); `all` = any (a gateway), set explicitly.
 */
export const INTROSPECT_SCOPES = ['own', 'all'] as const;
export type IntrospectScope = (typeof INTROSPECT_SCOPES)[number];

/**
 * Who keeps an entity: null = the operator (config file, CLI); `dialect:NAME` = a dialect's
 * built-in client, present only while that dialect is enabled and usable only on its routes;
 * `dev` = a `serve --dev` fixture, removed by any start without --dev; `registration` = a
 * client registered through RFC 7591 dynamic registration, kept by its registration access
 * token and removed by the purge once expired or idle (never by a start).
 */
export type ManagedBy = `dialect:${ClientProfile}` | 'dev' | 'registration' | 'console' | null;

/** Its fields besides client_id are the metadata table (core/client-metadata.ts) and the state fields listed there. */
export interface Client {
  client_id: string;
  /** Encoded verifier of the secret (see core/secrets.ts); null for public clients. */
  client_secret_hash: string | null;
  client_name: string | null;
  grant_types: GrantType[];
  /** Space-separated scopes the client may ask for. */
  scope: string;
  token_endpoint_auth_method: AuthMethod;
  access_token_format: TokenFormat;
  access_token_ttl: number | null;
  refresh_token_ttl: number | null;
  audience: string | null;
  access_token_signing_alg: SigningAlg | null;
  /** RFC 8707 resource indicators this client may ask for. */
  resources: string[];
  profile: ClientProfile | null;
  introspect: IntrospectScope;
  managed_by: ManagedBy;
  /** Seconds a refresh token may go unused before it expires; null: the top-level value. */
  refresh_token_idle_ttl: number | null;
  /** Seconds after a rotation in which the rotated token gets the same successor again (core/rotation.ts); null: the top-level value. */
  refresh_token_grace_period: number | null;
  /** A disabled client fails authentication and its tokens read inactive (core/sessions.ts). */
  disabled: boolean;
  /** Tokens issued to it before this time read inactive (set when it is disabled). */
  tokens_not_before: EpochSeconds | null;
  /**
   * Until when a lockout (src/limits/policy.ts) refuses its credentials; null: not locked.
   * Read-only here: written by the lockout and `client unlock` (ClientRepo.setLock), never by upsert.
   */
  locked_until: EpochSeconds | null;
  /** RFC 6749 §3.1.2: the exact redirect URIs of the authorization code flow (loopback: any port, RFC 8252 §7.3). */
  redirect_uris: string[];
  /** OIDC RP-Initiated Logout 1.0 §2: where end_session may send the browser back to. */
  post_logout_redirect_uris: string[];
  /** The operator's own application: the consent page is skipped. */
  first_party: boolean;
  /** RFC 7636 §4.2: accept code_challenge_method=plain (otherwise S256 only). */
  allow_plain_pkce: boolean;
  /** OIDC Registration §2 id_token_signed_response_alg; null: RS256. */
  id_token_signed_response_alg: IdTokenAlg | null;
  /** RFC 7591 §2, shown on the consent page. */
  logo_uri: string | null;
  client_uri: string | null;
  policy_uri: string | null;
  tos_uri: string | null;
  created_at: number;
  updated_at: number;
  /** RFC 7591 §3.2.1: when the secret stops working (0 in responses = never); null: never. */
  client_secret_expires_at: EpochSeconds | null;
  /** RFC 7592 §1: SHA-256 of the registration access token of a registered client. */
  registration_access_token_hash: string | null;
  /** Last successful authentication, at most hourly (registered clients' idle expiry). */
  last_used_at: EpochSeconds | null;
}

export interface User {
  id: string;
  username: string;
  password_hash: string;
  email: string | null;
  /** OIDC Core §5.1 standard claims, served by /userinfo by scope (`email`, `profile`). */
  email_verified: boolean;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  picture: string | null;
  locale: string | null;
  roles: string[];
  participant_code: string | null;
  managed_by: ManagedBy;
  /** A disabled user cannot sign in or refresh, and its tokens read inactive. */
  disabled: boolean;
  /** Tokens issued to it before this time read inactive (password change, disabling). */
  tokens_not_before: EpochSeconds | null;
  /** As Client.locked_until: written only by the lockout and `user unlock` (UserRepo.setLock). */
  locked_until: EpochSeconds | null;
  created_at: number;
  updated_at: number;
}

export interface Participant {
  participant_code: string;
  name: string | null;
  roles: string[];
  created_at: number;
  updated_at: number;
}

/** A signing key as stored: the private JWK is encrypted at rest (core/keys.ts). */
export interface StoredKey {
  kid: string;
  alg: SigningAlg;
  public_jwk: string;
  private_jwk_enc: string;
  created_at: number;
  /** When it starts signing; it is published in the JWKS from the start (key-schedule.ts). */
  activates_at: number;
  /** When its successor starts signing (possibly in the future); null while it has none. */
  retired_at: number | null;
}

/** A refresh token family: every token descended from one original grant (RFC 9700 §4.14.2). */
export interface FamilyRecord {
  id: string;
  client_id: string;
  user_id: string | null;
  created_at: number;
  revoked_at: number | null;
  /**
   * For a grant made through a browser sign-in (null otherwise): its session
   * (BrowserSession.sid), whose end may revoke the family.
   */
  sid: string | null;
  /** OIDC Core §2 auth_time and acr of that sign-in, repeated in id_tokens issued on refresh. */
  auth_time: number | null;
  acr: string | null;
}

/** An authorization code (RFC 6749 §4.1.2), stored by hash, usable once. */
export interface AuthorizationCodeRecord {
  hash: string;
  client_id: string;
  user_id: string;
  /** RFC 6749 §4.1.3: the token request must repeat it exactly. */
  redirect_uri: string;
  /**
   * Whether the authorization request named redirect_uri (it may be omitted when the client
   * has one registered URI, §3.1.2.3); if it did, the token request must send it (§4.1.3).
   */
  redirect_uri_given: boolean;
  scope: string;
  resource: string | null;
  /** RFC 7636 §4.3; null only for a confidential client that sent no challenge. */
  code_challenge: string | null;
  code_challenge_method: PkceMethod | null;
  /** OIDC Core §3.1.2.1: echoed in the id_token. */
  nonce: string | null;
  auth_time: number;
  acr: string | null;
  /** The browser session (BrowserSession.sid) the code was issued in. */
  sid: string;
  expires_at: number;
  created_at: number;
  /** Set when it is exchanged; a second exchange finds it set (RFC 6749 §4.1.2). */
  used_at: number | null;
  /** The refresh family its tokens were issued in: revoked when the code is replayed. */
  family_id: string | null;
}

/** A signed-in browser (the login session), keyed by the hash of its cookie value. */
export interface BrowserSession {
  /** SHA-256 of the cookie value. */
  id_hash: string;
  /** Public session id: OIDC `sid` in id_tokens and logout; never the cookie value. */
  sid: string;
  user_id: string;
  auth_time: number;
  acr: string | null;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
}

/** What a user allowed a client (remembered consent), until the user revokes it. */
export interface Consent {
  user_id: string;
  client_id: string;
  /** Space-separated scopes granted so far. */
  scope: string;
  created_at: number;
  updated_at: number;
}

export interface RefreshRecord {
  /** SHA-256 of the token, base64url. The token itself is never stored. */
  hash: string;
  family_id: string;
  client_id: string;
  user_id: string | null;
  scope: string;
  /** The RFC 8707 resource the original grant was bound to, if any. */
  resource: string | null;
  expires_at: number;
  created_at: number;
  used_at: number | null;
  /** Once rotated: the hash of the token that replaced it. */
  successor_hash: string | null;
  /** During the grace period after its rotation: the successor, encrypted (core/rotation.ts). */
  successor_enc: string | null;
  /** When the grace period ends and `successor_enc` is cleared. */
  successor_until: number | null;
  /** From the family row: set when the family has been revoked. */
  family_revoked_at: number | null;
  /** From the family row: when the original grant was made (the absolute lifetime counts from it). */
  family_created_at: number;
  /** The token's user, read in the same query (null: a client token, or the user is gone). */
  user: User | null;
}

/**
 * An access token the server remembers: every opaque token (keyed by its hash), and JWTs
 * that belong to a refresh family or were revoked (keyed by `jti`), so that revocation
 * can be answered on introspection.
 */
export interface AccessRecord {
  id: string;
  format: TokenFormat;
  family_id: string | null;
  client_id: string;
  user_id: string | null;
  scope: string;
  /** JSON of the claims the token carries, for introspection of opaque tokens. */
  claims: string;
  expires_at: number;
  created_at: number;
  revoked_at: number | null;
  family_revoked_at: number | null;
}

/**
 * One change made through the admin API: who made it (the token's client and user), what
 * (action, resource, id), when, and the resource before and after as JSON, secrets removed.
 */
export interface AuditEntry {
  /** Increasing; the pagination key of GET /admin/audit. */
  seq: number;
  at: EpochSeconds;
  actor_client_id: string;
  actor_user_id: string | null;
  /** e.g. `client.create`, `user.password`, `key.rotate`. */
  action: string;
  resource: 'client' | 'user' | 'participant' | 'key' | 'session';
  resource_id: string;
  /** JSON text of the public shape, or null (created / deleted). */
  before: string | null;
  after: string | null;
  request_id: string | null;
  ip: string | null;
}

/** Seconds since the epoch; every stored time uses it. */
export type EpochSeconds = number;
