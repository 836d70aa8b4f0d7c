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

export const MIGRATIONS: Migration[] = [
  { version: 1, name: 'initial schema', sqlite: v1('INTEGER'), postgres: v1('BIGINT') },
  { version: 2, name: 'signing key activation time', sqlite: v2('INTEGER'), postgres: v2('BIGINT') },
];

export const MIGRATIONS_TABLE_SQL =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)';
