// Versioned migrations, applied in order at start (and by `tessera migrate`).
// Each has the SQL for both databases; times are epoch seconds, lists are JSON text,
// so both adapters share the row mappers in rows.ts.

export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

const v1 = (int: string) => `
CREATE TABLE clients (
  client_id TEXT PRIMARY KEY,
  client_secret_hash TEXT,
  client_name TEXT,
  grant_types TEXT NOT NULL,
  scope TEXT NOT NULL,
  token_endpoint_auth_method TEXT NOT NULL,
  access_token_format TEXT NOT NULL,
  access_token_ttl ${int},
  refresh_token_ttl ${int},
  audience TEXT,
  access_token_signing_alg TEXT,
  resources TEXT NOT NULL,
  profile TEXT,
  created_at ${int} NOT NULL,
  updated_at ${int} NOT NULL
);
CREATE TABLE participants (
  participant_code TEXT PRIMARY KEY,
  name TEXT,
  roles TEXT NOT NULL,
  created_at ${int} NOT NULL,
  updated_at ${int} NOT NULL
);
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  email TEXT,
  name TEXT,
  roles TEXT NOT NULL,
  participant_code TEXT,
  created_at ${int} NOT NULL,
  updated_at ${int} NOT NULL
);
CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  private_jwk_enc TEXT NOT NULL,
  created_at ${int} NOT NULL,
  retired_at ${int}
);
CREATE TABLE token_families (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  user_id TEXT,
  created_at ${int} NOT NULL,
  revoked_at ${int}
);
CREATE TABLE refresh_tokens (
  hash TEXT PRIMARY KEY,
  family_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  user_id TEXT,
  scope TEXT NOT NULL,
  resource TEXT,
  expires_at ${int} NOT NULL,
  created_at ${int} NOT NULL,
  used_at ${int}
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);
CREATE TABLE access_tokens (
  id TEXT PRIMARY KEY,
  format TEXT NOT NULL,
  family_id TEXT,
  client_id TEXT NOT NULL,
  user_id TEXT,
  scope TEXT NOT NULL,
  claims TEXT NOT NULL,
  expires_at ${int} NOT NULL,
  created_at ${int} NOT NULL,
  revoked_at ${int}
);
CREATE INDEX access_tokens_family ON access_tokens (family_id);
CREATE INDEX access_tokens_expires ON access_tokens (expires_at);
`;

// Keys are published before they sign: each carries the stored time it starts signing, so
// every instance switches at the same moment. Existing keys signed from their creation.
const v2 = (int: string) => `
ALTER TABLE signing_keys ADD COLUMN activates_at ${int} NOT NULL DEFAULT 0;
UPDATE signing_keys SET activates_at = created_at;
`;

// Security events end sessions (core/sessions.ts): a disabled flag on clients and users, and
// the time before which their tokens no longer count (`tokens_not_before`), which reaches
// the JWTs the server never stored. Plus the per-client refresh idle lifetime.
const v3 = (int: string) => `
ALTER TABLE clients ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN tokens_not_before ${int};
ALTER TABLE clients ADD COLUMN refresh_token_idle_ttl ${int};
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN tokens_not_before ${int};
`;

// Who may introspect what, and which entities Tessera itself keeps (types.ts ManagedBy).
// Rows that earlier versions created on their own are marked, so the next start can remove
// them: the HCX built-in client (made at every start) and `serve --dev` fixtures, found by
// the names those versions gave them.
const v4 = `
ALTER TABLE clients ADD COLUMN introspect TEXT NOT NULL DEFAULT 'own';
ALTER TABLE clients ADD COLUMN managed_by TEXT;
ALTER TABLE users ADD COLUMN managed_by TEXT;
UPDATE clients SET managed_by = 'dialect:hcx' WHERE client_name = 'HCX (built-in public client)' AND token_endpoint_auth_method = 'none';
UPDATE clients SET managed_by = 'dev' WHERE client_name IN ('Dev demo client', 'Dev Django-OAuth-Toolkit client', 'Dev /v1/oauth client', 'WSO2 APK sample client (dev only)');
UPDATE users SET managed_by = 'dev' WHERE (username = 'alice' AND name = 'Alice Dev') OR (username = 'dot-user' AND name = 'DOT Dev User')
  OR (username = 'testuser@gmail.com' AND participant_code = 'test-user@swasth-hcx' AND email = 'testuser@gmail.com' AND roles = '["admin"]')
  OR (username = 'v1-user' AND name IS NULL AND email IS NULL AND roles = '[]' AND participant_code IS NULL);
`;

