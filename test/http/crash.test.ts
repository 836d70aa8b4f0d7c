// kill -9 in the middle of 200 concurrent refresh rotations, then a restart on the same
// database. Refresh rotation commits atomically (RFC 9700 §4.14.2), so whatever the kill
// interrupted: every refresh token a client received (its 200 response was read) and did
// not send again works, exactly once; and no family ends with two live refresh tokens.
// A response the kill cut may be lost: its token is the one live token of its family.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { hashToken, randomToken } from '../../src/core/secrets.js';
import { openStore } from '../../src/store/index.js';
import { spawnServer, writeInstanceConfig } from '../helpers/process.js';
import { basic } from '../helpers/server.js';
import { BACKENDS, makeDatabase, type TestStore } from '../helpers/stores.js';
import { SECRETS, standardConfig } from './fixtures.js';

const FAMILIES = 200;

interface Family { id: string; token: string; pending: boolean; received: number }

/** Live refresh tokens (unused, family not revoked, not expired) per family. */
async function liveTokens(db: TestStore): Promise<Map<string, string[]>> {
  const text = `SELECT r.family_id, r.hash FROM refresh_tokens r JOIN token_families f ON f.id = r.family_id
    WHERE r.used_at IS NULL AND f.revoked_at IS NULL AND r.expires_at > ${Math.floor(Date.now() / 1000)}`;
  let rows: { family_id: string; hash: string }[];
  if (db.name === 'sqlite') {
    const conn = new Database(db.url.slice('sqlite:'.length), { readonly: true });
    try { rows = conn.prepare(text).all() as typeof rows; } finally { conn.close(); }
  } else {
    const conn = new pg.Client({ connectionString: db.url });
    await conn.connect();
    try { rows = (await conn.query(text)).rows; } finally { await conn.end(); }
  }
  const live = new Map<string, string[]>();
  for (const r of rows) live.set(r.family_id, [...(live.get(r.family_id) ?? []), r.hash]);
  return live;
}

const refresh = (url: string, token: string) => fetch(`${url}/oauth2/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('app', SECRETS.app) },
  body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
  signal: AbortSignal.timeout(20_000),
});

for (const backend of BACKENDS) {
  describe(`kill -9 during concurrent refreshes (${backend})`, () => {
    it(`${FAMILIES} families refreshing in a loop; SIGKILL; restart: received tokens work once, one live token per family`, async (t) => {
      const db = await makeDatabase(backend);
      const cfg = writeInstanceConfig({ ...standardConfig, database: db.url });
      let srv = await spawnServer(cfg.path);
      try {
        // The families, written as a password grant would write them (argon2 200 times
        // would only slow the test down; the rotation under test is the same).
        const store = await openStore(db.url);
        const now = Math.floor(Date.now() / 1000);
        const families: Family[] = [];
        for (let i = 0; i < FAMILIES; i++) {
          const f: Family = { id: randomUUID(), token: randomToken(32), pending: false, received: 0 };
          await store.tokens.persistIssue({
            family: { id: f.id, client_id: 'app', user_id: null, created_at: now },
            refresh: { hash: hashToken(f.token), family_id: f.id, client_id: 'app', user_id: null, scope: 'read', resource: null, expires_at: now + 3600, created_at: now },
          }, now);
          families.push(f);
        }
        await store.close();

        let received = 0;
        const refused: string[] = [];
        const url = srv.url;
        // One authenticated request first, so the client's secret is verified (argon2) once,
        // not by the 200 first requests at the same time.
        assert.equal((await refresh(url, 'not-a-token')).status, 400);
        const loops = families.map(async (f) => {
          for (;;) {
            f.pending = true;
            let body: { refresh_token?: string };
            try {
              const res = await refresh(url, f.token);
              body = (await res.json()) as typeof body;
              if (res.status !== 200) { refused.push(`${res.status} ${JSON.stringify(body)}`); f.pending = false; return; }
            } catch {
              return; // the kill: this request's outcome is unknown (pending stays true)
            }
            f.token = body.refresh_token!;
            f.pending = false;
            f.received++;
            received++;
          }
        });
        // Kill once rotations are well under way in every family.
        const t0 = Date.now();
        while (received < FAMILIES * 2 && Date.now() - t0 < 10_000 && refused.length === 0) await new Promise((r) => setTimeout(r, 10));
        srv.child.kill('SIGKILL');
        await srv.exited;
        await Promise.all(loops);
        assert.deepEqual(refused, [], 'no refresh was refused before the kill');
        const pending = families.filter((f) => f.pending).length;
        t.diagnostic(`${backend}: ${received} rotations received before SIGKILL after ${Date.now() - t0} ms; ${pending} requests cut in flight`);
        assert.ok(received >= FAMILIES, `rotations were under way (${received})`);
        assert.ok(pending > 0, 'the kill interrupted requests in flight');

        srv = await spawnServer(cfg.path);
        const live = await liveTokens(db);
        let cutCommitted = 0;
        for (const f of families) {
          const hashes = live.get(f.id) ?? [];
          assert.equal(hashes.length, 1, `family ${f.id} has exactly one live refresh token`);
          if (!f.pending) assert.equal(hashes[0], hashToken(f.token), 'the live token is the one the client received');
          else if (hashes[0] !== hashToken(f.token)) cutCommitted++;
        }
        t.diagnostic(`${backend}: ${cutCommitted} of ${pending} cut requests had committed (their token was never seen)`);
        // Every received token not sent again (or sent, but whose rotation did not commit)
        // works on the restarted server, once.
        const usable = families.filter((f) => live.get(f.id)![0] === hashToken(f.token));
        assert.equal(usable.length, FAMILIES - cutCommitted);
        const first = await Promise.all(usable.map((f) => refresh(srv.url, f.token).then((r) => r.status)));
        assert.deepEqual([...new Set(first)], [200]);
        const second = await Promise.all(usable.slice(0, 20).map((f) => refresh(srv.url, f.token).then(async (r) => `${r.status} ${((await r.json()) as { error: string }).error}`)));
        assert.deepEqual([...new Set(second)], ['400 invalid_grant'], 'and only once');
      } finally {
        await srv.stop();
        await db.cleanup();
        cfg.remove();
      }
    });
  });
}
