// Row <-> domain mapping shared by every SQL adapter. Lists are stored as JSON text.
import type {
  AccessRecord, AuditEntry, AuthorizationCodeRecord, BrowserSession, Client, Consent, FamilyRecord, Participant, RefreshRecord, StoredKey, User,
} from '../core/types.js';

type Row = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const list = (v: unknown): string[] => (typeof v === 'string' ? (JSON.parse(v) as string[]) : []);

// Column lists: adding a column to clients or users is one line here (plus its mapping below);
// every statement that reads or writes those tables is built from these lists (sql.ts).
export const CLIENT_COLUMNS = [
  'client_id', 'client_secret_hash', 'client_name', 'grant_types', 'scope',
  'token_endpoint_auth_method', 'access_token_format', 'access_token_ttl', 'refresh_token_ttl',
  'audience', 'access_token_signing_alg', 'resources', 'profile', 'introspect', 'managed_by', 'created_at', 'updated_at',
  'refresh_token_idle_ttl', 'disabled', 'tokens_not_before', 'refresh_token_grace_period',
  'redirect_uris', 'post_logout_redirect_uris', 'first_party', 'allow_plain_pkce', 'id_token_signed_response_alg',
  'logo_uri', 'client_uri', 'policy_uri', 'tos_uri',
] as const;

export function clientFromRow(r: Row): Client {
  return {
    client_id: String(r.client_id),
    client_secret_hash: strOrNull(r.client_secret_hash),
    client_name: strOrNull(r.client_name),
    grant_types: list(r.grant_types) as Client['grant_types'],
    scope: String(r.scope),
    token_endpoint_auth_method: r.token_endpoint_auth_method as Client['token_endpoint_auth_method'],
    access_token_format: r.access_token_format as Client['access_token_format'],
    access_token_ttl: numOrNull(r.access_token_ttl),
    refresh_token_ttl: numOrNull(r.refresh_token_ttl),
    audience: strOrNull(r.audience),
    access_token_signing_alg: strOrNull(r.access_token_signing_alg) as Client['access_token_signing_alg'],
    resources: list(r.resources),
    profile: strOrNull(r.profile) as Client['profile'],
    introspect: r.introspect === 'all' ? 'all' : 'own',
    managed_by: strOrNull(r.managed_by) as Client['managed_by'],
    created_at: num(r.created_at),
    updated_at: num(r.updated_at),
    refresh_token_idle_ttl: numOrNull(r.refresh_token_idle_ttl),
    disabled: num(r.disabled) !== 0,
    tokens_not_before: numOrNull(r.tokens_not_before),
    refresh_token_grace_period: numOrNull(r.refresh_token_grace_period),
    locked_until: numOrNull(r.locked_until),
    redirect_uris: list(r.redirect_uris),
    post_logout_redirect_uris: list(r.post_logout_redirect_uris),
    first_party: num(r.first_party) !== 0,
    allow_plain_pkce: num(r.allow_plain_pkce) !== 0,
    id_token_signed_response_alg: strOrNull(r.id_token_signed_response_alg) as Client['id_token_signed_response_alg'],
    logo_uri: strOrNull(r.logo_uri),
    client_uri: strOrNull(r.client_uri),
    policy_uri: strOrNull(r.policy_uri),
    tos_uri: strOrNull(r.tos_uri),
  };
}

export function clientToRow(c: Client): unknown[] {
  return [
    c.client_id, c.client_secret_hash, c.client_name, JSON.stringify(c.grant_types), c.scope,
    c.token_endpoint_auth_method, c.access_token_format, c.access_token_ttl, c.refresh_token_ttl,
    c.audience, c.access_token_signing_alg, JSON.stringify(c.resources), c.profile, c.introspect, c.managed_by,
    c.created_at, c.updated_at,
    c.refresh_token_idle_ttl, c.disabled ? 1 : 0, c.tokens_not_before, c.refresh_token_grace_period,
    JSON.stringify(c.redirect_uris), JSON.stringify(c.post_logout_redirect_uris), c.first_party ? 1 : 0, c.allow_plain_pkce ? 1 : 0,
    c.id_token_signed_response_alg, c.logo_uri, c.client_uri, c.policy_uri, c.tos_uri,
  ];
}

// locked_until is left out of both column lists on purpose: the upserts write these lists,
// and a lock must survive the config file being applied again (setLock writes it).
export const USER_COLUMNS = [
  'id', 'username', 'password_hash', 'email', 'name', 'roles', 'participant_code', 'managed_by', 'created_at', 'updated_at',
  'disabled', 'tokens_not_before', 'email_verified', 'given_name', 'family_name', 'picture', 'locale',
] as const;

