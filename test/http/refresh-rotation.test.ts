// Black-box: refresh rotation under concurrency (core/rotation.ts), the same on every store.
// Strict rotation: of 20 concurrent presentations exactly one wins and the family lives on.
// Grace period: all 20 get the same successor, which then works once; the successor is kept
// encrypted, and only for the period.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { hashToken } from '../../src/core/secrets.js';
import { basic, pastRaceWindow, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';

const SECRET = 'rotation-secret-0123456789abcdefghijklmnop';
const PASSWORD = 'rotation-password-1';
const auth = (id: string) => ({ authorization: basic(id, SECRET) });

const config = {
  clients: [
    { client_id: 'strict', client_secret: SECRET, grant_types: ['password', 'refresh_token'], scope: 'read' },
    { client_id: 'grace', client_secret: SECRET, grant_types: ['password', 'refresh_token'], scope: 'read', refresh_token_grace_period: 60 },
    { client_id: 'grace-1s', client_secret: SECRET, grant_types: ['password', 'refresh_token'], scope: 'read', refresh_token_grace_period: 1 },
    // Opaque access tokens: each is a stored row, so distinct rows prove distinct tokens.
    { client_id: 'grace-opaque', client_secret: SECRET, grant_types: ['password', 'refresh_token'], scope: 'read', access_token_format: 'opaque', refresh_token_grace_period: 60 },
  ],
  users: [{ username: 'carol', password: PASSWORD }],
};

/** Every refresh_tokens row as the database holds it, as one string. */
async function rawRefreshRows(database: string): Promise<string> {
  if (database.startsWith('sqlite:')) {
    const db = new Database(database.slice('sqlite:'.length), { readonly: true });
    try { return JSON.stringify(db.prepare('SELECT * FROM refresh_tokens').all()); } finally { db.close(); }
  }
  const c = new pg.Client({ connectionString: database });
  await c.connect();
  try { return JSON.stringify((await c.query('SELECT * FROM refresh_tokens')).rows); } finally { await c.end(); }
}

for (const backend of BACKENDS) {
  describe(`refresh rotation under concurrency (${backend})`, () => {
    let srv: TestServer;
    const token = (client: string, form: Record<string, string>) => postForm(`${srv.url}/oauth2/token`, form, auth(client));
    const signIn = async (client: string): Promise<string> => {
      const r = await token(client, { grant_type: 'password', username: 'carol', password: PASSWORD });
      assert.equal(r.status, 200, r.text);
      return r.json.refresh_token as string;
    };
    const refresh = (client: string, rt: string) => token(client, { grant_type: 'refresh_token', refresh_token: rt });
    const active = async (client: string, accessToken: string) =>
      (await postForm(`${srv.url}/oauth2/introspect`, { token: accessToken }, auth(client))).json.active as boolean;

    before(async () => { srv = await startTestServer(backend, config); });
    after(async () => { await srv.close(); });

    it('strict: 20 concurrent presentations, exactly one 200, the rest invalid_grant; the winner\'s token works on (5 rounds)', async () => {
      for (let round = 0; round < 5; round++) {
        const rt = await signIn('strict');
        const all = await Promise.all(Array.from({ length: 20 }, () => refresh('strict', rt)));
        const won = all.filter((r) => r.status === 200);
        assert.equal(won.length, 1, `round ${round}: ${JSON.stringify(all.map((r) => r.status))}`);
        for (const r of all.filter((x) => x.status !== 200)) {
          assert.equal(r.status, 400);
          assert.equal(r.json.error, 'invalid_grant');
          assert.equal(r.json.error_description, 'refresh token has already been used');
        }
        // A lost race is not reuse: the family is kept.
        assert.equal(await active('strict', won[0]!.json.access_token), true);
        const next = await refresh('strict', won[0]!.json.refresh_token);
        assert.equal(next.status, 200, `round ${round}: ${next.text}`);
      }
    });

    it('grace: 20 concurrent presentations all get the same successor and distinct access tokens; it then works once', async () => {
      const rt = await signIn('grace-opaque');
      const all = await Promise.all(Array.from({ length: 20 }, () => refresh('grace-opaque', rt)));
      assert.deepEqual(all.map((r) => r.status), Array(20).fill(200), JSON.stringify(all.map((r) => r.json)));
      const successors = new Set(all.map((r) => r.json.refresh_token as string));
      assert.equal(successors.size, 1);
      const [successor] = [...successors] as [string];
      assert.notEqual(successor, rt);
      assert.equal(new Set(all.map((r) => r.json.access_token)).size, 20);
      for (const r of all) assert.equal(await active('grace-opaque', r.json.access_token), true);

      const next = await refresh('grace-opaque', successor);
      assert.equal(next.status, 200, next.text);
      assert.notEqual(next.json.refresh_token, successor);
      // The chain moved on: the first token again is reuse, and the family dies.
      const late = await refresh('grace-opaque', rt);
      assert.equal(late.status, 400);
      assert.equal(late.json.error, 'invalid_grant');
      const dead = await refresh('grace-opaque', next.json.refresh_token);
      assert.equal(dead.json.error_description, 'refresh token has been revoked');
      assert.equal(await active('grace-opaque', next.json.access_token), false);
    });

    it('grace: a replay within the period gets the same successor and a fresh access token, stored encrypted', async () => {
      const rt = await signIn('grace');
      const first = await refresh('grace', rt);
      assert.equal(first.status, 200, first.text);
      const again = await refresh('grace', rt);
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.refresh_token, first.json.refresh_token);
      assert.notEqual(again.json.access_token, first.json.access_token);
      assert.equal(await active('grace', again.json.access_token), true);

      // At rest: the successor's hash and an encrypted form, never the token itself.
      const successor = first.json.refresh_token as string;
      const raw = await rawRefreshRows(srv.tessera.config.database);
      assert.ok(raw.includes(hashToken(successor)), 'successor hash recorded');
      assert.ok(!raw.includes(successor), 'the successor token does not appear in any row');
      assert.match(raw, /"successor_enc":"v1\./);
      // Cleared once the period is over (the purge timer does this every minute).
      const now = Math.floor(Date.now() / 1000);
      assert.ok(await srv.tessera.store.tokens.forgetSuccessors(now + 61, 1000) >= 1);
      assert.doesNotMatch(await rawRefreshRows(srv.tessera.config.database), /"successor_enc":"v1\./);
    });

    // Both wait out the race window (2-3 s): side by side. (Not beside the tests above:
    // forgetSuccessors clears every expired successor in the store.)
    describe('after the windows', { concurrency: true }, () => {
      it('grace: a replay after the period (and the race window) revokes the family', async () => {
        const rt = await signIn('grace-1s');
        const first = await refresh('grace-1s', rt);
        assert.equal(first.status, 200, first.text);
        await pastRaceWindow();
        const late = await refresh('grace-1s', rt);
        assert.equal(late.status, 400);
        assert.equal(late.json.error, 'invalid_grant');
        const dead = await refresh('grace-1s', first.json.refresh_token);
        assert.equal(dead.status, 400);
        assert.equal(dead.json.error_description, 'refresh token has been revoked');
        assert.equal(await active('grace-1s', first.json.access_token), false);
      });

      it('strict: a replay after the race window revokes the family', async () => {
        const rt = await signIn('strict');
        const first = await refresh('strict', rt);
        assert.equal(first.status, 200, first.text);
        // Within the window: refused, family kept.
        const early = await refresh('strict', rt);
        assert.equal(early.json.error, 'invalid_grant');
        assert.equal(await active('strict', first.json.access_token), true);
        await pastRaceWindow();
        const late = await refresh('strict', rt);
        assert.equal(late.json.error, 'invalid_grant');
        assert.equal(await active('strict', first.json.access_token), false);
        assert.equal((await refresh('strict', first.json.refresh_token)).json.error_description, 'refresh token has been revoked');
      });
    });
  });
}
