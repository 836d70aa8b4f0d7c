// Every SQL statement of the store, written once for SQLite and PostgreSQL with `?`
// placeholders. The adapters (sqlite.ts, postgres.ts) only run them: how a statement
// executes, how a transaction runs, `?` → `$n`. Where the databases differ the difference
// is a named field of `Dialect`, not a second copy of the statement.
import type { Consume, ConsumableKind, IssueWrite } from '../core/store.js';
import {
  ACCESS_COLUMNS, accessParams, AUDIT_COLUMNS, CLIENT_COLUMNS, CODE_COLUMNS, SESSION_COLUMNS, type ColumnType, FAMILY_COLUMNS, familyParams, PARTICIPANT_COLUMNS,
  REFRESH_COLUMNS, refreshParams, USER_COLUMNS, USER_READ_COLUMNS,
} from './rows.js';

export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** ORDER BY in byte order whatever the database's locale (SQLite's BINARY already is). */
  byteOrder(column: string): string;
  /**
   * A WHERE clause matching at most `?` rows of `table` that satisfy `cond`, by physical row
   * id, so a DELETE or UPDATE touches a small batch and holds its locks briefly. PostgreSQL:
   * `ctid = ANY(ARRAY(…))` plans as a TID scan (`ctid IN (SELECT …)` may hash-join the table).
   */
  batch(table: string, cond: string): string;
  /** `column` is one of the values of one parameter, and that parameter's value. */
  inList(column: string): string;
  listParam(values: string[]): unknown;
}

export const SQLITE: Dialect = {
  name: 'sqlite',
  byteOrder: (c) => c,
  batch: (table, cond) => `rowid IN (SELECT rowid FROM ${table} WHERE ${cond} LIMIT ?)`,
  inList: (c) => `${c} IN (SELECT value FROM json_each(?))`,
  listParam: (v) => JSON.stringify(v),
};
export const POSTGRES: Dialect = {
  name: 'postgres',
  byteOrder: (c) => `${c} COLLATE "C"`,
  batch: (table, cond) => `ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE ${cond} LIMIT ?))`,
  inList: (c) => `${c} = ANY(?::text[])`,
  listParam: (v) => v,
};

export type Row = Record<string, unknown>;

/** One statement of a transaction. */
export interface Step {
  sql: string;
  /** Its parameters, or a function of the rows the earlier steps returned (by index). */
  params: unknown[] | ((earlier: Row[][]) => unknown[]);
  /** Roll everything back unless it changed exactly one row. */
  once?: boolean;
  /** It returns rows (RETURNING …) that later steps read. */
  returns?: boolean;
}

