// Fills a Tessera database with a big token store, to measure whether refresh and
// introspection slow down as tokens pile up. Runs the real migrations first (so the rows land
// in the real schema, with its indexes), then writes:
//
// - FAMILIES refresh families: 10% revoked, 20% expired (created 30-60 days ago, so every
//   token in them is past the 30-day lifetime), the rest live (created 0-30 days ago), with
//   creation times spread over those windows; clients and users spread over a few clients and
//   50,000 user ids;
// - REFRESH refresh tokens dealt round-robin over the families, so each family is a rotation
//   chain: every token but the family's last is used (used_at set), expiry is the family's
//   creation + 30 days as Tessera sets it; stored as the SHA-256 (base64url) of 32 random
//   bytes, as Tessera stores a token;
// - ACCESS opaque access tokens (default one per family), hashes of random tokens too, one
//   hour lifetimes spread over the last 30 days (so nearly all expired), revoked with their
//   family.
//
// PostgreSQL: one INSERT … SELECT generate_series per chunk of rows, all computed in the
// server (10M refresh tokens in a few minutes). SQLite: prepared statements in transactions
// of 100,000 rows.
//
//   node --import tsx bench/seed-tokens.ts --db URL --refresh 10000000 --families 1000000 [--access N]
//
// URL is a postgres:// URL or sqlite:PATH. Rows are added to what is there (ids carry a
// random per-run salt), so a run never collides with an earlier one.
import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { openStore } from '../src/store/index.js';

export const DAY = 86_400;
const LIFETIME = 30 * DAY;
const CLIENT_IDS = ['rt-client', 'o-client', 'v1-client'];
const USERS = 50_000;
const ISSUER = 'http://127.0.0.1';
const LOADERS = 2;

export interface SeedOptions { refresh: number; families: number; access?: number; log?: (s: string) => void }
export interface SeedResult { refresh: number; families: number; access: number; seconds: number }

/** Family k's state: 0 revoked, 1-2 expired, else live (k % 10). Same rule in SQL and JS. */
const famAge = (k: number) => ((k % 10 === 1 || k % 10 === 2) ? LIFETIME : 0) + ((k * 7919) % LIFETIME) + 60;

export async function seedTokens(db: string, o: SeedOptions): Promise<SeedResult> {
  const log = o.log ?? (() => {});
  const access = o.access ?? o.families;
  if (!(o.families >= 1 && o.refresh >= o.families)) throw new Error('need at least one family and no fewer refresh tokens than families');
  const store = await openStore(db);
  try { await store.migrate(); } finally { await store.close(); }
  const started = performance.now();
  const salt = randomBytes(6).toString('hex');
  const now = Math.floor(Date.now() / 1000);
  if (db.startsWith('sqlite:')) await seedSqlite(db.slice('sqlite:'.length), { ...o, access }, salt, now, log);
  else await seedPostgres(db, { ...o, access }, salt, now, log);
  return { refresh: o.refresh, families: o.families, access, seconds: (performance.now() - started) / 1000 };
}

