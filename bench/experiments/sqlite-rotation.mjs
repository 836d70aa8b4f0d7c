// Experiment behind the proposed SQLite refresh-rotation changes (docs/performance.md):
// replays Tessera's rotation statements (src/store/sql.ts, src/store/migrations.ts
// schema, copied here at the time of writing) directly on better-sqlite3, one process, no
// HTTP, and compares variants. `node bench/experiments/sqlite-rotation.mjs` (~1 min).
// Finding: `consumeRefresh`'s `family_id IN (SELECT id FROM token_families WHERE revoked_at
// IS NULL)` is planned by SQLite as LIST SUBQUERY + SCAN token_families, i.e. every rotation
// reads every family: rotations/s fall as families accumulate.
import Database from 'better-sqlite3';
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { rmSync, mkdtempSync } from 'node:fs';
const tok = () => randomBytes(32).toString('base64url');
const h = (t) => createHash('sha256').update(t).digest('base64url');
function schema(wr, expiresIdx) {
  const w = wr ? ' WITHOUT ROWID' : '';
  return `CREATE TABLE clients (client_id TEXT PRIMARY KEY, data TEXT);
CREATE TABLE users (id TEXT PRIMARY KEY, data TEXT);
CREATE TABLE token_families (id TEXT PRIMARY KEY, client_id TEXT NOT NULL, user_id TEXT, created_at INTEGER NOT NULL, revoked_at INTEGER)${w};
CREATE TABLE refresh_tokens (hash TEXT PRIMARY KEY, family_id TEXT NOT NULL, client_id TEXT NOT NULL, user_id TEXT, scope TEXT NOT NULL, resource TEXT, expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL, used_at INTEGER)${w};
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
${expiresIdx ? 'CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);' : ''}
CREATE TABLE access_tokens (id TEXT PRIMARY KEY, format TEXT NOT NULL, family_id TEXT, client_id TEXT NOT NULL, user_id TEXT, scope TEXT NOT NULL, claims TEXT NOT NULL, expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER)${w};
CREATE INDEX access_tokens_family ON access_tokens (family_id);
${expiresIdx ? 'CREATE INDEX access_tokens_expires ON access_tokens (expires_at);' : ''}`;
}
function run(name, { wr = false, expiresIdx = true, access = true, ckpt = null, lookups = true, fixed = false, pre = 20000 }) {
  const dir = mkdtempSync('/tmp/sqlv-');
  const db = new Database(`${dir}/t.db`);
  db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL'); db.pragma('foreign_keys = ON');
  if (ckpt !== null) db.pragma(`wal_autocheckpoint = ${ckpt}`);
  db.exec(schema(wr, expiresIdx));
  db.prepare('INSERT INTO clients VALUES (?, ?)').run('rt', JSON.stringify({ grant_types: ['password', 'refresh_token'], scope: 'api:read' }));
  db.prepare('INSERT INTO users VALUES (?, ?)').run('u1', JSON.stringify({ roles: [] }));
  const findRefresh = db.prepare('SELECT r.*, f.revoked_at AS family_revoked_at FROM refresh_tokens r JOIN token_families f ON f.id = r.family_id WHERE r.hash = ?');
  const getClient = db.prepare('SELECT * FROM clients WHERE client_id = ?');
  const getUser = db.prepare('SELECT * FROM users WHERE id = ?');
  const consume = db.prepare(fixed ? 'UPDATE refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL AND NOT EXISTS (SELECT 1 FROM token_families f WHERE f.id = refresh_tokens.family_id AND f.revoked_at IS NOT NULL)' : 'UPDATE refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL AND family_id IN (SELECT id FROM token_families WHERE revoked_at IS NULL)');
  const insF = db.prepare('INSERT INTO token_families (id, client_id, user_id, created_at, revoked_at) VALUES (?, ?, ?, ?, NULL)');
  const insR = db.prepare('INSERT INTO refresh_tokens (hash, family_id, client_id, user_id, scope, resource, expires_at, created_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)');
  const insA = db.prepare('INSERT INTO access_tokens (id, format, family_id, client_id, user_id, scope, claims, expires_at, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  // 50 chains, pre-populated with 100k old rows to have a realistic b-tree depth
  const now = Math.floor(Date.now() / 1000);
  const chains = [];
  db.transaction(() => {
    for (let i = 0; i < pre; i++) { const f = randomUUID(); insF.run(f, 'rt', 'u1', now); insR.run(h(tok()), f, 'rt', 'u1', 'api:read', null, now + 86400, now); if (access) insA.run(randomUUID(), 'jwt', f, 'rt', 'u1', 'api:read', '{}', now + 3600, now, null); }
  })();
  for (let i = 0; i < 50; i++) { const f = randomUUID(); const t = tok(); insF.run(f, 'rt', 'u1', now); insR.run(h(t), f, 'rt', 'u1', 'api:read', null, now + 86400, now); chains.push({ f, t }); }
  const N = 4000;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const c = chains[i % 50];
    const hh = h(c.t);
    if (lookups) { getClient.get('rt'); }
    const r = findRefresh.get(hh);
    if (lookups) getUser.get(r.user_id);
      const nt = tok();
    const ok = db.transaction(() => {
      if (consume.run(now, hh).changes !== 1) return false;
      insR.run(h(nt), c.f, 'rt', 'u1', 'api:read', null, now + 86400, now);
      if (access) insA.run(randomUUID(), 'jwt', c.f, 'rt', 'u1', 'api:read', '{}', now + 3600, now, null);
      return true;
    })();
    if (!ok) throw new Error('lost chain');
    c.t = nt;
  }
  const ms = performance.now() - t0;
  console.log(`${name.padEnd(58)} ${(N / (ms / 1000)).toFixed(0).padStart(7)} rotations/s  ${(1000 * ms / N).toFixed(1)} µs each`);
  db.close(); rmSync(dir, { recursive: true, force: true });

}
for (const pre of [1000, 10000, 50000]) {
  run(`current, ${pre} families`, { pre });
  run(`consume with NOT EXISTS, ${pre} families`, { pre, fixed: true });
}
const F = { fixed: true, pre: 50000 };
run('fixed + no JWT access row', { ...F, access: false });
run('fixed + no expires_at indexes', { ...F, expiresIdx: false });
run('fixed + WITHOUT ROWID token tables', { ...F, wr: true });
run('fixed + no client/user SELECTs (cache)', { ...F, lookups: false });
run('fixed + all of the above', { ...F, wr: true, expiresIdx: false, access: false, lookups: false });
