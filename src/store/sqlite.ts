// SQLite driver (embedded default). better-sqlite3 is synchronous, so each transaction runs
// its statements inside one synchronous transaction: nothing else can interleave in this
// process, and WAL + busy_timeout serialise writers across processes (node:cluster).
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { Store } from '../core/store.js';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL } from './migrations.js';
import { type Done, type Row, sqlStore } from './sql-store.js';
import { issueSteps, SQLITE, type Step, statements } from './sql.js';

/** Thrown inside a better-sqlite3 transaction to roll it back (a `once` step missed). */
class Missed extends Error {}

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
  const run = (sql: string, p: unknown[]) => st(sql).run(...p).changes;

  const steps = db.transaction((list: Step[]): Done => {
    const done: Done = { counts: [], rows: [] };
    for (const s of list) {
      const params = typeof s.params === 'function' ? s.params(done.rows) : s.params;
      const rows = s.returns ? (st(s.sql).all(...params) as Row[]) : [];
      const n = s.returns ? rows.length : run(s.sql, params);
      if (s.once && n !== 1) throw new Missed();
      done.counts.push(n);
      done.rows.push(rows);
    }
    return done;
  });
  const transaction = (list: Step[]): Done | null => {
    try {
      return steps(list);
    } catch (e) {
      if (e instanceof Missed) return null;
      throw e;
    }
  };

  const M = statements(SQLITE).migrations;
  const migrate = db.transaction((): number[] => {
    db.exec(MIGRATIONS_TABLE_SQL);
    const done = new Set((st(M.applied).all() as Row[]).map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      db.exec(m.sqlite);
      db.prepare(M.record).run(m.version, m.name, Math.floor(Date.now() / 1000));
      applied.push(m.version);
    }
    return applied;
  });

  return sqlStore({
    dialect: SQLITE,
    one: async (sql, p) => st(sql).get(...p) as Row | undefined,
    all: async (sql, p) => st(sql).all(...p) as Row[],
    run: async (sql, p) => run(sql, p),
    transaction: async (list) => transaction(list),
    issue: async (w, now) => {
      const list = issueSteps(w, now);
      return list.length === 0 || transaction(list) !== null;
    },
    migrate: async () => migrate(),
    close: async () => { db.close(); },
  });
}