// Refresh rotation under concurrency (core/rotation.ts): a consumed refresh token records
// its successor's hash, and, during a client's grace period, the successor itself encrypted
// until `successor_until` (then cleared). The per-client grace period. Indexes for
// revoking or deleting by client and user on a large store (the expiry and family indexes
// the purge uses exist since version 1). Refresh tokens get no client index, which every
// rotation would pay for: they are reached through their family's.
const v5 = (int: string) => `
ALTER TABLE refresh_tokens ADD COLUMN successor_hash TEXT;
ALTER TABLE refresh_tokens ADD COLUMN successor_enc TEXT;
ALTER TABLE refresh_tokens ADD COLUMN successor_until ${int};
ALTER TABLE clients ADD COLUMN refresh_token_grace_period ${int};
CREATE INDEX refresh_tokens_successor_until ON refresh_tokens (successor_until) WHERE successor_until IS NOT NULL;
CREATE INDEX access_tokens_client ON access_tokens (client_id);
CREATE INDEX token_families_user ON token_families (user_id);
CREATE INDEX token_families_client ON token_families (client_id);
`;

// Lockouts (src/limits/policy.ts) are written on the locked user's or client's row, so the
// CLI, which opens the database and not a server's memory, can show and clear them. Written
// only by the lockout and by `unlock`, never by the upserts that apply the config file, so a
// restart does not clear a lock.
const v6 = (int: string) => `
ALTER TABLE users ADD COLUMN locked_until ${int};
ALTER TABLE clients ADD COLUMN locked_until ${int};
`;

// Sign-in for people (issue 9): authorization codes (hashed, single use), browser sessions
// (keyed by the hash of the cookie), remembered consent, the client metadata of the code flow
// and OIDC, the users' standard claims, and the sign-in context a refresh family keeps.
const v7 = (int: string) => `
ALTER TABLE clients ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN first_party INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN allow_plain_pkce INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN id_token_signed_response_alg TEXT;
ALTER TABLE clients ADD COLUMN logo_uri TEXT;
ALTER TABLE clients ADD COLUMN client_uri TEXT;
ALTER TABLE clients ADD COLUMN policy_uri TEXT;
ALTER TABLE clients ADD COLUMN tos_uri TEXT;
ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN given_name TEXT;
ALTER TABLE users ADD COLUMN family_name TEXT;
ALTER TABLE users ADD COLUMN picture TEXT;
ALTER TABLE users ADD COLUMN locale TEXT;
ALTER TABLE token_families ADD COLUMN sid TEXT;
ALTER TABLE token_families ADD COLUMN auth_time ${int};
ALTER TABLE token_families ADD COLUMN acr TEXT;
CREATE INDEX token_families_sid ON token_families (sid) WHERE sid IS NOT NULL;
CREATE TABLE authorization_codes (
  hash TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  scope TEXT NOT NULL,
  resource TEXT,
  code_challenge TEXT,
  code_challenge_method TEXT,
  nonce TEXT,
  auth_time ${int} NOT NULL,
  acr TEXT,
  sid TEXT NOT NULL,
  expires_at ${int} NOT NULL,
  created_at ${int} NOT NULL,
  used_at ${int},
  family_id TEXT
);
CREATE INDEX authorization_codes_expires ON authorization_codes (expires_at);
CREATE TABLE browser_sessions (
  id_hash TEXT PRIMARY KEY,
  sid TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  auth_time ${int} NOT NULL,
  acr TEXT,
  created_at ${int} NOT NULL,
  expires_at ${int} NOT NULL,
  ended_at ${int}
);
CREATE INDEX browser_sessions_user ON browser_sessions (user_id);
CREATE INDEX browser_sessions_expires ON browser_sessions (expires_at);
CREATE TABLE consents (
  user_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  created_at ${int} NOT NULL,
  updated_at ${int} NOT NULL,
  PRIMARY KEY (user_id, client_id)
);
CREATE INDEX consents_client ON consents (client_id);
`;

