// PostgreSQL adapter (shared deployments, several Tessera instances on one database).
// Unlike better-sqlite3, every call is asynchronous and other processes write at the same
// time, so multi-statement writes run in explicit transactions on one pooled client and the
// race guards live in the SQL itself (conditional UPDATEs, ON CONFLICT, an advisory lock).
import pg from 'pg';
import type { PoolClient, QueryResult } from 'pg';
import type { IssueWrite, Store } from '../core/store.js';
import type { Client, Participant, StoredKey, User } from '../core/types.js';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL } from './migrations.js';
import { poolTimeouts } from './timeouts.js';
import {
  accessFromRow, familyFromRow, accessParams, CLIENT_COLUMNS, clientFromRow, clientToRow, keyFromRow,
  PARTICIPANT_COLUMNS, participantFromRow, participantToRow, refreshFromRow, refreshParams,
  lockParams, SQL, USER_COLUMNS, userFromRow, userToRow,
} from './rows.js';

type Row = Record<string, unknown>;
interface Queryable {
  query(text: string, values?: unknown[]): Promise<QueryResult<Row>>;
}

/** Key of the advisory lock that serialises migrate() across instances ("tessera" in ASCII). */
const MIGRATION_LOCK = 0x74657373657261n;

/** Returned by a transaction body to roll back instead of committing. */
const ROLLBACK = Symbol('rollback');

// Column lists of the rows persistIssue writes, in the order of rows.ts' *Params helpers.
const T = 'text' as const;
const B = 'bigint' as const;
const FAMILY_COLS: [string, typeof T | typeof B][] = [['id', T], ['client_id', T], ['user_id', T], ['created_at', B]];
const REFRESH_COLS: [string, typeof T | typeof B][] = [
  ['hash', T], ['family_id', T], ['client_id', T], ['user_id', T], ['scope', T], ['resource', T], ['expires_at', B], ['created_at', B],
];
const ACCESS_COLS: [string, typeof T | typeof B][] = [
  ['id', T], ['format', T], ['family_id', T], ['client_id', T], ['user_id', T], ['scope', T], ['claims', T],
  ['expires_at', B], ['created_at', B], ['revoked_at', B],
];

// rows.ts writes `?` placeholders (shared with SQLite); pg wants $1..$n. None of our SQL has
// a `?` inside a literal, so a plain rewrite is safe. Done once per distinct statement.
const numbered = new Map<string, string>();
const toPg = (sql: string): string => {
  let out = numbered.get(sql);
  if (out === undefined) {
    let n = 0;
    numbered.set(sql, (out = sql.replace(/\?/g, () => `$${++n}`)));
  }
  return out;
};

const upsertSql = (table: string, cols: readonly string[], key: string, keep: string[]) =>
  `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ` +
  `ON CONFLICT (${key}) DO UPDATE SET ${cols.filter((c) => c !== key && !keep.includes(c)).map((c) => `${c} = excluded.${c}`).join(', ')}`;

const UPSERT_CLIENT = upsertSql('clients', CLIENT_COLUMNS, 'client_id', ['created_at']);
// RETURNING gives the stored row (original id and created_at) without a second round trip.
const UPSERT_USER = `${upsertSql('users', USER_COLUMNS, 'username', ['id', 'created_at'])} RETURNING *`;
const UPSERT_PARTICIPANT = upsertSql('participants', PARTICIPANT_COLUMNS, 'participant_code', ['created_at']);
// One statement, so a concurrent revoke or insert of the same id cannot slip in between an
// UPDATE and an INSERT; an existing row keeps its fields and its first revocation time.
const REVOKE_OR_INSERT_ACCESS =
  `${SQL.insertAccess} ON CONFLICT (id) DO UPDATE SET revoked_at = excluded.revoked_at WHERE access_tokens.revoked_at IS NULL`;

