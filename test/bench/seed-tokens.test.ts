// The big-store seeder (bench/seed-tokens.ts) writes rows Tessera's own store reads, in the
// mix the benchmark claims: families as rotation chains with one live token each, 10%
// revoked, 20% expired, hashes shaped like Tessera's, and a purge that removes exactly the
// expired rows. A second seed into the same database adds rows without colliding (and on
// PostgreSQL takes the path that keeps the indexes).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { seedTokens } from '../../bench/seed-tokens.js';
import type { Store } from '../../src/core/store.js';
import { openStore } from '../../src/store/index.js';
import { BACKENDS, makeDatabase, type TestStore } from '../helpers/stores.js';
import { purgeAll } from '../../src/ops/purge.js';

const LIFETIME = 30 * 86_400;

/** One query on either database; rows as plain objects with numbers. */
async function query(url: string, sql: string): Promise<Record<string, number | string>[]> {
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice('sqlite:'.length), { readonly: true });
    try { return db.prepare(sql).all() as Record<string, number | string>[]; } finally { db.close(); }
  }
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(sql);
    return r.rows.map((row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v]))) as Record<string, number | string>[];
  } finally {
    await c.end();
  }
}
const one = async (url: string, sql: string) => (await query(url, sql))[0]!;

for (const kind of BACKENDS) {
  describe(`seed-tokens (${kind})`, () => {
    let db: TestStore;
    let store: Store;
    const now = () => Math.floor(Date.now() / 1000);
    before(async () => {
      db = await makeDatabase(kind);
      const r = await seedTokens(db.url, { refresh: 2000, families: 200, access: 300 });
      assert.deepEqual({ refresh: r.refresh, families: r.families, access: r.access }, { refresh: 2000, families: 200, access: 300 });
      store = await openStore(db.url);
    });
    after(async () => { await store?.close(); await db?.cleanup(); });

    it('writes the families in the stated mix: 10% revoked, 20% expired', async () => {
      const f = await one(db.url, `SELECT COUNT(*) AS n, SUM(CASE WHEN revoked_at IS NOT NULL THEN 1 ELSE 0 END) AS revoked,
        SUM(CASE WHEN created_at + ${LIFETIME} < ${now()} THEN 1 ELSE 0 END) AS expired FROM token_families`);
      assert.deepEqual(f, { n: 200, revoked: 20, expired: 40 });
    });

    it('makes each family a rotation chain with exactly one unused token, expiring with the family', async () => {
      const r = await one(db.url, `SELECT COUNT(*) AS n, COUNT(DISTINCT hash) AS distinct_hashes, COUNT(DISTINCT family_id) AS families,
        SUM(CASE WHEN used_at IS NULL THEN 1 ELSE 0 END) AS unused FROM refresh_tokens`);
      assert.deepEqual(r, { n: 2000, distinct_hashes: 2000, families: 200, unused: 200 });
      const chains = await query(db.url, 'SELECT family_id, COUNT(*) AS n FROM refresh_tokens WHERE used_at IS NULL GROUP BY family_id HAVING COUNT(*) <> 1');
      assert.deepEqual(chains, []);
      const bad = await one(db.url, `SELECT COUNT(*) AS n FROM refresh_tokens r JOIN token_families f ON f.id = r.family_id
        WHERE r.expires_at <> f.created_at + ${LIFETIME} OR r.client_id <> f.client_id OR r.created_at > ${now()} OR (r.used_at IS NOT NULL AND r.used_at < r.created_at)`);
      assert.equal(bad.n, 0);
      for (const row of await query(db.url, 'SELECT hash FROM refresh_tokens LIMIT 50')) assert.match(String(row.hash), /^[A-Za-z0-9_-]{43}$/);
    });

    it("writes rows Tessera's store reads back (families, opaque access tokens with their claims)", async () => {
      const f = await one(db.url, 'SELECT id, revoked_at FROM token_families WHERE revoked_at IS NOT NULL LIMIT 1');
      const family = await store.tokens.findFamily(String(f.id));
      assert.equal(family?.revoked_at, Number(f.revoked_at));
      const a = await one(db.url, "SELECT id, family_id FROM access_tokens WHERE format = 'opaque' LIMIT 1");
      const access = await store.tokens.findAccess(String(a.id));
      assert.equal(access?.family_id, a.family_id);
      assert.equal((JSON.parse(access!.claims) as { sid: string }).sid, a.family_id);
      assert.equal((await one(db.url, 'SELECT COUNT(*) AS n FROM access_tokens')).n, 300);
    });

    it("the store's purge removes exactly the expired rows", async () => {
      const t = now();
      const expired = await one(db.url, `SELECT (SELECT COUNT(*) FROM refresh_tokens WHERE expires_at < ${t}) AS r, (SELECT COUNT(*) FROM access_tokens WHERE expires_at < ${t}) AS a`);
      assert.equal(expired.r, 400, 'the 40 expired families, 10 tokens each');
      assert.ok(Number(expired.a) > 250, `nearly every one-hour access token is past its hour (${expired.a})`);
      assert.equal((await purgeAll({ tokens: store.tokens }, t, { batch: 100, pauseMs: 0 })).tokens, Number(expired.r) + Number(expired.a));
      assert.equal((await one(db.url, 'SELECT COUNT(*) AS n FROM refresh_tokens')).n, 1600);
    });

    it('a second seed adds to the same database without colliding', async () => {
      await seedTokens(db.url, { refresh: 100, families: 10 });
      // 200 seeded, the 40 expired ones purged by the test above, 10 more.
      assert.equal((await one(db.url, 'SELECT COUNT(*) AS n FROM token_families')).n, 170);
      assert.equal(Number((await one(db.url, 'SELECT COUNT(*) AS n FROM access_tokens')).n) >= 10, true);
      const idx = await query(db.url, kind === 'sqlite'
        ? "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('refresh_tokens_family', 'refresh_tokens_expires', 'access_tokens_family', 'access_tokens_expires')"
        : "SELECT indexname AS name FROM pg_indexes WHERE indexname IN ('refresh_tokens_pkey', 'refresh_tokens_family', 'refresh_tokens_expires', 'access_tokens_pkey', 'access_tokens_family', 'access_tokens_expires', 'token_families_pkey')");
      assert.equal(idx.length, kind === 'sqlite' ? 4 : 7, 'the indexes dropped for the bulk load are back');
    });
  });
}
