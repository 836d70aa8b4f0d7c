// Several Tessera instances on one PostgreSQL database, each its own `tessera serve`
// process, as behind a load balancer: they start together on a new database, share every
// token and revocation at once, publish one JWKS and follow a key rotation, see a client
// change within client_cache_ttl, and let exactly one of a refresh race win.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import pg from 'pg';
import { hashToken } from '../../src/core/secrets.js';
import { ok as cli } from '../helpers/cli.js';
import { pgUrl } from '../helpers/pg.js';
import { spawnServer, writeInstanceConfig, type ServerProcess } from '../helpers/process.js';
import { basic, postForm } from '../helpers/server.js';
import { makeDatabase, type TestStore } from '../helpers/stores.js';
import { PASSWORDS, SECRETS, standardConfig } from './fixtures.js';
import { MIGRATIONS } from '../../src/store/migrations.js';

const CLIENT_CACHE_TTL = 1;
const GATEWAY_SECRET = 'gateway-secret-0123456789abcdefghijklmnop';
/** Each client's secret; `gateway` may introspect any client's token (RFC 7662 §4). */
const SECRET: Record<string, string> = { ...SECRETS, rsa: SECRETS.svc, gateway: GATEWAY_SECRET };
const gateway = { client_id: 'gateway', client_secret: GATEWAY_SECRET, grant_types: ['client_credentials'], introspect: 'all' };
const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;