export async function openPostgres(url: string): Promise<Store> {
  // Times are BIGINT epoch seconds; pg returns int8 as strings by default (it may exceed
  // 2^53). Ours never do, so parse them as numbers for this pool only, not globally.
  const types = new pg.TypeOverrides();
  types.setTypeParser(20, 'text', Number);
  // Bounded waits (timeouts.ts): an unreachable database answers 503, never a hang.
  const pool = new pg.Pool({ connectionString: url, max: 10, types, ...poolTimeouts(url) });
  // An idle client losing its connection (server restart, failover) is emitted here; without
  // a listener that would crash the process. The pool drops the client and reconnects lazily.
  pool.on('error', () => {});

  const q = (c: Queryable, sql: string, p: unknown[]) => c.query(toPg(sql), p);
  const one = async (sql: string, ...p: unknown[]): Promise<Row | undefined> => (await q(pool, sql, p)).rows[0];
  const all = async (sql: string, ...p: unknown[]): Promise<Row[]> => (await q(pool, sql, p)).rows;
  const run = async (c: Queryable, sql: string, ...p: unknown[]): Promise<number> => (await q(c, sql, p)).rowCount ?? 0;

  /** Runs `fn` in one transaction on one pooled client; any throw rolls back. */
  async function tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await pool.connect();
    let broken: Error | undefined;
    try {
      await c.query('BEGIN');
      const result = await fn(c);
      await c.query(result === ROLLBACK ? 'ROLLBACK' : 'COMMIT');
      return result;
    } catch (err) {
      // If even ROLLBACK fails the connection is unusable: destroy it rather than pool it.
      await c.query('ROLLBACK').catch((e: Error) => { broken = e; });
      throw err;
    } finally {
      c.release(broken);
    }
  }

  // Everything one token response writes, as ONE statement: data-modifying CTEs run
  // atomically, so this needs one round trip instead of BEGIN/UPDATE/INSERT…/COMMIT.
  // RFC 9700 §4.14.2 rotation: under READ COMMITTED a second statement consuming the same
  // hash blocks on the row lock taken by the first UPDATE, then re-checks `used_at IS NULL`
  // against the committed row and matches nothing; its inserts are conditioned on the
  // consume, so exactly one wins and the loser writes nothing. Each shape of write is a
  // named prepared statement.
  const persistIssue = async (w: IssueWrite, now: number): Promise<boolean> => {
    const values: unknown[] = [];
    // In `INSERT … SELECT` a parameter's type is not taken from the column: cast explicitly.
    const ph = (v: unknown, type: 'text' | 'bigint') => { values.push(v); return `$${values.length}::${type}`; };
    const parts: string[] = [];
    const consume = w.consumeRefreshHash !== undefined;
    if (consume) {
      const args: [unknown, 'text' | 'bigint'][] = [[now, 'bigint'], [w.consumeRefreshHash, 'text']];
      let i = 0;
      parts.push(`consumed AS (${SQL.consumeRefresh.replace(/\?/g, () => ph(...args[i++]!))} RETURNING 1)`);
    }
    const guard = consume ? ' WHERE EXISTS (SELECT 1 FROM consumed)' : '';
    const insert = (name: string, table: string, cols: [string, 'text' | 'bigint'][], vals: unknown[]) =>
      parts.push(`${name} AS (INSERT INTO ${table} (${cols.map(([c]) => c).join(', ')}) ` +
        `SELECT ${vals.map((v, i) => ph(v, cols[i]![1])).join(', ')}${guard} RETURNING 1)`);
    if (w.family) insert('f', 'token_families', FAMILY_COLS, [w.family.id, w.family.client_id, w.family.user_id, w.family.created_at]);
    if (w.refresh) insert('r', 'refresh_tokens', REFRESH_COLS, refreshParams(w.refresh));
    if (w.access) insert('a', 'access_tokens', ACCESS_COLS, accessParams(w.access));
    if (parts.length === 0) return true;
    const text = `WITH ${parts.join(', ')} SELECT ${consume ? '(SELECT count(*) FROM consumed)' : '1'} AS ok`;
    const name = `tessera_issue_${consume ? 'c' : ''}${w.family ? 'f' : ''}${w.refresh ? 'r' : ''}${w.access ? 'a' : ''}`;
    const res = await pool.query<Row>({ name, text, values });
    return Number(res.rows[0]?.ok) === 1;
  };

  const migrate = () =>
    tx(async (c) => {
      // Several instances starting together on one database would otherwise race to create
      // the same tables; the lock is released by COMMIT/ROLLBACK.
      await c.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      await c.query(MIGRATIONS_TABLE_SQL);
      const done = new Set((await c.query<Row>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
      const applied: number[] = [];
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await c.query(m.postgres);
        await run(c, 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
          m.version, m.name, Math.floor(Date.now() / 1000));
        applied.push(m.version);
      }
      return applied;
    });

  return {
    kind: 'postgres',
    clients: {
      get: async (id) => { const r = await one('SELECT * FROM clients WHERE client_id = ?', id); return r ? clientFromRow(r) : null; },
      // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
      list: async () => (await all('SELECT * FROM clients ORDER BY client_id COLLATE "C"')).map(clientFromRow),
      upsert: async (c: Client) => { await run(pool, UPSERT_CLIENT, ...clientToRow(c)); },
      delete: (id) =>
        tx(async (c) => {
          await run(c, 'DELETE FROM refresh_tokens WHERE client_id = ?', id);
          await run(c, 'DELETE FROM access_tokens WHERE client_id = ?', id);
          await run(c, 'DELETE FROM token_families WHERE client_id = ?', id);
          return (await run(c, 'DELETE FROM clients WHERE client_id = ?', id)) > 0;
        }),
      setLock: async (id, until) => (await run(pool, SQL.setClientLock, ...lockParams(until, id))) > 0,
    },
    users: {
      getById: async (id) => { const r = await one('SELECT * FROM users WHERE id = ?', id); return r ? userFromRow(r) : null; },
      getByUsername: async (u) => { const r = await one('SELECT * FROM users WHERE username = ?', u); return r ? userFromRow(r) : null; },
      list: async () => (await all('SELECT * FROM users ORDER BY username COLLATE "C"')).map(userFromRow),
      upsert: async (u: User) => userFromRow((await q(pool, UPSERT_USER, userToRow(u))).rows[0]!),
      delete: async (u) => (await run(pool, 'DELETE FROM users WHERE username = ?', u)) > 0,
      setLock: async (u, until) => { const r = await one(SQL.setUserLock, ...lockParams(until, u)); return r ? String(r.id) : null; },
    },
    participants: {
      get: async (code) => {
        const r = await one('SELECT * FROM participants WHERE participant_code = ?', code);
        return r ? participantFromRow(r) : null;
      },
      list: async () => (await all('SELECT * FROM participants ORDER BY participant_code COLLATE "C"')).map(participantFromRow),
      upsert: async (p: Participant) => { await run(pool, UPSERT_PARTICIPANT, ...participantToRow(p)); },
      delete: async (code) => (await run(pool, 'DELETE FROM participants WHERE participant_code = ?', code)) > 0,
    },
    keys: {
      list: async () => (await all('SELECT * FROM signing_keys ORDER BY created_at, kid COLLATE "C"')).map(keyFromRow),
      insert: async (k: StoredKey) => {
        await run(pool, 'INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk_enc, created_at, activates_at, retired_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          k.kid, k.alg, k.public_jwk, k.private_jwk_enc, k.created_at, k.activates_at, k.retired_at);
      },
      retireOthers: async (alg, exceptKid, at) => {
        await run(pool, 'UPDATE signing_keys SET retired_at = ? WHERE alg = ? AND kid <> ? AND retired_at IS NULL', at, alg, exceptKid);
      },
      deleteRetiredBefore: (before) => run(pool, 'DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < ?', before),
    },
    tokens: {
      persistIssue,
      findRefresh: async (hash) => { const r = await one(SQL.findRefresh, hash); return r ? refreshFromRow(r) : null; },
      findAccess: async (id) => { const r = await one(SQL.findAccess, id); return r ? accessFromRow(r) : null; },
      findFamily: async (id) => { const r = await one(SQL.findFamily, id); return r ? familyFromRow(r) : null; },
      // One UPDATE: findRefresh/findAccess join the family, so its tokens read as revoked.
      revokeFamily: async (familyId, at) => { await run(pool, SQL.revokeFamily, at, familyId); },
      revokeUserFamilies: (userId, at) => run(pool, SQL.revokeUserFamilies, at, userId),
      revokeClientTokens: (clientId, at) =>
        tx(async (c) => (await run(c, SQL.revokeClientFamilies, at, clientId)) + (await run(c, SQL.revokeClientAccess, at, clientId))),
      revokeAccess: async (id, at, record) => {
        if (record) await run(pool, REVOKE_OR_INSERT_ACCESS, ...accessParams(record, at));
        else await run(pool, SQL.revokeAccess, at, id);
      },
      purgeExpired: (before) =>
        tx(async (c) => {
          const n = (await run(c, SQL.purgeRefresh, before)) + (await run(c, SQL.purgeAccess, before));
          await run(c, SQL.purgeFamilies);
          return n;
        }),
    },
    migrate,
    ping: async () => { await pool.query('SELECT 1'); },
    close: () => pool.end(),
  };
}