// Dynamic client registration (RFC 7591, RFC 7592): the state of a registered client (its
// registration access token's hash, when its secret expires, when it was last used), and the
// operator's initial access tokens (stored hashed, with an expiry and a number of uses).
const v8 = (int: string) => `
ALTER TABLE clients ADD COLUMN client_secret_expires_at ${int};
ALTER TABLE clients ADD COLUMN registration_access_token_hash TEXT;
ALTER TABLE clients ADD COLUMN last_used_at ${int};
CREATE INDEX clients_registered ON clients (managed_by) WHERE managed_by = 'registration';
CREATE TABLE registration_tokens (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  created_at ${int} NOT NULL,
  expires_at ${int} NOT NULL,
  max_uses ${int},
  uses ${int} NOT NULL DEFAULT 0
);
`;

// The admin API's audit log (src/admin/audit.ts): who changed what, when, before and after, secrets redacted.
const v9 = (seq: string, int: string) => `
CREATE TABLE audit_log (
  seq ${seq},
  at ${int} NOT NULL,
  actor_client_id TEXT NOT NULL,
  actor_user_id TEXT,
  action TEXT NOT NULL,
  resource TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  before TEXT,
  after TEXT,
  request_id TEXT,
  ip TEXT
);
`;

// RFC 6749 §4.1.3: whether the authorization request named its redirect_uri, so that the
// token request must too. Codes made before this (at most authorization_code_ttl old) count
// as named: the strict reading.
const v10 = `
ALTER TABLE authorization_codes ADD COLUMN redirect_uri_given INTEGER NOT NULL DEFAULT 1;
`;

export const MIGRATIONS: Migration[] = [
  { version: 1, name: 'initial schema', sqlite: v1('INTEGER'), postgres: v1('BIGINT') },
  { version: 2, name: 'signing key activation time', sqlite: v2('INTEGER'), postgres: v2('BIGINT') },
  { version: 3, name: 'disabled clients and users, session cut-off, refresh idle ttl', sqlite: v3('INTEGER'), postgres: v3('BIGINT') },
  { version: 4, name: 'client introspection scope; entities Tessera manages', sqlite: v4, postgres: v4 },
  { version: 5, name: 'refresh successors and grace period; purge indexes', sqlite: v5('INTEGER'), postgres: v5('BIGINT') },
  { version: 6, name: 'lockout time of users and clients', sqlite: v6('INTEGER'), postgres: v6('BIGINT') },
  { version: 7, name: 'authorization codes, browser sessions, consent; OIDC client and user metadata', sqlite: v7('INTEGER'), postgres: v7('BIGINT') },
  { version: 8, name: 'dynamic client registration', sqlite: v8('INTEGER'), postgres: v8('BIGINT') },
  {
    version: 9, name: 'admin API audit log',
    sqlite: v9('INTEGER PRIMARY KEY AUTOINCREMENT', 'INTEGER'), postgres: v9('BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', 'BIGINT'),
  },
  { version: 10, name: 'whether an authorization request named its redirect_uri', sqlite: v10, postgres: v10 },
];

export const MIGRATIONS_TABLE_SQL =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)';