describe('several instances on one PostgreSQL', { skip: pgUrl ? false : 'TESSERA_TEST_DATABASE_URL is not set' }, () => {
  let db: TestStore;
  let cfg: ReturnType<typeof writeInstanceConfig>;
  let all: ServerProcess[] = [];
  let a: ServerProcess;
  let b: ServerProcess;
  let c: ServerProcess;
  let startMs = 0;

  const token = (srv: ServerProcess, client: string, form: Record<string, string>) =>
    postForm(`${srv.url}/oauth2/token`, form, { authorization: basic(client, SECRET[client]!) });
  const introspect = async (srv: ServerProcess, client: string, tok: string) => {
    const r = await postForm(`${srv.url}/oauth2/introspect`, { token: tok }, { authorization: basic(client, SECRET[client]!) });
    assert.equal(r.status, 200, r.text);
    return r.json as { active: boolean; client_id?: string };
  };
  const jwks = async (srv: ServerProcess) =>
    ((await (await fetch(`${srv.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort();
  const sql = async (text: string): Promise<Record<string, unknown>[]> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try { return (await client.query(text)).rows; } finally { await client.end(); }
  };

  before(async () => {
    db = await makeDatabase('postgres');
    cfg = writeInstanceConfig({ ...standardConfig, clients: [...standardConfig.clients, gateway], database: db.url, client_cache_ttl: CLIENT_CACHE_TTL });
    // Three processes at once on the new, empty database.
    const t0 = Date.now();
    const started = await Promise.allSettled([spawnServer(cfg.path), spawnServer(cfg.path), spawnServer(cfg.path)]);
    startMs = Date.now() - t0;
    all = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    [a, b, c] = all as [ServerProcess, ServerProcess, ServerProcess];
  });
  after(async () => {
    await Promise.all(all.map((p) => p.stop()));
    for (const p of all) assert.doesNotMatch(p.output(), /"level":50/, 'no instance logged an error');
    await db?.cleanup();
    cfg?.remove();
  });

  it('three instances starting together on a new database migrate it once and all become ready', async (t) => {
    t.diagnostic(`3 processes ready in ${startMs} ms`);
    const rows = await sql('SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version');
    assert.deepEqual(rows.map((r) => [r.version, r.n]), MIGRATIONS.map((m) => [m.version, 1]));
    for (const p of all) assert.equal((await fetch(`${p.url}/readyz`)).status, 200);
    assert.equal(new Set(all.map((p) => p.pid)).size, 3);
  });

  it('publish the same JWKS', async (t) => {
    // Instances racing on an empty database may each create a first key; they converge on
    // the stored one with the reload that follows a first key (core/keys.ts), in seconds.
    const t0 = Date.now();
    for (;;) {
      const sets = await Promise.all(all.map(jwks));
      if (sets.every((s) => JSON.stringify(s) === JSON.stringify(sets[0])) && sets[0]!.length > 0) break;
      assert.ok(Date.now() - t0 < 5000, `JWKS differ after 5 s: ${JSON.stringify(sets)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    t.diagnostic(`JWKS identical on all instances after ${Date.now() - t0} ms`);
    // And they sign with the same key.
    const kids = new Set<string | undefined>();
    for (const p of all) kids.add(kidOf((await token(p, 'svc', { grant_type: 'client_credentials' })).json.access_token));
    assert.equal(kids.size, 1, `one signing key: ${[...kids].join(', ')}`);
  });

  it('a token issued by one instance (opaque and JWT, access and refresh) introspects active on the others', async () => {
    const jwtCc = await token(a, 'svc', { grant_type: 'client_credentials' });
    const opaqueCc = await token(a, 'opaque', { grant_type: 'client_credentials' });
    const jwtPw = await token(a, 'app', { grant_type: 'password', username: 'alice', password: PASSWORDS.alice });
    const opaquePw = await token(a, 'opaque', { grant_type: 'password', username: 'bob', password: PASSWORDS.bob });
    for (const r of [jwtCc, opaqueCc, jwtPw, opaquePw]) assert.equal(r.status, 200, r.text);
    for (const srv of [b, c]) {
      assert.equal((await introspect(srv, 'svc', jwtCc.json.access_token)).active, true);
      assert.equal((await introspect(srv, 'opaque', opaqueCc.json.access_token)).active, true);
      assert.equal((await introspect(srv, 'app', jwtPw.json.access_token)).active, true);
      assert.equal((await introspect(srv, 'app', jwtPw.json.refresh_token)).active, true);
      assert.equal((await introspect(srv, 'opaque', opaquePw.json.access_token)).active, true);
      assert.equal((await introspect(srv, 'opaque', opaquePw.json.refresh_token)).active, true);
    }
    // A refresh token from A is redeemed on B.
    const rotated = await token(b, 'app', { grant_type: 'refresh_token', refresh_token: jwtPw.json.refresh_token });
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal((await introspect(c, 'app', rotated.json.access_token)).active, true);
  });

  it('a revocation on one instance is seen on every other at once: opaque tokens, refresh tokens, and the family\'s JWTs', async () => {
    const opaqueCc = await token(a, 'opaque', { grant_type: 'client_credentials' });
    const pw = await token(a, 'app', { grant_type: 'password', username: 'alice', password: PASSWORDS.alice });
    const pw2 = await token(b, 'app', { grant_type: 'refresh_token', refresh_token: pw.json.refresh_token });
    assert.equal(pw2.status, 200, pw2.text);
    for (const srv of [b, c]) assert.equal((await introspect(srv, 'app', pw.json.access_token)).active, true);

    const r1 = await postForm(`${a.url}/oauth2/revoke`, { token: opaqueCc.json.access_token }, { authorization: basic('opaque', SECRETS.opaque) });
    assert.equal(r1.status, 200);
    const r2 = await postForm(`${a.url}/oauth2/revoke`, { token: pw2.json.refresh_token }, { authorization: basic('app', SECRETS.app) });
    assert.equal(r2.status, 200);
    // No wait: the very next request on another instance.
    for (const srv of [b, c]) {
      assert.equal((await introspect(srv, 'opaque', opaqueCc.json.access_token)).active, false);
      assert.equal((await introspect(srv, 'app', pw2.json.refresh_token)).active, false);
      // Both JWTs of the family, the one from before the rotation and the one after.
      assert.equal((await introspect(srv, 'app', pw.json.access_token)).active, false);
      assert.equal((await introspect(srv, 'app', pw2.json.access_token)).active, false);
    }
    const again = await token(c, 'app', { grant_type: 'refresh_token', refresh_token: pw2.json.refresh_token });
    assert.equal(again.status, 400);
    assert.equal(again.json.error, 'invalid_grant');
  });

  it('a refresh race across instances: the same refresh token sent 20 times at once, split over them, has one winner', async () => {
    const pw = await token(a, 'app', { grant_type: 'password', username: 'alice', password: PASSWORDS.alice });
    assert.equal(pw.status, 200, pw.text);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      token(all[i % 3]!, 'app', { grant_type: 'refresh_token', refresh_token: pw.json.refresh_token })));
    const wins = results.filter((r) => r.status === 200);
    assert.equal(wins.length, 1, results.map((r) => r.status).join(' '));
    for (const r of results.filter((x) => x.status !== 200)) {
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error, 'invalid_grant');
    }
    // One rotation in the store: the presented token (used) and the winner's; the losers
    // wrote nothing (their reuse revoked the family, RFC 9700 §4.14.2).
    const rows = await sql(`SELECT (used_at IS NOT NULL) AS used FROM refresh_tokens
      WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE hash = '${hashToken(wins[0]!.json.refresh_token)}')`);
    assert.deepEqual(rows.map((r) => r.used).sort(), [false, true]);
  });

  it('a client disabled with the CLI is refused by every instance within client_cache_ttl', async (t) => {
    const poster = { grant_type: 'client_credentials', client_id: 'poster', client_secret: SECRETS.poster };
    const before = await postForm(`${b.url}/oauth2/token`, poster);
    assert.equal(before.status, 200, before.text);
    for (const srv of all) assert.equal((await introspect(srv, 'gateway', before.json.access_token)).active, true);
    // Every instance is asked continuously (keeping its cache warm), and the database is
    // watched for the moment the CLI's write is visible: propagation is counted from there.
    let committedAt = 0;
    let done = false;
    const watch = (async () => {
      while (!done && committedAt === 0) {
        if ((await sql("SELECT disabled FROM clients WHERE client_id = 'poster'"))[0]!.disabled === 1) committedAt = Date.now();
        else await new Promise((res) => setTimeout(res, 10));
      }
    })();
    const refusedAt = Promise.all(all.map(async (srv) => {
      for (;;) {
        const r = await postForm(`${srv.url}/oauth2/token`, poster);
        if (r.status === 401) { assert.equal(r.json.error, 'invalid_client'); return Date.now(); }
        assert.equal(r.status, 200, r.text);
        assert.ok(committedAt === 0 || Date.now() - committedAt < CLIENT_CACHE_TTL * 1000 + 500, 'refused within client_cache_ttl');
        await new Promise((res) => setTimeout(res, 20));
      }
    }));
    await cli(['client', 'disable', 'poster', '--config', cfg.path]);
    const seen = await refusedAt;
    done = true;
    await watch;
    assert.ok(committedAt > 0);
    const lags = seen.map((at) => Math.max(0, at - committedAt));
    for (const lag of lags) assert.ok(lag <= CLIENT_CACHE_TTL * 1000 + 500, `${lag} ms`);
    t.diagnostic(`client disable seen by the 3 instances ${lags.join(', ')} ms after it was committed (client_cache_ttl ${CLIENT_CACHE_TTL} s)`);
    // Its JWT issued before the change reads inactive everywhere.
    for (const srv of all) assert.equal((await introspect(srv, 'gateway', before.json.access_token)).active, false);
  });

  it('keys rotated with the CLI: a first key signs at once on every instance; a rotation publishes ahead and no instance signs early', async () => {
    // No RS256 key yet (the instances made only the ES256 one): the CLI's is the first.
    const first = JSON.parse(await cli(['keys', 'rotate', '--alg', 'RS256', '--json', '--config', cfg.path])) as { kid: string; status: string };
    assert.equal(first.status, 'current');
    const rsa = await Promise.all(all.map((p) => token(p, 'rsa', { grant_type: 'client_credentials' })));
    for (const r of rsa) assert.equal(kidOf(r.json.access_token), first.kid);
    for (const p of all) assert.ok((await jwks(p)).includes(first.kid));
    // Each verifies the others' tokens.
    for (const [i, r] of rsa.entries()) assert.equal((await introspect(all[(i + 1) % 3]!, 'rsa', r.json.access_token)).active, true);

    const es = kidOf((await token(a, 'svc', { grant_type: 'client_credentials' })).json.access_token);
    const next = JSON.parse(await cli(['keys', 'rotate', '--json', '--config', cfg.path])) as { kid: string; status: string; activates_at: number; previous_kid: string };
    assert.equal(next.status, 'next');
    assert.equal(next.previous_kid, es);
    assert.ok(next.activates_at >= Math.floor(Date.now() / 1000) + 590);
    for (const p of all) {
      const tok = (await token(p, 'svc', { grant_type: 'client_credentials' })).json.access_token;
      assert.equal(kidOf(tok), es, 'still the previous key until the stored activation time');
      assert.equal((await introspect(all[(all.indexOf(p) + 1) % 3]!, 'svc', tok)).active, true);
    }
  });
});
