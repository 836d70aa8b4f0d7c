// Two instances on one database and one Redis (redis_url): a lockout earned on one holds on
// the other, for a known user and an unknown username alike. A private redis-server keeps
// this suite's counters apart from any other's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';
import { BACKENDS, makeDatabase, type TestStore } from '../helpers/stores.js';

const SECRET = 'shared-limits-secret-0123456789abcdefghij';
const PW = 'the-right-password';
const config = (redis_url: string) => ({
  redis_url,
  lockout: { user: { threshold: 3 }, ip: { threshold: 10_000 }, base_delay: 30, max_delay: 60 },
  clients: [{ client_id: 'app', client_secret: SECRET, grant_types: ['password'], scope: 'read' }],
  users: [{ username: 'ivy', password: PW }],
});

for (const backend of BACKENDS) {
  describe(`lockout shared through Redis by two instances (${backend})`, () => {
    let redis: PrivateRedis;
    let db: TestStore;
    let a: TestServer;
    let b: TestServer;
    before(async () => {
      redis = await startPrivateRedis();
      db = await makeDatabase(backend);
      a = await startTestServer(backend, config(redis.url), { db });
      b = await startTestServer(backend, config(redis.url), { db });
    });
    after(async () => { await a?.close(); await b?.close(); await db?.cleanup(); await redis?.kill(); });

    const login = (srv: TestServer, username: string, password: string) =>
      postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username, password }, { authorization: basic('app', SECRET) });

    for (const username of ['ivy', 'nobody-by-this-name']) {
      it(`failures on one instance lock ${username === 'ivy' ? 'a known user' : 'an unknown username'} on the other`, async () => {
        for (let i = 0; i < 3; i++) assert.equal((await login(a, username, `wrong-${i}`)).status, 400);
        const r = await login(b, username, PW);
        assert.equal(r.status, 429, r.text);
        assert.ok(Number(r.headers.get('retry-after')) >= 1);
        assert.equal((await login(a, username, PW)).status, 429);
      });
    }

    it('both say their limits are in Redis', async () => {
      for (const srv of [a, b]) assert.equal((await (await fetch(`${srv.url}/readyz`)).json()).limits, 'redis');
    });
  });
}