/** What a read of a user returns: the written columns and the lock. */
export const USER_READ_COLUMNS = [...USER_COLUMNS, 'locked_until'] as const;

export function userFromRow(r: Row): User {
  return {
    id: String(r.id),
    username: String(r.username),
    password_hash: String(r.password_hash),
    email: strOrNull(r.email),
    name: strOrNull(r.name),
    roles: list(r.roles),
    participant_code: strOrNull(r.participant_code),
    managed_by: strOrNull(r.managed_by) as User['managed_by'],
    created_at: num(r.created_at),
    updated_at: num(r.updated_at),
    disabled: num(r.disabled) !== 0,
    tokens_not_before: numOrNull(r.tokens_not_before),
    locked_until: numOrNull(r.locked_until),
    email_verified: num(r.email_verified) !== 0,
    given_name: strOrNull(r.given_name),
    family_name: strOrNull(r.family_name),
    picture: strOrNull(r.picture),
    locale: strOrNull(r.locale),
  };
}

export function userToRow(u: User): unknown[] {
  return [
    u.id, u.username, u.password_hash, u.email, u.name, JSON.stringify(u.roles), u.participant_code, u.managed_by,
    u.created_at, u.updated_at,
    u.disabled ? 1 : 0, u.tokens_not_before, u.email_verified ? 1 : 0, u.given_name, u.family_name, u.picture, u.locale,
  ];
}

export const PARTICIPANT_COLUMNS = ['participant_code', 'name', 'roles', 'created_at', 'updated_at'] as const;

export function participantFromRow(r: Row): Participant {
  return {
    participant_code: String(r.participant_code),
    name: strOrNull(r.name),
    roles: list(r.roles),
    created_at: num(r.created_at),
    updated_at: num(r.updated_at),
  };
}

export function participantToRow(p: Participant): unknown[] {
  return [p.participant_code, p.name, JSON.stringify(p.roles), p.created_at, p.updated_at];
}

export function keyFromRow(r: Row): StoredKey {
  return {
    kid: String(r.kid),
    alg: r.alg as StoredKey['alg'],
    public_jwk: String(r.public_jwk),
    private_jwk_enc: String(r.private_jwk_enc),
    created_at: num(r.created_at),
    activates_at: num(r.activates_at),
    retired_at: numOrNull(r.retired_at),
  };
}

export function refreshFromRow(r: Row): RefreshRecord {
  return {
    hash: String(r.hash),
    family_id: String(r.family_id),
    client_id: String(r.client_id),
    user_id: strOrNull(r.user_id),
    scope: String(r.scope),
    resource: strOrNull(r.resource),
    expires_at: num(r.expires_at),
    created_at: num(r.created_at),
    used_at: numOrNull(r.used_at),
    successor_hash: strOrNull(r.successor_hash),
    successor_enc: strOrNull(r.successor_enc),
    successor_until: numOrNull(r.successor_until),
    family_revoked_at: numOrNull(r.family_revoked_at),
    family_created_at: num(r.family_created_at),
    user: r.u_id === null || r.u_id === undefined
      ? null
      : userFromRow(Object.fromEntries(USER_READ_COLUMNS.map((c) => [c, r[`u_${c}`]]))),
  };
}

export function familyFromRow(r: Row): FamilyRecord {
  return {
    id: String(r.id),
    client_id: String(r.client_id),
    user_id: strOrNull(r.user_id),
    created_at: num(r.created_at),
    revoked_at: numOrNull(r.revoked_at),
    sid: strOrNull(r.sid),
    auth_time: numOrNull(r.auth_time),
    acr: strOrNull(r.acr),
  };
}

export function codeFromRow(r: Row): AuthorizationCodeRecord {
  return {
    hash: String(r.hash),
    client_id: String(r.client_id),
    user_id: String(r.user_id),
    redirect_uri: String(r.redirect_uri),
    scope: String(r.scope),
    resource: strOrNull(r.resource),
    code_challenge: strOrNull(r.code_challenge),
    code_challenge_method: strOrNull(r.code_challenge_method) as AuthorizationCodeRecord['code_challenge_method'],
    nonce: strOrNull(r.nonce),
    auth_time: num(r.auth_time),
    acr: strOrNull(r.acr),
    sid: String(r.sid),
    expires_at: num(r.expires_at),
    created_at: num(r.created_at),
    used_at: numOrNull(r.used_at),
    family_id: strOrNull(r.family_id),
  };
}

