// Which store errors are an outage (503, retry) and which are bugs (500): real errors from
// both drivers where the machine can produce them, the documented codes otherwise.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { storeUnavailable } from '../../src/store/unavailable.js';

const err = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('storeUnavailable', () => {
  it('PostgreSQL: nothing listening (a real ECONNREFUSED from pg)', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const c = new pg.Client({ connectionString: `postgres://u@127.0.0.1:${port}/db` });
    const e = await c.connect().then(() => undefined, (x: unknown) => x);
    assert.match(storeUnavailable(e) ?? '', /^ECONNREFUSED/);
  });

  it('PostgreSQL: connection and server-state SQLSTATEs, driver timeouts, wrapped causes', () => {
    for (const code of ['08006', '08001', '57P01', '57P03', '53300', '53100', '57014', '25006', '58030', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN']) {
      assert.ok(storeUnavailable(err(code)), code);
    }
    assert.ok(storeUnavailable(new Error('Connection terminated unexpectedly')));
    assert.ok(storeUnavailable(new Error('timeout exceeded when trying to connect')));
    assert.ok(storeUnavailable(new Error('Query read timeout')));
    assert.ok(storeUnavailable(new Error('Connection terminated due to connection timeout', { cause: new Error('Connection terminated unexpectedly') })));
    assert.ok(storeUnavailable(new AggregateError([err('ECONNREFUSED'), err('ECONNREFUSED')], 'all failed')));
  });

  it('bugs and bad data stay bugs', () => {
    // unique violation, syntax error, undefined column, bad password (a config problem)
    for (const code of ['23505', '42601', '42703', '28P01', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_ERROR', 'SQLITE_CORRUPT']) {
      assert.equal(storeUnavailable(err(code)), undefined, code);
    }
    assert.equal(storeUnavailable(new TypeError('Cannot read properties of undefined')), undefined);
    assert.equal(storeUnavailable(undefined), undefined);
    assert.equal(storeUnavailable('ECONNREFUSED'), undefined);
  });

  it('SQLite: a real SQLITE_FULL, and busy / I/O / cannot-open codes', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x TEXT)');
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    let e: unknown;
    try { db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(100_000)); } catch (x) { e = x; }
    db.close();
    assert.equal((e as { code?: string }).code, 'SQLITE_FULL');
    assert.match(storeUnavailable(e) ?? '', /^SQLITE_FULL: database or disk is full/);
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_READONLY_DBMOVED', 'SQLITE_LOCKED']) {
      assert.ok(storeUnavailable(err(code)), code);
    }
    assert.equal(storeUnavailable(err('SQLITE_FULLX')), undefined);
  });
});
