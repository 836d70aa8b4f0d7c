// Row <-> domain mapping shared by every SQL adapter. Lists are stored as JSON text.
import { CLIENT_METADATA, CLIENT_STATE_COLUMNS, METADATA_FIELDS, type FieldSpec, type MetadataField } from '../core/client-metadata.js';
import type {
  AccessRecord, AuditEntry, AuthorizationCodeRecord, BrowserSession, Client, Consent, FamilyRecord, Participant, RefreshRecord, StoredKey, User,
} from '../core/types.js';
import type { RegistrationToken } from '../core/store.js';

type Row = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const list = (v: unknown): string[] => (typeof v === 'string' ? (JSON.parse(v) as string[]) : []);

// Column lists: every statement that reads or writes a table is built from them (sql.ts).
// The clients' columns come from the metadata table (core/client-metadata.ts): a new client
// field is a new entry there and a column in a migration, nothing here.
export const CLIENT_COLUMNS = ['client_id', ...METADATA_FIELDS, ...CLIENT_STATE_COLUMNS] as const;

/** A stored metadata value as the entity has it: lists are JSON text, booleans 0/1. */
function metadataFromColumn(k: MetadataField, v: unknown): unknown {
  const spec: FieldSpec = CLIENT_METADATA[k];
  switch (spec.kind.type) {
    case 'list': case 'redirect_uris': return list(v);
    case 'bool': return num(v) !== 0;
    case 'int': return numOrNull(v);
    default: return strOrNull(v) ?? spec.default;
  }
}

function metadataToColumn(k: MetadataField, v: unknown): unknown {
  switch (CLIENT_METADATA[k].kind.type) {
    case 'list': case 'redirect_uris': return JSON.stringify(v);
    case 'bool': return v ? 1 : 0;
    default: return v;
  }
}

export function clientFromRow(r: Row): Client {
  const metadata = Object.fromEntries(METADATA_FIELDS.map((k) => [k, metadataFromColumn(k, r[k])]));
  return {
    ...(metadata as Pick<Client, MetadataField>),
    client_id: String(r.client_id),
    client_secret_hash: strOrNull(r.client_secret_hash),
    managed_by: strOrNull(r.managed_by) as Client['managed_by'],
    created_at: num(r.created_at),
    updated_at: num(r.updated_at),
    tokens_not_before: numOrNull(r.tokens_not_before),
    locked_until: numOrNull(r.locked_until),
    client_secret_expires_at: numOrNull(r.client_secret_expires_at),
    registration_access_token_hash: strOrNull(r.registration_access_token_hash),
    last_used_at: numOrNull(r.last_used_at),
  };
}

export function clientToRow(c: Client): unknown[] {
  return [c.client_id, ...METADATA_FIELDS.map((k) => metadataToColumn(k, c[k])), ...CLIENT_STATE_COLUMNS.map((k) => c[k])];
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
    redirect_uri_given: num(r.redirect_uri_given) !== 0,
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
  'auth_time', 'acr', 'sid', 'expires_at', 'created_at', 'redirect_uri_given',
] as const;

export const codeParams = (c: import('../core/store.js').NewAuthorizationCode): unknown[] =>
  CODE_COLUMNS.map((k) => (typeof c[k] === 'boolean' ? (c[k] ? 1 : 0) : c[k]));

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

export function registrationTokenFromRow(r: Row): RegistrationToken {
  return {
    id: String(r.id),
    hash: String(r.hash),
    created_at: num(r.created_at),
    expires_at: num(r.expires_at),
    max_uses: numOrNull(r.max_uses),
    uses: num(r.uses),
  };
}

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
