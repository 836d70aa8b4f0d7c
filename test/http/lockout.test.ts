// Black-box: brute force against the real server (RFC 6749 §4.3.2, RFC 6819 §5.1.4.2.3).
// Guessed passwords, client secrets, refresh tokens and introspected tokens lock their key
// after the threshold; a locked key answers 429 with Retry-After before any argon2 work,
// even to the right credential; unknown names answer exactly as known ones; the CLI shows
// and lifts a lock on the running server. Locks here last 30 s so that nothing waits for
// one to run out; the exponential back-off itself is test/limits/policy.test.ts's.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { hashPassword, verifyPassword } from '../../src/core/password.js';
import { ok, tessera } from '../helpers/cli.js';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';

const SECRET = 'lockout-secret-0123456789abcdefghijklmnop';
const PW = 'the-right-password';
const LOCK_SECONDS = 30;
const LOCKOUT = {
  user: { threshold: 3 }, client: { threshold: 3 }, token: { threshold: 3 }, ip: { threshold: 10_000 },
  base_delay: LOCK_SECONDS, max_delay: 60,
};

const client = (client_id: string, grant_types: string[], o: Record<string, unknown> = {}) =>
  ({ client_id, client_secret: SECRET, grant_types, scope: 'read', ...o });

const entities = {
  clients: [
    client('app', ['password', 'refresh_token']),
    client('guessed', ['client_credentials']),
    client('refresher', ['password', 'refresh_token']),
    client('rs', ['client_credentials']),
    { client_id: 'spa', token_endpoint_auth_method: 'none', grant_types: ['password', 'refresh_token'], scope: 'read' },
  ],
  users: ['carol', 'dave', 'erin', 'frank', 'gina', 'hank'].map((username) => ({ username, password: PW })),
};

type Res = Awaited<ReturnType<typeof postForm>>;

/** 429 temporarily_unavailable, Retry-After within the lock, not cached (RFC 6585 §4, RFC 9110 §10.2.3). */
function assertThrottled(r: Res, what: string): void {
  assert.equal(r.status, 429, `${what}: ${r.status} ${r.text}`);
  const retry = Number(r.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= LOCK_SECONDS, `${what}: Retry-After ${r.headers.get('retry-after')}`);
  assert.deepEqual(r.json, { error: 'temporarily_unavailable', error_description: 'too many requests; retry later' });
  assert.equal(r.headers.get('cache-control'), 'no-store');
}

