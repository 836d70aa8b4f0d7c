// The Store port (core/store.ts) over any SQL driver: which statement each method runs and
// how its rows map back. A driver (sqlite.ts, postgres.ts) only says how a statement, a
// transaction and a migration run on its database.
import type { IssueWrite, Store } from '../core/store.js';
import {
  accessFromRow, accessParams, auditFromRow, auditParams, clientFromRow, clientToRow, codeFromRow, codeParams, consentFromRow, familyFromRow, sessionFromRow, sessionParams, keyFromRow, participantFromRow,
  participantToRow, refreshFromRow, registrationTokenFromRow, userFromRow, userToRow,
} from './rows.js';
import { type Dialect, deleteClientSteps, forgetSuccessorsStep, lockParams, purgeSteps, type Row, type Step, statements } from './sql.js';

export type { Row };

/** What a transaction did: the rows each step changed, and the rows the `returns` steps gave. */
export interface Done {
  counts: number[];
  rows: Row[][];
}

export interface Driver {
  readonly dialect: Dialect;
  one(sql: string, params: unknown[]): Promise<Row | undefined>;
  all(sql: string, params: unknown[]): Promise<Row[]>;
  /** Runs one statement; the number of rows it changed. */
  run(sql: string, params: unknown[]): Promise<number>;
  /**
   * Runs the steps in order in one transaction; null (and nothing written) when a `once`
   * step did not change exactly one row. Any throw rolls back.
   */
  transaction(steps: Step[]): Promise<Done | null>;
  /** Everything one token response writes, atomically (sql.ts issueSteps / issueCte). */
  issue(write: IssueWrite, now: number): Promise<boolean>;
  /** Apply pending migrations (migrations.ts), serialised against other instances. */
  migrate(): Promise<number[]>;
  close(): Promise<void>;
}

