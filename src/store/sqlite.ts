// SQLite adapter (embedded default). better-sqlite3 is synchronous, so each port method
// runs its statements inside one synchronous transaction: nothing else can interleave in
// this process, and WAL + busy_timeout serialise writers across processes (node:cluster).
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { IssueWrite, NewAccess, Store } from '../core/store.js';
import type { Client, Participant, StoredKey, User } from '../core/types.js';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL } from './migrations.js';
import {
  accessFromRow, accessParams, CLIENT_COLUMNS, familyFromRow, clientFromRow, clientToRow, keyFromRow,
  PARTICIPANT_COLUMNS, participantFromRow, participantToRow, refreshFromRow, refreshParams,
  lockParams, SQL, USER_COLUMNS, userFromRow, userToRow,
} from './rows.js';

type Row = Record<string, unknown>;

const upsertSql = (table: string, cols: readonly string[], key: string, keep: string[]) =>
  `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ` +
  `ON CONFLICT (${key}) DO UPDATE SET ${cols.filter((c) => c !== key && !keep.includes(c)).map((c) => `${c} = excluded.${c}`).join(', ')}`;

export function openSqlite(path: string): Store {
  if (path !== ':memory:') {
    // The database holds secret hashes and encrypted keys: its folder 0700, the file 0600.
    // SQLite gives the -wal and -shm files the database file's permissions, so creating the
    // (empty) file first covers them too. Existing files and folders keep their modes.
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'a', 0o600));
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');

  // Statements are prepared lazily (the tables exist only after migrate()) and cached.
  const cache = new Map<string, Statement>();
  const st = (sql: string): Statement => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const one = (sql: string, ...p: unknown[]) => st(sql).get(...p) as Row | undefined;
  const all = (sql: string, ...p: unknown[]) => st(sql).all(...p) as Row[];
  const run = (sql: string, ...p: unknown[]) => st(sql).run(...p).changes;

  const persist = db.transaction((w: IssueWrite, now: number): boolean => {
    if (w.consumeRefreshHash !== undefined && run(SQL.consumeRefresh, now, w.consumeRefreshHash) !== 1) return false;
    if (w.family) run(SQL.insertFamily, w.family.id, w.family.client_id, w.family.user_id, w.family.created_at);
    if (w.refresh) run(SQL.insertRefresh, ...refreshParams(w.refresh));
    if (w.access) run(SQL.insertAccess, ...accessParams(w.access));
    return true;
  });

  const revokeFamily = db.transaction((familyId: string, at: number) => {
    run(SQL.revokeFamily, at, familyId);
  });

  const revokeAccess = db.transaction((id: string, at: number, record: NewAccess | null) => {
    if (run(SQL.revokeAccess, at, id) === 0 && record && !one('SELECT 1 FROM access_tokens WHERE id = ?', id)) {
      run(SQL.insertAccess, ...accessParams(record, at));
    }
  });

  const revokeClientTokens = db.transaction((clientId: string, at: number) =>
    run(SQL.revokeClientFamilies, at, clientId) + run(SQL.revokeClientAccess, at, clientId));

  const purge = db.transaction((before: number) => {
    const n = run(SQL.purgeRefresh, before) + run(SQL.purgeAccess, before);
    run(SQL.purgeFamilies);
    return n;
  });

  const deleteClient = db.transaction((clientId: string) => {
    run('DELETE FROM refresh_tokens WHERE client_id = ?', clientId);
    run('DELETE FROM access_tokens WHERE client_id = ?', clientId);
    run('DELETE FROM token_families WHERE client_id = ?', clientId);
    return run('DELETE FROM clients WHERE client_id = ?', clientId) > 0;
  });

  const migrate = db.transaction((): number[] => {
    db.exec(MIGRATIONS_TABLE_SQL);
    const done = new Set(all('SELECT version FROM schema_migrations').map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      db.exec(m.sqlite);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version, m.name, Math.floor(Date.now() / 1000),
      );
      applied.push(m.version);
    }
    return applied;
  });

  return {
    kind: 'sqlite',
    clients: {
      get: async (id) => { const r = one('SELECT * FROM clients WHERE client_id = ?', id); return r ? clientFromRow(r) : null; },
      list: async () => all('SELECT * FROM clients ORDER BY client_id').map(clientFromRow),
      upsert: async (c: Client) => { run(upsertSql('clients', CLIENT_COLUMNS, 'client_id', ['created_at']), ...clientToRow(c)); },
      delete: async (id) => deleteClient(id),
      setLock: async (id, until) => run(SQL.setClientLock, ...lockParams(until, id)) > 0,
    },
    users: {
      getById: async (id) => { const r = one('SELECT * FROM users WHERE id = ?', id); return r ? userFromRow(r) : null; },
      getByUsername: async (u) => { const r = one('SELECT * FROM users WHERE username = ?', u); return r ? userFromRow(r) : null; },
      list: async () => all('SELECT * FROM users ORDER BY username').map(userFromRow),
      upsert: async (u: User) => {
        run(upsertSql('users', USER_COLUMNS, 'username', ['id', 'created_at']), ...userToRow(u));
        return userFromRow(one('SELECT * FROM users WHERE username = ?', u.username)!);
      },
      delete: async (u) => run('DELETE FROM users WHERE username = ?', u) > 0,
      setLock: async (u, until) => { const r = one(SQL.setUserLock, ...lockParams(until, u)); return r ? String(r.id) : null; },
    },
    participants: {
      get: async (c) => { const r = one('SELECT * FROM participants WHERE participant_code = ?', c); return r ? participantFromRow(r) : null; },
      list: async () => all('SELECT * FROM participants ORDER BY participant_code').map(participantFromRow),
      upsert: async (p: Participant) => {
        run(upsertSql('participants', PARTICIPANT_COLUMNS, 'participant_code', ['created_at']), ...participantToRow(p));
      },
      delete: async (c) => run('DELETE FROM participants WHERE participant_code = ?', c) > 0,
    },
    keys: {
      list: async () => all('SELECT * FROM signing_keys ORDER BY created_at, kid').map(keyFromRow),
      insert: async (k: StoredKey) => {
        run('INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk_enc, created_at, activates_at, retired_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          k.kid, k.alg, k.public_jwk, k.private_jwk_enc, k.created_at, k.activates_at, k.retired_at);
      },
      retireOthers: async (alg, exceptKid, at) => {
        run('UPDATE signing_keys SET retired_at = ? WHERE alg = ? AND kid <> ? AND retired_at IS NULL', at, alg, exceptKid);
      },
      deleteRetiredBefore: async (before) => run('DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < ?', before),
    },
    tokens: {
      persistIssue: async (w, now) => persist(w, now),
      findRefresh: async (hash) => { const r = one(SQL.findRefresh, hash); return r ? refreshFromRow(r) : null; },
      findAccess: async (id) => { const r = one(SQL.findAccess, id); return r ? accessFromRow(r) : null; },
      findFamily: async (id) => { const r = one(SQL.findFamily, id); return r ? familyFromRow(r) : null; },
      revokeFamily: async (familyId, at) => revokeFamily(familyId, at),
      revokeUserFamilies: async (userId, at) => run(SQL.revokeUserFamilies, at, userId),
      revokeClientTokens: async (clientId, at) => revokeClientTokens(clientId, at),
      revokeAccess: async (id, at, record) => revokeAccess(id, at, record),
      purgeExpired: async (before) => purge(before),
    },
    migrate: async () => migrate(),
    ping: async () => { one('SELECT 1'); },
    close: async () => { db.close(); },
  };
}