/** The value of tessera_throttled_total{reason} on /metrics. */
async function throttledMetric(srv: TestServer, reason: string): Promise<number> {
  const text = await (await fetch(`${srv.adminUrl}/metrics`)).text();
  const m = new RegExp(`^tessera_throttled_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

for (const backend of BACKENDS) {
  describe(`lockout (${backend})`, () => {
    let srv: TestServer;
    let dir: string;
    let cfgFile: string;
    const lines: string[] = [];
    const url = () => `${srv.url}/oauth2/token`;
    const cli = (...args: string[]) => ok([...args, '--config', cfgFile]);
    const password = (username: string, pw: string, id = 'app') =>
      postForm(url(), { grant_type: 'password', username, password: pw }, { authorization: basic(id, SECRET) });
    const cc = (id: string, secret: string) => postForm(url(), { grant_type: 'client_credentials' }, { authorization: basic(id, secret) });

    before(async () => {
      const sink = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
      // The default client cache (5 s): a client unlocked with the CLI is still seen at the next request.
      srv = await startTestServer(backend, { ...entities, lockout: LOCKOUT }, { log: pino({ level: 'info' }, sink) });
      dir = await mkdtemp(join(tmpdir(), 'tessera-lockout-'));
      cfgFile = join(dir, 'cli.yaml');
      await writeFile(cfgFile, `database: ${JSON.stringify(srv.tessera.config.database)}\nlog_level: warn\n`);
    });
    after(async () => {
      await srv.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('password guessing: 429 after the threshold, also for the right password; show and unlock with the CLI', async () => {
      for (let i = 0; i < 3; i++) {
        const r = await password('carol', `guess-${i}`);
        assert.equal(r.status, 400, r.text);
        assert.equal(r.json.error, 'invalid_grant');
      }
      const before = await throttledMetric(srv, 'user_locked');
      assertThrottled(await password('carol', 'guess-3'), 'a fourth guess');
      assertThrottled(await password('carol', PW), 'the right password during the lock');
      // The lock is the username's, whichever client asks.
      assertThrottled(await password('carol', PW, 'refresher'), 'through another client');
      assert.equal(await throttledMetric(srv, 'user_locked'), before + 3);

      const shown = JSON.parse(await cli('user', 'show', 'carol', '--json'));
      const now = Date.now() / 1000;
      assert.ok(shown.locked_until > now && shown.locked_until <= now + LOCK_SECONDS + 1, JSON.stringify(shown));
      assert.match(await cli('user', 'show', 'carol'), /^locked_until: +\d{4}-\d\d-\d\dT/m);

      assert.match(await cli('user', 'unlock', 'carol'), /^unlocked user carol$/m);
      assert.match(await cli('user', 'show', 'carol'), /^locked_until: +-$/m);
      const r = await password('carol', PW);
      assert.equal(r.status, 200, r.text);
      assert.equal(typeof r.json.access_token, 'string');
      // The unlock also forgot the failures: one more wrong password is a 400, not a lock.
      assert.equal((await password('carol', 'wrong-again')).status, 400);
    });

    it('an unknown username answers exactly as a known one, failure after failure', async () => {
      const sequence = async (username: string) => {
        const out: unknown[] = [];
        for (let i = 0; i < 5; i++) {
          const r = await password(username, 'not-the-password');
          const headers = Object.fromEntries(['content-type', 'cache-control', 'pragma', 'www-authenticate', 'content-length']
            .map((h) => [h, r.headers.get(h)]));
          // Retry-After counts down in whole seconds: present and within the lock is what must match.
          const retry = r.headers.get('retry-after');
          out.push({ status: r.status, body: r.json, headers, retry: retry === null ? null : Number(retry) > 0 && Number(retry) <= LOCK_SECONDS });
        }
        return out;
      };
      const known = await sequence('dave');
      const unknown = await sequence('nobody-by-that-name');
      assert.deepEqual(unknown, known);
      assert.deepEqual(known.map((k) => (k as { status: number }).status), [400, 400, 400, 429, 429]);
    });

    it('a locked request is refused before any argon2 work', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await password('frank', `guess-${i}`)).status, 400);
      // CPU time, not wall time: it is what hashing costs and what other load on the machine
      // does not inflate. A failed argon2id verify here, for scale:
      const hash = await hashPassword('something');
      const cpu = async (n: number, fn: () => Promise<unknown>) => {
        const start = process.cpuUsage();
        for (let i = 0; i < n; i++) await fn();
        const used = process.cpuUsage(start);
        return (used.user + used.system) / 1000 / n;
      };
      const verifyMs = await cpu(5, () => verifyPassword(hash, 'wrong'));
      const lockedMs = await cpu(10, async () => assertThrottled(await password('frank', PW), 'locked'));
      assert.ok(lockedMs < verifyMs / 2, `a locked request took ${lockedMs.toFixed(2)} ms of CPU; one argon2 verify takes ${verifyMs.toFixed(2)} ms`);
    });

    it('client-secret guessing locks the client_id, known or not; the right secret then gets 429 until unlocked', async () => {
      const statuses = async (id: string, secret: string) => {
        const out: number[] = [];
        for (let i = 0; i < 4; i++) out.push((await cc(id, `${secret}-${i}`)).status);
        return out;
      };
      assert.deepEqual(await statuses('guessed', 'wrong'), [401, 401, 401, 429]);
      assert.deepEqual(await statuses('no-such-client', 'wrong'), [401, 401, 401, 429]);
      const before = await throttledMetric(srv, 'client_locked');
      assertThrottled(await cc('guessed', SECRET), 'the right secret during the lock');
      assert.equal(await throttledMetric(srv, 'client_locked'), before + 1);
      assert.ok(JSON.parse(await cli('client', 'show', 'guessed', '--json')).locked_until > Date.now() / 1000);
      assert.match(await cli('client', 'unlock', 'guessed'), /^unlocked client guessed$/m);
      assert.equal((await cc('guessed', SECRET)).status, 200);
      assert.equal((await cc('no-such-client', 'x')).status, 429, 'an unknown id cannot be unlocked, and stays locked');
      const unknown = await tessera(['client', 'unlock', 'no-such-client', '--config', cfgFile]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /^tessera: no client with client_id "no-such-client"$/m);
      const nobody = await tessera(['user', 'unlock', 'nobody', '--config', cfgFile]);
      assert.equal(nobody.code, 1);
      assert.match(nobody.stderr, /^tessera: no user with username "nobody"$/m);
    });

    it('refresh-token guessing locks refreshing for that client; its sign-ins still work', async () => {
      const signIn = await password('erin', PW, 'refresher');
      assert.equal(signIn.status, 200, signIn.text);
      const refresh = (rt: string) =>
        postForm(url(), { grant_type: 'refresh_token', refresh_token: rt }, { authorization: basic('refresher', SECRET) });
      for (let i = 0; i < 3; i++) {
        const r = await refresh(`guessed-refresh-token-${i}`);
        assert.equal(r.status, 400);
        assert.equal(r.json.error, 'invalid_grant');
      }
      const before = await throttledMetric(srv, 'token_locked');
      assertThrottled(await refresh('guessed-refresh-token-3'), 'a fourth guess');
      assertThrottled(await refresh(signIn.json.refresh_token), 'a genuine refresh token during the lock');
      assert.equal(await throttledMetric(srv, 'token_locked'), before + 2);
      assert.equal((await password('gina', PW, 'refresher')).status, 200);
    });

    it('a public client has no key anyone can lock: its id and its shared token key are not counted', async () => {
      const spa = (form: Record<string, string>) => postForm(url(), { client_id: 'spa', ...form });
      for (let i = 0; i < 5; i++) {
        // A secret for a client that has none: invalid_client, but nothing to guess.
        assert.equal((await spa({ grant_type: 'client_credentials', client_secret: `x-${i}` })).status, 401);
        // Every user of the client shares its one token key: garbage refresh tokens count per IP only.
        assert.equal((await spa({ grant_type: 'refresh_token', refresh_token: `garbage-${i}` })).status, 400);
      }
      const signIn = await spa({ grant_type: 'password', username: 'hank', password: PW });
      assert.equal(signIn.status, 200, signIn.text);
      assert.equal((await spa({ grant_type: 'refresh_token', refresh_token: signIn.json.refresh_token })).status, 200);
    });

    it('introspection token guessing locks the introspecting client', async () => {
      const token = (await cc('rs', SECRET)).json.access_token as string;
      const introspect = (t: string) => postForm(`${srv.url}/oauth2/introspect`, { token: t }, { authorization: basic('rs', SECRET) });
      assert.equal((await introspect(token)).json.active, true);
      for (let i = 0; i < 3; i++) {
        const r = await introspect(`guessed-token-${i}`);
        assert.equal(r.status, 200);
        assert.deepEqual(r.json, { active: false });
      }
      assertThrottled(await introspect('guessed-token-3'), 'a fourth guess');
      assertThrottled(await introspect(token), 'a genuine token during the lock');
      assert.equal((await cc('rs', SECRET)).status, 200, 'its own tokens it still gets');
    });

    it('logs one warn line per lockout, naming users by id, never by name', () => {
      const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'lockout');
      const users = events.filter((e) => e.kind === 'user');
      assert.ok(users.length >= 3, JSON.stringify(events));
      for (const e of events) {
        assert.equal(e.level, 40);
        assert.equal(typeof e.failures, 'number');
        assert.equal(e.seconds, LOCK_SECONDS);
      }
      assert.ok(users.some((e) => /^user id [0-9a-f-]{36}$/.test(String(e.subject))));
      assert.ok(users.some((e) => /^hmac:[0-9a-f]{12}$/.test(String(e.subject))), 'the unknown name, as a fingerprint');
      assert.ok(events.some((e) => e.kind === 'client' && e.subject === 'guessed'));
      const all = lines.join('');
      for (const name of ['carol', 'dave', 'frank', 'nobody-by-that-name']) assert.ok(!all.includes(name), `${name} is in the log`);
    });
  });

  describe(`lockout per IP, on every dialect route (${backend})`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend, {
        participants: [{ participant_code: 'p-1@hcx', roles: ['provider'] }],
        clients: [
          client('app', ['password', 'refresh_token']),
          client('apk-app', ['password'], { profile: 'apk' }),
          client('v1app', ['password', 'refresh_token'], { profile: 'v1' }),
        ],
        users: [{ username: 'hana', password: PW, participant_code: 'p-1@hcx' }],
        lockout: { ip: { threshold: 4 }, base_delay: LOCK_SECONDS, max_delay: 60 },
      });
    });
    after(async () => { await srv.close(); });

    it('failures across many usernames lock the IP; then every route answers 429 with Retry-After in its own body', async () => {
      const pw = (username: string, password: string) =>
        postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username, password }, { authorization: basic('app', SECRET) });
      for (let i = 0; i < 4; i++) assert.equal((await pw(`spray-${i}`, 'Winter2026!')).status, 400);
      assertThrottled(await pw('spray-4', 'Winter2026!'), 'a fifth username');
      assertThrottled(await pw('hana', PW), 'a real user with the right password');
      assert.equal(await throttledMetric(srv, 'ip_locked'), 2);

      const auth = { authorization: basic('app', SECRET) };
      const standard: [string, Res][] = [
        ['/o/token/', await postForm(`${srv.url}/o/token/`, { grant_type: 'password', username: 'hana', password: PW }, auth)],
        ['/oauth2/token (apk)', await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'hana', password: PW }, { authorization: basic('apk-app', SECRET) })],
        ['/oauth2/introspect', await postForm(`${srv.url}/oauth2/introspect`, { token: 'x' }, auth)],
        ['/oauth2/revoke', await postForm(`${srv.url}/oauth2/revoke`, { token: 'x' }, auth)],
        ['/o/introspect/', await postForm(`${srv.url}/o/introspect/`, { token: 'x' }, auth)],
        ['/o/revoke_token/', await postForm(`${srv.url}/o/revoke_token/`, { token: 'x' }, auth)],
      ];
      const v1 = await fetch(`${srv.url}/v1/oauth/token/user`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'password', username: 'hana', password: PW, client_id: 'v1app', client_secret: SECRET }),
      });
      const v1Text = await v1.text();
      standard.push(['/v1/oauth/token/user', { status: v1.status, headers: v1.headers, json: JSON.parse(v1Text), text: v1Text }]);
      for (const [route, r] of standard) assertThrottled(r, route);

      for (const who of ['participant', 'user']) {
        const r = await postForm(`${srv.url}/api/v0.8/${who}/auth/token/generate`, { username: 'hana', password: PW, participant_code: 'p-1@hcx' });
        assert.equal(r.status, 429, r.text);
        assert.ok(Number(r.headers.get('retry-after')) >= 1);
        assert.deepEqual(Object.keys(r.json), ['timestamp', 'error']);
        assert.deepEqual(r.json.error, { code: 'ERR_SERVICE_UNAVAILABLE', message: 'too many requests; retry later' });
      }
      assert.equal(await throttledMetric(srv, 'ip_locked'), 2 + standard.length + 2);
    });
  });

  describe(`lockout: false (${backend})`, () => {
    it('turns it off: guesses never lock, the right password still works', async () => {
      const srv = await startTestServer(backend, { ...entities, lockout: false });
      try {
        for (let i = 0; i < 6; i++) {
          const r = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'carol', password: `guess-${i}` }, { authorization: basic('app', SECRET) });
          assert.equal(r.status, 400);
        }
        for (let i = 0; i < 11; i++) assert.equal((await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('guessed', 'x') })).status, 401);
        const r = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'carol', password: PW }, { authorization: basic('app', SECRET) });
        assert.equal(r.status, 200, r.text);
        assert.equal((await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('guessed', SECRET) })).status, 200);
        assert.doesNotMatch(await (await fetch(`${srv.adminUrl}/metrics`)).text(), /^tessera_throttled_total\{/m);
      } finally {
        await srv.close();
      }
    });
  });
}
