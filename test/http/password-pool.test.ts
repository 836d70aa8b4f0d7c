// The password-hashing pool seen from outside: a flood of passwords beyond its concurrency
// and queue gets 503 + Retry-After at once (RFC 9110 §15.6.4, §10.2.3), in each route's
// own body shape, while client_credentials with a generated secret is not held up; and the
// refusals are counted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hash } from '@node-rs/argon2';
import { passwordPool } from '../../src/core/password.js';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';

const STRONG = 'a-long-random-secret-0123456789-abcdefghij';
const config = {
  // One verification at a time, one waiting: the 3rd concurrent one is refused.
  password_hashing: { concurrency: 1, queue: 1 },
  clients: [
    { client_id: 'app', token_endpoint_auth_method: 'none', grant_types: ['password'], scope: 'read' },
    { client_id: 'cc', client_secret: STRONG, grant_types: ['client_credentials'], scope: 'read' },
    { client_id: 'weak', client_secret: 'weak-secret', grant_types: ['client_credentials'], scope: 'read' },
    { client_id: 'o-app', client_secret: STRONG, profile: 'o', grant_types: ['password'], scope: 'read' },
  ],
  users: [{ username: 'alice', password: 'alice-password' }, { username: 'slow', password: 'slow-password' }],
};

type Answer = Awaited<ReturnType<typeof postForm>>;
type Timed = Answer & { at: number };

const count = (rs: Answer[], status: number) => rs.filter((r) => r.status === status).length;

/** Hold the pool's one slot from inside the process, until released: a verification that never ends. */
async function holdSlot(): Promise<() => Promise<void>> {
  await poolIdle();
  let release!: () => void;
  const held = passwordPool.run(() => new Promise<void>((r) => { release = r; }));
  return async () => { release(); await held; };
}

/**
 * Sends `requests` interleaved with as many requests to the same URL that are refused
 * before any hashing (invalid_request: no password), and checks that the refusals (median)
 * came back under 50 ms plus three times the controls' median: on a calm machine the
 * controls take a few ms, so that is "< 50 ms"; on a busy shared machine every request is
 * slowed alike, a refusal more (it also looks the user up in the store), and that delay is
 * not the pool's. What proves that a refusal does not wait for hashing is elsewhere: with
 * the slot held a waiting request would never be answered, and without it every refusal
 * must come before the first verification's answer.
 */
async function refusedAtOnce(url: string, requests: (() => Promise<Answer>)[], control: Record<string, string>, headers: Record<string, string> = {}): Promise<Timed[]> {
  const timedOne = async (f: () => Promise<Answer>) => { const t0 = performance.now(); const r = await f(); return { r, ms: performance.now() - t0, at: performance.now() }; };
  const all = await Promise.all(requests.flatMap((f) => [timedOne(f), timedOne(() => postForm(url, control, headers))]));
  const answers = all.filter((_, i) => i % 2 === 0);
  const controls = all.filter((_, i) => i % 2 === 1);
  for (const c of controls) assert.equal(c.r.status, 400, c.r.text);
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const refused = answers.filter((a) => a.r.status === 503).map((a) => a.ms);
  if (refused.length > 0) {
    const [m, c] = [median(refused), median(controls.map((x) => x.ms))];
    assert.ok(m < 3 * c + 50, `refusals took ${m.toFixed(1)} ms (median); the hashing-free controls ${c.toFixed(1)} ms`);
  }
  return answers.map((a) => ({ ...a.r, at: a.at }));
}