export const CODE_COLUMNS = [
  'hash', 'client_id', 'user_id', 'redirect_uri', 'scope', 'resource', 'code_challenge', 'code_challenge_method', 'nonce',
  'auth_time', 'acr', 'sid', 'expires_at', 'created_at',
] as const;

export const codeParams = (c: import('../core/store.js').NewAuthorizationCode): unknown[] => CODE_COLUMNS.map((k) => c[k]);

export function sessionFromRow(r: Row): BrowserSession {
  return {
    id_hash: String(r.id_hash),
    sid: String(r.sid),
    user_id: String(r.user_id),
    auth_time: num(r.auth_time),
    acr: strOrNull(r.acr),
    created_at: num(r.created_at),
    expires_at: num(r.expires_at),
    ended_at: numOrNull(r.ended_at),
  };
}

export const SESSION_COLUMNS = ['id_hash', 'sid', 'user_id', 'auth_time', 'acr', 'created_at', 'expires_at'] as const;

export const sessionParams = (s: import('../core/store.js').NewBrowserSession): unknown[] => SESSION_COLUMNS.map((k) => s[k]);

export function consentFromRow(r: Row): Consent {
  return {
    user_id: String(r.user_id),
    client_id: String(r.client_id),
    scope: String(r.scope),
    created_at: num(r.created_at),
    updated_at: num(r.updated_at),
  };
}

export function accessFromRow(r: Row): AccessRecord {
  return {
    id: String(r.id),
    format: r.format as AccessRecord['format'],
    family_id: strOrNull(r.family_id),
    client_id: String(r.client_id),
    user_id: strOrNull(r.user_id),
    scope: String(r.scope),
    claims: String(r.claims),
    expires_at: num(r.expires_at),
    created_at: num(r.created_at),
    revoked_at: numOrNull(r.revoked_at),
    family_revoked_at: numOrNull(r.family_revoked_at),
  };
}

// The token tables' columns in the order of the *Params helpers below, with the SQL type
// PostgreSQL needs to cast a parameter in `INSERT … SELECT` (sql.ts issueCte).
export type ColumnType = 'text' | 'bigint';
export const FAMILY_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ['id', 'text'], ['client_id', 'text'], ['user_id', 'text'], ['created_at', 'bigint'], ['sid', 'text'], ['auth_time', 'bigint'], ['acr', 'text'],
];
export const REFRESH_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ['hash', 'text'], ['family_id', 'text'], ['client_id', 'text'], ['user_id', 'text'], ['scope', 'text'], ['resource', 'text'],
  ['expires_at', 'bigint'], ['created_at', 'bigint'],
];
export const ACCESS_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ['id', 'text'], ['format', 'text'], ['family_id', 'text'], ['client_id', 'text'], ['user_id', 'text'], ['scope', 'text'],
  ['claims', 'text'], ['expires_at', 'bigint'], ['created_at', 'bigint'], ['revoked_at', 'bigint'],
];

export const familyParams = (f: import('../core/store.js').NewFamily): unknown[] =>
  [f.id, f.client_id, f.user_id, f.created_at, f.sid ?? null, f.auth_time ?? null, f.acr ?? null];

export const refreshParams = (r: import('../core/store.js').NewRefresh): unknown[] => [
  r.hash, r.family_id, r.client_id, r.user_id, r.scope, r.resource, r.expires_at, r.created_at,
];

export const accessParams = (a: import('../core/store.js').NewAccess, revokedAt: number | null = null): unknown[] => [
  a.id, a.format, a.family_id, a.client_id, a.user_id, a.scope, a.claims, a.expires_at, a.created_at, revokedAt,
];

export const AUDIT_COLUMNS = [
  'at', 'actor_client_id', 'actor_user_id', 'action', 'resource', 'resource_id', 'before', 'after', 'request_id', 'ip',
] as const;
export const auditParams = (e: import('../core/store.js').NewAuditEntry): unknown[] => AUDIT_COLUMNS.map((k) => e[k]);

export function auditFromRow(r: Row): AuditEntry {
  return {
    seq: num(r.seq), at: num(r.at), actor_client_id: String(r.actor_client_id), actor_user_id: strOrNull(r.actor_user_id),
    action: String(r.action), resource: String(r.resource) as AuditEntry['resource'], resource_id: String(r.resource_id),
    before: strOrNull(r.before), after: strOrNull(r.after), request_id: strOrNull(r.request_id), ip: strOrNull(r.ip),
  };
}