type Columns = readonly (readonly [string, ColumnType])[];
const names = (cols: Columns) => cols.map(([c]) => c);
const insert = (table: string, cols: readonly string[]) =>
  `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;

/** Create or replace by `key`; the `keep` columns of an existing row are left as they are. */
const upsert = (table: string, cols: readonly string[], key: string, keep: readonly string[]) =>
  `${insert(table, cols)} ON CONFLICT (${key}) DO UPDATE SET ` +
  cols.filter((c) => c !== key && !keep.includes(c)).map((c) => `${c} = excluded.${c}`).join(', ');

// rows.ts' column lists and *Params helpers line up, so inserts are built from them.
const INSERT_FAMILY = insert('token_families', names(FAMILY_COLUMNS));
const INSERT_REFRESH = insert('refresh_tokens', names(REFRESH_COLUMNS));
const INSERT_ACCESS = insert('access_tokens', names(ACCESS_COLUMNS));

export const TOKEN_SQL = {
  // The user comes in the same query: a rotation needs it, and on PostgreSQL every query
  // is a round trip.
  findRefresh:
    `SELECT r.*, f.revoked_at AS family_revoked_at, f.created_at AS family_created_at, ${USER_READ_COLUMNS.map((c) => `u.${c} AS u_${c}`).join(', ')} ` +
    'FROM refresh_tokens r JOIN token_families f ON f.id = r.family_id LEFT JOIN users u ON u.id = r.user_id WHERE r.hash = ?',
  findAccess:
    'SELECT a.*, f.revoked_at AS family_revoked_at FROM access_tokens a LEFT JOIN token_families f ON f.id = a.family_id WHERE a.id = ?',
  findFamily: 'SELECT * FROM token_families WHERE id = ?',
  listUserFamilies:
    'SELECT f.* FROM token_families f WHERE f.user_id = ? AND f.revoked_at IS NULL AND (' +
    'EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.family_id = f.id AND r.used_at IS NULL AND r.expires_at > ?) OR ' +
    'EXISTS (SELECT 1 FROM access_tokens a WHERE a.family_id = f.id AND a.revoked_at IS NULL AND a.expires_at > ?)) ' +
    'ORDER BY f.created_at DESC, f.id',
  insertFamily: INSERT_FAMILY,
  insertRefresh: INSERT_REFRESH,
  insertAccess: INSERT_ACCESS,
  revokeFamily: 'UPDATE token_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
  revokeUserFamilies: 'UPDATE token_families SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL',
  revokeSessionFamilies: 'UPDATE token_families SET revoked_at = ? WHERE sid = ? AND revoked_at IS NULL',
  // Through the user index (token_families_user): a user has few families.
  revokeUserClientFamilies: 'UPDATE token_families SET revoked_at = ? WHERE user_id = ? AND client_id = ? AND revoked_at IS NULL',
  revokeClientFamilies: 'UPDATE token_families SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL',
  revokeClientAccess: 'UPDATE access_tokens SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL',
  revokeAccess: 'UPDATE access_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
  // One statement, so a concurrent revoke or insert of the same id cannot slip in between an
  // UPDATE and an INSERT; an existing row keeps its fields and its first revocation time.
  revokeOrInsertAccess:
    `${INSERT_ACCESS} ON CONFLICT (id) DO UPDATE SET revoked_at = excluded.revoked_at WHERE access_tokens.revoked_at IS NULL`,
} as const;

/**
 * The purge, in batches (one short transaction each): expired rows of each token table,
 * then the families whose last token just went. Revoked families and rotated refresh tokens
 * stay until they expire: reuse is still detected and introspection still says inactive.
 */
function purgeStatements(d: Dialect) {
  const expired = (table: string) => `DELETE FROM ${table} WHERE ${d.batch(table, 'expires_at < ?')} RETURNING family_id`;
  return {
    refresh: expired('refresh_tokens'),
    access: expired('access_tokens'),
    // Only the families of rows just deleted: never a scan of every live family.
    families: `DELETE FROM token_families WHERE ${d.inList('id')} ` +
      'AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.family_id = token_families.id) ' +
      'AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.family_id = token_families.id)',
    successors: `UPDATE refresh_tokens SET successor_enc = NULL, successor_until = NULL WHERE ${d.batch('refresh_tokens', 'successor_until < ?')}`,
  };
}

/** One batch of the purge: at most `limit` rows of each token table, and their emptied families. */
export function purgeSteps(d: Dialect, before: number, limit: number): Step[] {
  const P = purgeStatements(d);
  const families = (earlier: Row[][]) =>
    [d.listParam([...new Set(earlier.flat().map((r) => r.family_id).filter((f): f is string => typeof f === 'string'))])];
  return [
    { sql: P.refresh, params: [before, limit], returns: true },
    { sql: P.access, params: [before, limit], returns: true },
    { sql: P.families, params: families },
  ];
}

/** One batch of clearing grace-period successors whose period ended before `before`. */
export const forgetSuccessorsStep = (d: Dialect, before: number, limit: number): Step =>
  ({ sql: purgeStatements(d).successors, params: [before, limit] });

/**
 * How each kind of one-time credential is consumed: one conditional UPDATE (the race guard),
 * with its parameters typed for issueCte. Nothing else in the store knows the kinds.
 */
const CONSUME: Record<ConsumableKind, (c: Consume, now: number) => { sql: string; args: [unknown, ColumnType][] }> = {
  // RFC 9700 §4.14.2 rotation. The family check is a correlated NOT EXISTS (one primary-key
  // probe): `family_id IN (SELECT … WHERE revoked_at IS NULL)` made SQLite scan every family
  // on every rotation.
  refresh_token: (c, now) => ({
    sql: 'UPDATE refresh_tokens SET used_at = ?, successor_hash = ?, successor_enc = ?, successor_until = ? ' +
      'WHERE hash = ? AND used_at IS NULL AND NOT EXISTS (SELECT 1 FROM token_families f WHERE f.id = refresh_tokens.family_id AND f.revoked_at IS NOT NULL)',
    args: [[now, 'bigint'], [c.successor?.hash ?? null, 'text'], [c.successor?.enc ?? null, 'text'], [c.successor?.until ?? null, 'bigint'], [c.hash, 'text']],
  }),
  // RFC 6749 §4.1.2: a code works once and not after it expires; the family its tokens go
  // into is recorded, so a replay can revoke them.
  authorization_code: (c, now) => ({
    sql: 'UPDATE authorization_codes SET used_at = ?, family_id = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ?',
    args: [[now, 'bigint'], [c.family_id ?? null, 'text'], [c.hash, 'text'], [now, 'bigint']],
  }),
};

/**
 * Writes `locked_until` (lockout): a time never shortens a later one already stored
 * (instances without a shared limit store count apart); NULL (an operator's unlock) always
 * clears. Parameters: lockParams(until, name).
 */
const setLock = (table: string, key: string, returning: string) =>
  `UPDATE ${table} SET locked_until = CASE WHEN CAST(? AS BIGINT) IS NOT NULL AND locked_until > CAST(? AS BIGINT) THEN locked_until ELSE CAST(? AS BIGINT) END WHERE ${key} = ?${returning}`;

export const lockParams = (until: number | null, name: string): unknown[] => [until, until, until, name];

/** The statements whose text depends on the dialect, and the rest, as one table. */
export function statements(d: Dialect) {
  return {
    clients: {
      get: 'SELECT * FROM clients WHERE client_id = ?',
      list: `SELECT * FROM clients ORDER BY ${d.byteOrder('client_id')}`,
      upsert: upsert('clients', CLIENT_COLUMNS, 'client_id', ['created_at']),
      create: `${insert('clients', CLIENT_COLUMNS)} ON CONFLICT (client_id) DO NOTHING`,
      setLock: setLock('clients', 'client_id', ''),
      touch: 'UPDATE clients SET last_used_at = ? WHERE client_id = ?',
      expiredRegistrations: `SELECT client_id FROM clients WHERE managed_by = 'registration' AND (COALESCE(last_used_at, created_at) < ? OR client_secret_expires_at < ?) ORDER BY ${d.byteOrder('client_id')} LIMIT ?`,
    },
    registrationTokens: {
      insert: insert('registration_tokens', ['id', 'hash', 'created_at', 'expires_at', 'max_uses']),
      list: 'SELECT * FROM registration_tokens ORDER BY created_at, id',
      delete: 'DELETE FROM registration_tokens WHERE id = ?',
      find: 'SELECT * FROM registration_tokens WHERE hash = ? AND expires_at > ? AND (max_uses IS NULL OR uses < max_uses)',
      // One statement: two registrations racing for the last use cannot both have it.
      consume: 'UPDATE registration_tokens SET uses = uses + 1 WHERE hash = ? AND expires_at > ? AND (max_uses IS NULL OR uses < max_uses)',
      purge: `DELETE FROM registration_tokens WHERE ${d.batch('registration_tokens', 'expires_at < ?')}`,
    },
    users: {
      getById: 'SELECT * FROM users WHERE id = ?',
      getByUsername: 'SELECT * FROM users WHERE username = ?',
      list: `SELECT * FROM users ORDER BY ${d.byteOrder('username')}`,
      // RETURNING gives the stored row (original id and created_at) in the same statement.
      upsert: `${upsert('users', USER_COLUMNS, 'username', ['id', 'created_at'])} RETURNING *`,
      delete: 'DELETE FROM users WHERE username = ?',
      setLock: setLock('users', 'username', ' RETURNING id'),
    },
    participants: {
      get: 'SELECT * FROM participants WHERE participant_code = ?',
      list: `SELECT * FROM participants ORDER BY ${d.byteOrder('participant_code')}`,
      upsert: upsert('participants', PARTICIPANT_COLUMNS, 'participant_code', ['created_at']),
      delete: 'DELETE FROM participants WHERE participant_code = ?',
    },
    keys: {
      list: `SELECT * FROM signing_keys ORDER BY created_at, ${d.byteOrder('kid')}`,
      insert: insert('signing_keys', ['kid', 'alg', 'public_jwk', 'private_jwk_enc', 'created_at', 'activates_at', 'retired_at']),
      retireOthers: 'UPDATE signing_keys SET retired_at = ? WHERE alg = ? AND kid <> ? AND retired_at IS NULL',
      retire: 'UPDATE signing_keys SET retired_at = CASE WHEN retired_at IS NOT NULL AND retired_at < ? THEN retired_at ELSE ? END WHERE kid = ?',
      deleteRetiredBefore: 'DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < ?',
    },
    tokens: TOKEN_SQL,
    codes: {
      insert: insert('authorization_codes', CODE_COLUMNS),
      find: 'SELECT * FROM authorization_codes WHERE hash = ?',
      // Used codes are kept until they expire: a replay within the lifetime is still detected.
      purge: `DELETE FROM authorization_codes WHERE ${d.batch('authorization_codes', 'expires_at < ?')}`,
    },
    sessions: {
      insert: insert('browser_sessions', SESSION_COLUMNS),
      get: 'SELECT * FROM browser_sessions WHERE id_hash = ? AND ended_at IS NULL AND expires_at > ?',
      getBySid: 'SELECT * FROM browser_sessions WHERE sid = ?',
      end: 'UPDATE browser_sessions SET ended_at = ? WHERE sid = ? AND ended_at IS NULL',
      endForUser: 'UPDATE browser_sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL',
      listForUser: 'SELECT * FROM browser_sessions WHERE user_id = ? AND ended_at IS NULL AND expires_at > ? ORDER BY created_at DESC',
      purge: `DELETE FROM browser_sessions WHERE ${d.batch('browser_sessions', 'expires_at < ? OR ended_at < ?')}`,
    },
    consents: {
      get: 'SELECT * FROM consents WHERE user_id = ? AND client_id = ?',
      upsert: 'INSERT INTO consents (user_id, client_id, scope, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (user_id, client_id) DO UPDATE SET scope = excluded.scope, updated_at = excluded.updated_at',
      delete: 'DELETE FROM consents WHERE user_id = ? AND client_id = ?',
      listForUser: `SELECT * FROM consents WHERE user_id = ? ORDER BY ${d.byteOrder('client_id')}`,
    },
    audit: {
      append: insert('audit_log', AUDIT_COLUMNS),
      list: 'SELECT * FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?',
    },
    migrations: {
      applied: 'SELECT version FROM schema_migrations',
      record: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    },
  };
}

export type Statements = ReturnType<typeof statements>;

/** A client and everything issued to it; the last step's count says whether it existed. */
export const deleteClientSteps = (clientId: string): Step[] => [
  // Through the families (indexed by client): refresh tokens have no client index.
  { sql: 'DELETE FROM refresh_tokens WHERE family_id IN (SELECT id FROM token_families WHERE client_id = ?)', params: [clientId] },
  { sql: 'DELETE FROM access_tokens WHERE client_id = ?', params: [clientId] },
  { sql: 'DELETE FROM token_families WHERE client_id = ?', params: [clientId] },
  { sql: 'DELETE FROM authorization_codes WHERE client_id = ?', params: [clientId] },
  { sql: 'DELETE FROM consents WHERE client_id = ?', params: [clientId] },
  { sql: 'DELETE FROM clients WHERE client_id = ?', params: [clientId] },
];

/** Everything one token response writes, as statements of one transaction (SQLite). */
export function issueSteps(w: IssueWrite, now: number): Step[] {
  const steps: Step[] = [];
  if (w.consume) {
    const { sql, args } = CONSUME[w.consume.kind](w.consume, now);
    steps.push({ sql, params: args.map(([v]) => v), once: true });
  }
  if (w.family) steps.push({ sql: INSERT_FAMILY, params: familyParams(w.family) });
  if (w.refresh) steps.push({ sql: INSERT_REFRESH, params: refreshParams(w.refresh) });
  if (w.access) steps.push({ sql: INSERT_ACCESS, params: accessParams(w.access) });
  return steps;
}

/**
 * Everything one token response writes as ONE PostgreSQL statement: data-modifying CTEs run
 * atomically, so this needs one round trip instead of BEGIN/UPDATE/INSERT…/COMMIT. Under
 * READ COMMITTED a second statement consuming the same hash blocks on the row lock taken by
 * the first UPDATE, then re-checks `used_at IS NULL` against the committed row and matches
 * nothing; the inserts are conditioned on the consume, so the loser writes nothing. `name`
 * is the same for every write of one shape: it is run as a named prepared statement.
 * Returns null when there is nothing to write.
 */
export function issueCte(w: IssueWrite, now: number): { name: string; text: string; values: unknown[] } | null {
  const values: unknown[] = [];
  // In `INSERT … SELECT` a parameter's type is not taken from the column: cast explicitly.
  const ph = (v: unknown, type: ColumnType) => { values.push(v); return `?::${type}`; };
  const parts: string[] = [];
  const consume = w.consume !== undefined;
  if (w.consume) {
    const { sql, args } = CONSUME[w.consume.kind](w.consume, now);
    let i = 0;
    parts.push(`consumed AS (${sql.replace(/\?/g, () => ph(...args[i++]!))} RETURNING 1)`);
  }
  const guard = consume ? ' WHERE EXISTS (SELECT 1 FROM consumed)' : '';
  const add = (name: string, table: string, cols: Columns, vals: unknown[]) =>
    parts.push(`${name} AS (INSERT INTO ${table} (${names(cols).join(', ')}) ` +
      `SELECT ${vals.map((v, i) => ph(v, cols[i]![1])).join(', ')}${guard} RETURNING 1)`);
  if (w.family) add('f', 'token_families', FAMILY_COLUMNS, familyParams(w.family));
  if (w.refresh) add('r', 'refresh_tokens', REFRESH_COLUMNS, refreshParams(w.refresh));
  if (w.access) add('a', 'access_tokens', ACCESS_COLUMNS, accessParams(w.access));
  if (parts.length === 0) return null;
  return {
    name: `tessera_issue_${w.consume ? `c_${w.consume.kind}_` : ''}${w.family ? 'f' : ''}${w.refresh ? 'r' : ''}${w.access ? 'a' : ''}`,
    text: `WITH ${parts.join(', ')} SELECT ${consume ? '(SELECT count(*) FROM consumed)' : '1'} AS ok`,
    values,
  };
}

// PostgreSQL wants $1..$n. None of our SQL has a `?` inside a literal, so a plain rewrite is
// safe. Done once per distinct statement.
const numberedCache = new Map<string, string>();
export function numbered(sql: string): string {
  let out = numberedCache.get(sql);
  if (out === undefined) {
    let n = 0;
    numberedCache.set(sql, (out = sql.replace(/\?/g, () => `$${++n}`)));
  }
  return out;
}