/** Resolves once the pool is idle (a previous test's queued verification may still run). */
async function poolIdle(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (passwordPool.stats().inUse + passwordPool.stats().queued > 0) {
    if (Date.now() > deadline) throw new Error('the password pool stayed busy');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves once the pool has one waiting verification (the request that fills the queue arrived). */
async function queueFilled(): Promise<void> {
  const deadline = Date.now() + 5000;
  while (passwordPool.stats().queued < 1) {
    if (Date.now() > deadline) throw new Error('no request reached the queue');
    await new Promise((r) => setTimeout(r, 1));
  }
}

function assertRefused(r: Answer): void {
  assert.equal(r.status, 503, r.text);
  assert.match(r.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
}

for (const backend of BACKENDS) {
  describe(`password-hashing pool over HTTP (${backend})`, () => {
    let srv: TestServer;
    const token = () => `${srv.url}/oauth2/token`;
    const wrong = { grant_type: 'password', client_id: 'app', username: 'alice', password: 'not-her-password' };
    const noPassword = { grant_type: 'password', client_id: 'app', username: 'alice' };

    before(async () => {
      srv = await startTestServer(backend, config);
      // A user whose stored hash costs 10× the default (t=20): one verification outlasts the
      // arrival of 10 concurrent requests even on a busy machine, so the counts are exact.
      const slow = (await srv.tessera.store.users.getByUsername('slow'))!;
      await srv.tessera.store.users.upsert({ ...slow, password_hash: await hash('slow-password', { algorithm: 2, timeCost: 20 }) });
    });
    after(async () => { await srv.close(); });

    // Open the keep-alive connections first, so concurrent requests arrive together.
    const warm = () => Promise.all(Array.from({ length: 20 }, () => fetch(`${srv.url}/healthz`).then((r) => r.arrayBuffer())));

    it('10 concurrent wrong passwords: 1 running + 1 queued get 400, the other 8 get 503 + Retry-After at once', async () => {
      await warm();
      const rs = await refusedAtOnce(token(), Array.from({ length: 10 }, () => () => postForm(token(), { ...wrong, username: 'slow' })), noPassword);
      assert.equal(count(rs, 400), 2, rs.map((r) => r.status).join(','));
      assert.equal(count(rs, 503), 8, rs.map((r) => r.status).join(','));
      for (const r of rs.filter((x) => x.status === 400)) assert.equal(r.json.error, 'invalid_grant');
      // Every refusal was answered before the first verification finished.
      const firstVerified = Math.min(...rs.filter((x) => x.status === 400).map((x) => x.at));
      assert.ok(rs.filter((x) => x.status === 503).every((x) => x.at < firstVerified), 'a refusal waited for hashing');
      for (const r of rs.filter((x) => x.status === 503)) {
        assertRefused(r);
        assert.deepEqual(r.json, { error: 'temporarily_unavailable', error_description: 'the server is busy; retry later' });
      }
      // Once drained, the right password works.
      assert.equal((await postForm(token(), { ...wrong, password: 'alice-password' })).status, 200);
    });

    it('with the slot held: 1 request waits, the next 9 are refused at once, exactly; the waiting one is answered when the slot frees', async () => {
      await warm();
      const release = await holdSlot();
      try {
        const waiting = postForm(token(), { ...wrong, password: 'alice-password' });
        await queueFilled();
        // Answered while the slot is still held: nothing was hashed for them.
        const refused = await refusedAtOnce(token(), Array.from({ length: 9 }, () => () => postForm(token(), wrong)), noPassword);
        assert.equal(count(refused, 503), 9, refused.map((r) => r.status).join(','));
        refused.forEach(assertRefused);
        await release();
        const first = await waiting;
        assert.equal(first.status, 200, first.text);
      } finally {
        await release();
      }
    });

    it('unknown users are refused alike (the dummy verify waits in the same pool)', async () => {
      await warm();
      const release = await holdSlot();
      try {
        const waiting = postForm(token(), { ...wrong, username: 'nobody' });
        await queueFilled();
        const rs = await refusedAtOnce(token(), [() => postForm(token(), { ...wrong, username: 'nobody-else' }), () => postForm(token(), wrong)], noPassword);
        rs.forEach(assertRefused);
        assert.deepEqual(rs[0]!.json, rs[1]!.json);
        await release();
        assert.equal((await waiting).status, 400);
      } finally {
        await release();
      }
    });

    it('client authentication: argon2id secrets and failed secrets are refused when full; a generated secret still gets its token', async () => {
      await warm();
      const release = await holdSlot();
      const queued = postForm(token(), { grant_type: 'client_credentials' }, { authorization: basic('weak', 'wrong') });
      try {
        await queueFilled();
        const cc = { grant_type: 'client_credentials' };
        const refused = await refusedAtOnce(token(), [
          () => postForm(token(), cc, { authorization: basic('weak', 'weak-secret') }), // argon2id, right secret
          () => postForm(token(), cc, { authorization: basic('weak', 'guess') }),
          () => postForm(token(), cc, { authorization: basic('cc', 'guess') }), // SHA-256, wrong: burns argon2id
          () => postForm(token(), cc, { authorization: basic('nobody', 'guess') }), // unknown id: burns argon2id
        ], noPassword);
        for (const r of refused) {
          assertRefused(r);
          assert.equal(r.json.error, 'temporarily_unavailable');
        }
        const ok = await postForm(token(), cc, { authorization: basic('cc', STRONG) });
        assert.equal(ok.status, 200, ok.text);
        assert.ok(ok.json.access_token);
      } finally {
        await release();
      }
      assert.equal((await queued).status, 401);
      assert.equal((await postForm(token(), { grant_type: 'client_credentials' }, { authorization: basic('weak', 'weak-secret') })).status, 200);
    });

    it('dialect routes keep their body shape with the same 503 and Retry-After (hcx, o)', async () => {
      await warm();
      const release = await holdSlot();
      const queued = postForm(`${srv.url}/api/v0.8/user/auth/token/generate`, { username: 'alice', password: 'x' });
      try {
        await queueFilled();
        const hcxUrl = `${srv.url}/api/v0.8/user/auth/token/generate`;
        const hcx = await refusedAtOnce(hcxUrl, Array.from({ length: 4 }, () => () => postForm(hcxUrl, { username: 'alice', password: 'x' })), { username: 'alice' });
        for (const r of hcx) {
          assertRefused(r);
          assert.deepEqual(Object.keys(r.json), ['timestamp', 'error']);
          assert.deepEqual(r.json.error, { code: 'ERR_SERVICE_UNAVAILABLE', message: 'the server is busy; retry later' });
        }
        const oUrl = `${srv.url}/o/token/`;
        const oAuth = { authorization: basic('o-app', STRONG) };
        const o = await refusedAtOnce(oUrl, Array.from({ length: 4 }, () => () =>
          postForm(oUrl, { grant_type: 'password', username: 'alice', password: 'x' }, oAuth)), { grant_type: 'password', username: 'alice' }, oAuth);
        for (const r of o) {
          assertRefused(r);
          assert.deepEqual(r.json, { error: 'temporarily_unavailable', error_description: 'the server is busy; retry later' });
        }
      } finally {
        await release();
      }
      assert.equal((await queued).status, 401);
    });

    it('metrics count the refusals and show the pool', async () => {
      const text = await (await fetch(`${srv.adminUrl}/metrics`)).text();
      const refused = /^tessera_throttled_total\{reason="password_pool_full"\} (\d+)$/m.exec(text);
      // 8 + 9 + 2 + 4 + 8 refusals in the tests above.
      assert.equal(Number(refused?.[1]), 31, text.split('\n').filter((l) => l.includes('throttled')).join('\n'));
      assert.match(text, /^tessera_password_hashing_operations\{state="in_use"\} 0$/m);
      assert.match(text, /^tessera_password_hashing_operations\{state="queued"\} 0$/m);
    });
  });
}
