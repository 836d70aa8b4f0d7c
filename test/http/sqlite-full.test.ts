// SQLite on a full disk (SQLITE_FULL) answers 503 + Retry-After like any store outage, and
// recovers when space is back, without a restart. The disk is "filled" with SQLite's own
// limit, `PRAGMA max_page_count`, set on the server's connection (reached through
// better-sqlite3 in this test only): the error is SQLite's genuine SQLITE_FULL, raised where
// a real full disk raises it, when a write needs a new page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { SECRETS, standardConfig } from './fixtures.js';

describe('SQLite full disk', () => {
  let srv: TestServer;
  let db: Database.Database;

  before(async () => {
    // Record the connections opened while the server starts (the server's own is one).
    const opened = new Set<Database.Database>();
    const pragma = Database.prototype.pragma;
    Database.prototype.pragma = function (this: Database.Database, ...args: Parameters<typeof pragma>) {
      opened.add(this);
      return pragma.apply(this, args);
    } as typeof pragma;
    try {
      srv = await startTestServer('sqlite', standardConfig);
    } finally {
      Database.prototype.pragma = pragma;
    }
    const path = srv.tessera.config.database.slice('sqlite:'.length);
    db = [...opened].find((d) => d.name === path && d.open)!;
    assert.ok(db, 'found the server connection');
  });
  after(async () => { await srv?.close(); });

  const opaque = () => postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('opaque', SECRETS.opaque) });
  const svc = () => postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('svc', SECRETS.svc) });

  it('a write that finds the disk full is a 503 with Retry-After, no token handed out; space back, 200 again', async () => {
    assert.equal((await opaque()).status, 200);
    assert.equal((await svc()).status, 200);
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    // The pages in use still have room for a few rows; the write that needs a new page fails.
    let full: Awaited<ReturnType<typeof opaque>> | undefined;
    const issued: string[] = [];
    for (let i = 0; i < 500 && !full; i++) {
      const r = await opaque();
      if (r.status === 200) issued.push(r.json.access_token);
      else full = r;
    }
    assert.ok(full, 'the disk filled up');
    assert.equal(full.status, 503, full.text);
    assert.equal(full.headers.get('retry-after'), '5');
    assert.equal(full.json.error, 'temporarily_unavailable');
    assert.equal(full.json.access_token, undefined);
    assert.doesNotMatch(full.text, /SQLITE|disk/i);
    assert.equal((await opaque()).status, 503, 'stays full');
    // Reads and a client_credentials JWT (stored nowhere) still work.
    assert.equal((await svc()).status, 200);
    const intro = await postForm(`${srv.url}/oauth2/introspect`, { token: issued.at(-1)! }, { authorization: basic('opaque', SECRETS.opaque) });
    assert.equal(intro.json?.active, true, intro.text);

    db.pragma('max_page_count = 1073741823');
    assert.equal((await opaque()).status, 200, 'recovered without a restart');
    assert.equal((await fetch(`${srv.url}/readyz`)).status, 200);
  });
});