async function seedPostgres(url: string, o: Required<Omit<SeedOptions, 'log'>>, salt: string, now: number, log: (s: string) => void): Promise<void> {
  const { default: pg } = await import('pg');
  // Chunks go over LOADERS connections at once: each INSERT … SELECT keeps one server
  // backend busy computing hashes, so two use both cores of a small machine.
  const clients = Array.from({ length: LOADERS }, () => new pg.Client({ connectionString: url }));
  const c = clients[0]!;
  try {
    // Bulk load: no WAL flush per chunk; the rows are worthless if the machine crashes.
    for (const x of clients) { await x.connect(); await x.query('SET synchronous_commit = off'); }
    const M = o.families;
    const N = o.refresh;
    const gens = Math.ceil(N / M);
    // Family k's fields as SQL over `k` (bigint), mirroring famAge() above.
    const age = `((CASE WHEN k % 10 IN (1, 2) THEN ${LIFETIME} ELSE 0 END) + (k * 7919) % ${LIFETIME} + 60)`;
    const famCreated = `(${now} - ${age})`;
    const famId = `md5('${salt}f' || k)::uuid::text`;
    const client = `(ARRAY[${CLIENT_IDS.map((x) => `'${x}'`).join(',')}])[1 + (k % ${CLIENT_IDS.length})::int]`;
    const user = `md5('${salt}u' || (k % ${USERS}))::uuid::text`;
    const revoked = `CASE WHEN k % 10 = 0 THEN ${famCreated} + ${age} / 2 ELSE NULL END`;
    // 128 random bits plus the row number, hashed: distinct, and as random as a token's hash.
    const hash = `translate(rtrim(encode(sha256(decode(md5(random()::text), 'hex') || int8send(i)), 'base64'), '='), '+/', '-_')`;
    const chunk = 500_000;
    const t0 = performance.now();
    const each = async (what: string, total: number, sql: (from: number, to: number) => string) => {
      let next = 0;
      let done = 0;
      await Promise.all(clients.map(async (x) => {
        for (let from = next; from < total; from = next) {
          next += chunk;
          const to = Math.min(total, from + chunk) - 1;
          await x.query(sql(from, to));
          done += to - from + 1;
          log(`  ${what}: ${done} / ${total} (${Math.round((performance.now() - t0) / 1000)} s)`);
        }
      }));
    };
    const rebuild = await dropIndexesOfEmptyTables(c, ['token_families', 'refresh_tokens', 'access_tokens']);
    await each('families', M, (a, b) => `INSERT INTO token_families (id, client_id, user_id, created_at, revoked_at)
      SELECT ${famId}, ${client}, ${user}, ${famCreated}, ${revoked} FROM generate_series(${a}::bigint, ${b}::bigint) AS k`);
    // Token i belongs to family i % M, generation i / M; the last generation of a family is unused.
    const step = `(${age} / ${gens + 1})`;
    await each('refresh tokens', N, (a, b) => `INSERT INTO refresh_tokens (hash, family_id, client_id, user_id, scope, resource, expires_at, created_at, used_at)
      SELECT ${hash}, ${famId}, ${client}, ${user}, 'api:read', NULL, ${famCreated} + ${LIFETIME}, ${famCreated} + (i / ${M}) * ${step},
        CASE WHEN i + ${M} >= ${N} THEN NULL ELSE ${famCreated} + (i / ${M} + 1) * ${step} END
      FROM (SELECT i, i % ${M} AS k FROM generate_series(${a}::bigint, ${b}::bigint) AS i) AS s`);
    const atCreated = `(${now} - (i * 104729) % ${LIFETIME})`;
    await each('access tokens', o.access, (a, b) => `INSERT INTO access_tokens (id, format, family_id, client_id, user_id, scope, claims, expires_at, created_at, revoked_at)
      SELECT ${hash}, 'opaque', ${famId}, ${client}, ${user}, 'api:read',
        json_build_object('iss', '${ISSUER}', 'sub', ${user}, 'aud', '${ISSUER}', 'client_id', ${client}, 'scope', 'api:read',
          'jti', md5('${salt}j' || i)::uuid::text, 'iat', ${atCreated}, 'exp', ${atCreated} + 3600, 'sid', ${famId})::text,
        ${atCreated} + 3600, ${atCreated}, CASE WHEN k % 10 = 0 THEN ${atCreated} + 60 ELSE NULL END
      FROM (SELECT i, i % ${M} AS k FROM generate_series(${a}::bigint, ${b}::bigint) AS i) AS s`);
    if (rebuild.length) log(`  rebuilding ${rebuild.length} indexes and keys`);
    await c.query("SET maintenance_work_mem = '256MB'");
    for (const sql of rebuild) await c.query(sql);
    log('  ANALYZE');
    await c.query('ANALYZE token_families, refresh_tokens, access_tokens');
  } finally {
    await Promise.all(clients.map((x) => x.end().catch(() => {})));
  }
}

/**
 * A bulk load into an empty table is several times faster without its indexes, and building
 * an index from sorted data once is faster than 10M random inserts into it. Drops the primary
 * keys and indexes of the tables that are empty and returns the statements that recreate them
 * exactly as the migrations made them (definitions read from the catalog).
 */
async function dropIndexesOfEmptyTables(c: import('pg').Client, tables: string[]): Promise<string[]> {
  const rebuild: string[] = [];
  for (const t of tables) {
    if ((await c.query(`SELECT 1 FROM ${t} LIMIT 1`)).rowCount) continue;
    const keys = await c.query<{ name: string; def: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype IN ('p', 'u')`, [t]);
    const idx = await c.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1 AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass)`, [t]);
    for (const k of keys.rows) { await c.query(`ALTER TABLE ${t} DROP CONSTRAINT ${k.name}`); rebuild.push(`ALTER TABLE ${t} ADD CONSTRAINT ${k.name} ${k.def}`); }
    for (const i of idx.rows) { await c.query(`DROP INDEX ${i.name}`); rebuild.push(i.def); }
  }
  return rebuild;
}