export function sqlStore(d: Driver): Store {
  const S = statements(d.dialect);
  const T = S.tokens;
  const map = <T>(from: (r: Row) => T) => (r: Row | undefined): T | null => (r ? from(r) : null);
  const sum = (done: Done | null, first = 0, last = Infinity) =>
    (done?.counts ?? []).slice(first, last).reduce((a, b) => a + b, 0);
  return {
    kind: d.dialect.name,
    clients: {
      get: async (id) => map(clientFromRow)(await d.one(S.clients.get, [id])),
      list: async () => (await d.all(S.clients.list, [])).map(clientFromRow),
      upsert: async (c) => { await d.run(S.clients.upsert, clientToRow(c)); },
      create: async (c) => (await d.run(S.clients.create, clientToRow(c))) > 0,
      delete: async (id) => ((await d.transaction(deleteClientSteps(id)))?.counts.at(-1) ?? 0) > 0,
      setLock: async (id, until) => (await d.run(S.clients.setLock, lockParams(until, id))) > 0,
      touch: async (id, at) => { await d.run(S.clients.touch, [at, id]); },
      expiredRegistrations: async (idleBefore, expiredBefore, limit) =>
        (await d.all(S.clients.expiredRegistrations, [idleBefore, expiredBefore, limit])).map((r) => String(r.client_id)),
    },
    registrationTokens: {
      insert: async (t) => { await d.run(S.registrationTokens.insert, [t.id, t.hash, t.created_at, t.expires_at, t.max_uses]); },
      list: async () => (await d.all(S.registrationTokens.list, [])).map(registrationTokenFromRow),
      delete: async (id) => (await d.run(S.registrationTokens.delete, [id])) > 0,
      find: async (hash, now) => map(registrationTokenFromRow)(await d.one(S.registrationTokens.find, [hash, now])),
      consume: async (hash, now) => (await d.run(S.registrationTokens.consume, [hash, now])) === 1,
      purge: (before, limit) => d.run(S.registrationTokens.purge, [before, limit]),
    },
    users: {
      getById: async (id) => map(userFromRow)(await d.one(S.users.getById, [id])),
      getByUsername: async (u) => map(userFromRow)(await d.one(S.users.getByUsername, [u])),
      list: async () => (await d.all(S.users.list, [])).map(userFromRow),
      upsert: async (u) => userFromRow((await d.one(S.users.upsert, userToRow(u)))!),
      delete: async (u) => (await d.run(S.users.delete, [u])) > 0,
      setLock: async (u, until) => { const r = await d.one(S.users.setLock, lockParams(until, u)); return r ? String(r.id) : null; },
    },
    participants: {
      get: async (code) => map(participantFromRow)(await d.one(S.participants.get, [code])),
      list: async () => (await d.all(S.participants.list, [])).map(participantFromRow),
      upsert: async (p) => { await d.run(S.participants.upsert, participantToRow(p)); },
      delete: async (code) => (await d.run(S.participants.delete, [code])) > 0,
    },
    keys: {
      list: async () => (await d.all(S.keys.list, [])).map(keyFromRow),
      insert: async (k) => {
        await d.run(S.keys.insert, [k.kid, k.alg, k.public_jwk, k.private_jwk_enc, k.created_at, k.activates_at, k.retired_at]);
      },
      retireOthers: async (alg, exceptKid, at) => { await d.run(S.keys.retireOthers, [at, alg, exceptKid]); },
      retire: async (kid, at) => (await d.run(S.keys.retire, [at, at, kid])) > 0,
      deleteRetiredBefore: (before) => d.run(S.keys.deleteRetiredBefore, [before]),
    },
    tokens: {
      persistIssue: (w, now) => d.issue(w, now),
      findRefresh: async (hash) => map(refreshFromRow)(await d.one(T.findRefresh, [hash])),
      findAccess: async (id) => map(accessFromRow)(await d.one(T.findAccess, [id])),
      findFamily: async (id) => map(familyFromRow)(await d.one(T.findFamily, [id])),
      // One UPDATE: findRefresh/findAccess join the family, so its tokens read as revoked.
      revokeFamily: async (familyId, at) => { await d.run(T.revokeFamily, [at, familyId]); },
      listUserFamilies: async (userId, now) => (await d.all(T.listUserFamilies, [userId, now, now])).map(familyFromRow),
      revokeUserFamilies: (userId, at) => d.run(T.revokeUserFamilies, [at, userId]),
      revokeSessionFamilies: (sid, at) => d.run(T.revokeSessionFamilies, [at, sid]),
      revokeUserClientFamilies: (userId, clientId, at) => d.run(T.revokeUserClientFamilies, [at, userId, clientId]),
      revokeClientTokens: async (clientId, at) => sum(await d.transaction([
        { sql: T.revokeClientFamilies, params: [at, clientId] },
        { sql: T.revokeClientAccess, params: [at, clientId] },
      ])),
      revokeAccess: async (id, at, record) => {
        if (record) await d.run(T.revokeOrInsertAccess, accessParams(record, at));
        else await d.run(T.revokeAccess, [at, id]);
      },
      forgetSuccessors: async (before, limit) => sum(await d.transaction([forgetSuccessorsStep(d.dialect, before, limit)])),
      // Tokens only: the families emptied with them are not counted.
      purgeExpired: async (before, limit) => sum(await d.transaction(purgeSteps(d.dialect, before, limit)), 0, 2),
    },
    codes: {
      insert: async (c) => { await d.run(S.codes.insert, codeParams(c)); },
      find: async (hash) => map(codeFromRow)(await d.one(S.codes.find, [hash])),
      purge: (before, limit) => d.run(S.codes.purge, [before, limit]),
    },
    sessions: {
      create: async (s) => { await d.run(S.sessions.insert, sessionParams(s)); },
      get: async (idHash, now) => map(sessionFromRow)(await d.one(S.sessions.get, [idHash, now])),
      getBySid: async (sid) => map(sessionFromRow)(await d.one(S.sessions.getBySid, [sid])),
      end: async (sid, at) => (await d.run(S.sessions.end, [at, sid])) > 0,
      endForUser: (userId, at) => d.run(S.sessions.endForUser, [at, userId]),
      listForUser: async (userId, now) => (await d.all(S.sessions.listForUser, [userId, now])).map(sessionFromRow),
      purge: (before, limit) => d.run(S.sessions.purge, [before, before, limit]),
    },
    consents: {
      get: async (u, c) => map(consentFromRow)(await d.one(S.consents.get, [u, c])),
      grant: async (u, c, scope, at) => {
        // Scopes add up: allowing `email` later keeps `profile` allowed before.
        const before = await d.one(S.consents.get, [u, c]);
        const merged = [...new Set([...(before ? String(before.scope).split(' ') : []), ...scope.split(' ')].filter(Boolean))].join(' ');
        await d.run(S.consents.upsert, [u, c, merged, before ? Number(before.created_at) : at, at]);
        return { user_id: u, client_id: c, scope: merged, created_at: before ? Number(before.created_at) : at, updated_at: at };
      },
      revoke: async (u, c) => (await d.run(S.consents.delete, [u, c])) > 0,
      listForUser: async (u) => (await d.all(S.consents.listForUser, [u])).map(consentFromRow),
    },
    audit: {
      append: async (e) => { await d.run(S.audit.append, auditParams(e)); },
      // No cursor: every entry (seq is never above MAX_SAFE_INTEGER).
      list: async (limit, before = Number.MAX_SAFE_INTEGER) => (await d.all(S.audit.list, [before, limit])).map(auditFromRow),
    },
    migrate: () => d.migrate(),
    ping: async () => { await d.one('SELECT 1', []); },
    close: () => d.close(),
  };
}
