// PostgreSQL driver (shared deployments, several Tessera instances on one database).
// Unlike better-sqlite3, every call is asynchronous and other processes write at the same
// time, so multi-statement writes run in explicit transactions on one pooled client and the
// race guards live in the SQL itself (conditional UPDATEs, ON CONFLICT, an advisory lock).
import pg from 'pg';
import type { PoolClient, QueryResult } from 'pg';
import type { Store } from '../core/store.js';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL } from './migrations.js';
import { type Done, type Row, sqlStore } from './sql-store.js';
import { issueCte, numbered, POSTGRES, type Step, statements } from './sql.js';
import { poolTimeouts } from './timeouts.js';

/** Key of the advisory lock that serialises migrate() across instances ("tessera" in ASCII). */
const MIGRATION_LOCK = 0x74657373657261n;

/** Returned by a transaction body to roll back instead of committing. */
const ROLLBACK = Symbol('rollback');

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

  const q = (c: pg.Pool | PoolClient, sql: string, values: unknown[]): Promise<QueryResult<Row>> => {
    // Unnamed on purpose: a named statement with `SELECT *` fails ("cached plan must not
    // change result type") on every pooled connection once another instance's migration adds
    // a column. Only the issue CTEs, whose columns are explicit, are named.
    return c.query<Row>(numbered(sql), values);
  };

  /** Runs `fn` in one transaction on one pooled client; any throw rolls back. */
  async function tx<T>(fn: (c: PoolClient) => Promise<T | typeof ROLLBACK>): Promise<T | null> {
    const c = await pool.connect();
    let broken: Error | undefined;
    try {
      await c.query('BEGIN');
      const result = await fn(c);
      await c.query(result === ROLLBACK ? 'ROLLBACK' : 'COMMIT');
      return result === ROLLBACK ? null : result;
    } catch (err) {
      // If even ROLLBACK fails the connection is unusable: destroy it rather than pool it.
      await c.query('ROLLBACK').catch((e: Error) => { broken = e; });
      throw err;
    } finally {
      c.release(broken);
    }
  }

  const transaction = (steps: Step[]) =>
    tx(async (c) => {
      const done: Done = { counts: [], rows: [] };
      for (const s of steps) {
        const res = await q(c, s.sql, typeof s.params === 'function' ? s.params(done.rows) : s.params);
        const n = res.rowCount ?? 0;
        if (s.once && n !== 1) return ROLLBACK;
        done.counts.push(n);
        done.rows.push(s.returns ? res.rows : []);
      }
      return done;
    });

  const M = statements(POSTGRES).migrations;
  const migrate = async () =>
    (await tx(async (c) => {
      // Several instances starting together on one database would otherwise race to create
      // the same tables; the lock is released by COMMIT/ROLLBACK.
      await c.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      await c.query(MIGRATIONS_TABLE_SQL);
      const done = new Set((await c.query<Row>(M.applied)).rows.map((r) => Number(r.version)));
      const applied: number[] = [];
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await c.query(m.postgres);
        await c.query(numbered(M.record), [m.version, m.name, Math.floor(Date.now() / 1000)]);
        applied.push(m.version);
      }
      return applied;
    })) ?? [];

  return sqlStore({
    dialect: POSTGRES,
    one: async (sql, p) => (await q(pool, sql, p)).rows[0],
    all: async (sql, p) => (await q(pool, sql, p)).rows,
    run: async (sql, p) => (await q(pool, sql, p)).rowCount ?? 0,
    transaction,
    // One round trip (sql.ts issueCte).
    issue: async (w, now) => {
      const cte = issueCte(w, now);
      if (!cte) return true;
      const res = await pool.query<Row>({ name: cte.name, text: numbered(cte.text), values: cte.values });
      return Number(res.rows[0]?.ok) === 1;
    },
    migrate,
    close: () => pool.end(),
  });
}