async function seedSqlite(path: string, o: Required<Omit<SeedOptions, 'log'>>, salt: string, now: number, log: (s: string) => void): Promise<void> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    // Random primary keys touch pages all over the index: keep them in memory while loading.
    db.pragma('cache_size = -524288');
    const uuid = (s: string) => {
      const h = createHash('md5').update(s).digest('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    };
    const hash = () => createHash('sha256').update(randomBytes(32)).digest('base64url');
    const M = o.families;
    const N = o.refresh;
    const gens = Math.ceil(N / M);
    // Each family's fields once (every refresh and access token of it repeats them).
    const users = Array.from({ length: Math.min(USERS, M) }, (_, u) => uuid(`${salt}u${u}`));
    const families = Array.from({ length: M }, (_, k) => {
      const age = famAge(k);
      return { age, created: now - age, id: uuid(`${salt}f${k}`), client: CLIENT_IDS[k % CLIENT_IDS.length]!, user: users[k % USERS]! };
    });
    const fam = (k: number) => families[k]!;
    const insFam = db.prepare('INSERT INTO token_families (id, client_id, user_id, created_at, revoked_at) VALUES (?, ?, ?, ?, ?)');
    const insRefresh = db.prepare('INSERT INTO refresh_tokens (hash, family_id, client_id, user_id, scope, resource, expires_at, created_at, used_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?)');
    const insAccess = db.prepare('INSERT INTO access_tokens (id, format, family_id, client_id, user_id, scope, claims, expires_at, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const chunk = 100_000;
    const each = (what: string, total: number, row: (i: number) => void) => {
      const batch = db.transaction((a: number, b: number) => { for (let i = a; i < b; i++) row(i); });
      for (let from = 0; from < total; from += chunk) {
        batch(from, Math.min(total, from + chunk));
        if ((from / chunk) % 5 === 4 || from + chunk >= total) log(`  ${what}: ${Math.min(total, from + chunk)} / ${total}`);
      }
    };
    each('families', M, (k) => {
      const f = fam(k);
      insFam.run(f.id, f.client, f.user, f.created, k % 10 === 0 ? f.created + Math.floor(f.age / 2) : null);
    });
    each('refresh tokens', N, (i) => {
      const k = i % M;
      const f = fam(k);
      const step = Math.floor(f.age / (gens + 1));
      const g = Math.floor(i / M);
      insRefresh.run(hash(), f.id, f.client, f.user, 'api:read', f.created + LIFETIME, f.created + g * step, i + M >= N ? null : f.created + (g + 1) * step);
    });
    each('access tokens', o.access, (i) => {
      const k = i % M;
      const f = fam(k);
      const iat = now - ((i * 104729) % LIFETIME);
      const claims = JSON.stringify({ iss: ISSUER, sub: f.user, aud: ISSUER, client_id: f.client, scope: 'api:read', jti: uuid(`${salt}j${i}`), iat, exp: iat + 3600, sid: f.id });
      insAccess.run(hash(), 'opaque', f.id, f.client, f.user, 'api:read', claims, iat + 3600, iat, k % 10 === 0 ? iat + 60 : null);
    });
    log('  ANALYZE');
    db.exec('ANALYZE');
  } finally {
    db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { db: { type: 'string' }, refresh: { type: 'string', default: '1000000' }, families: { type: 'string' }, access: { type: 'string' } },
  });
  if (!values.db) {
    process.stderr.write('usage: node --import tsx bench/seed-tokens.ts --db URL --refresh N [--families M] [--access A]\n');
    process.exit(2);
  }
  const refresh = Number(values.refresh);
  const families = values.families ? Number(values.families) : Math.max(1, Math.floor(refresh / 10));
  seedTokens(values.db, { refresh, families, ...(values.access ? { access: Number(values.access) } : {}), log: (s) => process.stderr.write(`${s}\n`) }).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: unknown) => { process.stderr.write(`seed failed: ${(e as Error).stack ?? String(e)}\n`); process.exit(1); },
  );
}
