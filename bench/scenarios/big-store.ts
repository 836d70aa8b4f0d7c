// Does Tessera slow down as tokens pile up? Refresh rotation and opaque introspection on a
// store seeded with BENCH_BIG_REFRESH refresh tokens (bench/seed-tokens.ts: families of
// rotation chains, live, expired and revoked, plus opaque access tokens) vs on an empty
// store, each its own Tessera, taking turns. Seeding takes minutes at 10M rows, so these run
// only when named in BENCH_ONLY (`big-store-pg`, `big-store-sqlite`).
import { join } from 'node:path';
import { withPostgres } from '../lib/pg.js';
import { runLoad, type LoadSpec } from '../lib/load.js';
import type { Child } from '../lib/proc.js';
import type { Target } from '../lib/report.js';
import { basic, form, FORM } from '../lib/load.js';
import { refreshChains, SCOPE, SECRET } from '../lib/tessera.js';
import { seedTokens } from '../seed-tokens.js';
import { pct, sqliteIn, startConfigured, takeTurns, toRow, type BenchContext } from './context.js';

const int = (v: string | undefined, d: number) => (v && Number.isInteger(Number(v)) && Number(v) > 0 ? Number(v) : d);
/** Refresh tokens in the big store; the full run sets 10,000,000 (PostgreSQL). */
export const BIG_REFRESH = int(process.env.BENCH_BIG_REFRESH, 1_000_000);
/** SQLite's big store (the embedded default is not meant for tens of millions). */
export const BIG_REFRESH_SQLITE = int(process.env.BENCH_BIG_REFRESH_SQLITE, 1_000_000);
/** Ten rotations per family by default. */
const families = (refresh: number) => int(process.env.BENCH_BIG_FAMILIES, Math.max(1, Math.floor(refresh / 10)));
const TOKENS = 1000;
const GOAL = 0.85;

/** Introspection of TOKENS opaque tokens issued in prepare, each connection walking through them. */
function introspectMany(url: string, connections: number): LoadSpec {
  let tokens: string[] = [];
  const next = new Map<number, number>();
  const auth = basic('cc-opaque', SECRET);
  return {
    connections,
    dynamic: true,
    async prepare() {
      if (tokens.length) return;
      for (let i = 0; i < TOKENS; i += 50) {
        tokens.push(...await Promise.all(Array.from({ length: 50 }, async () => {
          const r = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': FORM, authorization: auth }, body: form({ grant_type: 'client_credentials', scope: SCOPE }) });
          return ((await r.json()) as { access_token: string }).access_token;
        })));
      }
    },
    request: (slot) => {
      const i = next.get(slot) ?? slot;
      next.set(slot, i + connections);
      return { method: 'POST', path: '/oauth2/introspect', headers: { 'content-type': FORM, authorization: auth }, body: form({ token: tokens[i % tokens.length]! }) };
    },
    check: (status, body) => status === 200 && body.includes('"active":true'),
  };
}

async function compare(ctx: BenchContext, id: string, store: string, empty: Child, big: Child, size: string): Promise<Target[]> {
  const out: Target[] = [];
  const kinds = [
    { what: 'refresh rotation', spec: (u: string) => refreshChains(u, ctx.connections) },
    { what: 'opaque introspection', spec: (u: string) => introspectMany(u, ctx.connections) },
  ];
  for (const k of kinds) {
    const e = k.spec(empty.url);
    const b = k.spec(big.url);
    const [re, rb] = await takeTurns(ctx, [
      { label: `${k.what}, empty ${store}`, load: (d, w) => runLoad(empty.url, e, d, w) },
      { label: `${k.what}, ${size} ${store}`, load: (d, w) => runLoad(big.url, b, d, w) },
    ]);
    const gen = `autocannon, ${ctx.connections} conn`;
    ctx.row(toRow(id, `${k.what}, ${store}: empty store`, `${k.what}, empty ${store}`, 'tessera, empty store', gen, re!));
    ctx.row(toRow(id, `${k.what}, ${store}: ${size}`, `${k.what}, big ${store}`, 'tessera, big store', gen, rb!, `${pct(rb!.rps, re!.rps)} of the empty store`));
    out.push({ what: `${k.what}, ${store}, ${size} vs empty`, goal: '≥ 85% of empty (within 15%)', measured: `${pct(rb!.rps, re!.rps)} (${Math.round(rb!.rps)} vs ${Math.round(re!.rps)}/s)`, reached: re!.ok > 0 ? rb!.rps >= GOAL * re!.rps : null });
  }
  return out;
}

const sizeLabel = (refresh: number) => `${(refresh / 1e6).toLocaleString('en-US')}M refresh tokens in ${(families(refresh) / 1e6).toLocaleString('en-US')}M families`;

export async function bigStorePostgres(ctx: BenchContext): Promise<Target[]> {
  const size = sizeLabel(BIG_REFRESH);
  ctx.log(`  big store, PostgreSQL: seeding ${size}…`);
  let out: Target[] = [];
  const outcome = await withPostgres((emptyDb) => withPostgres(async (bigDb) => {
    const seeded = await seedTokens(bigDb, { refresh: BIG_REFRESH, families: families(BIG_REFRESH), log: ctx.log });
    ctx.note(`Big store, PostgreSQL: seeded ${size} and ${seeded.access.toLocaleString('en-US')} opaque access tokens in ${Math.round(seeded.seconds)} s.`);
    const empty = await startConfigured(ctx, 'tessera (PostgreSQL, empty)', () => emptyDb);
    const big = await startConfigured(ctx, 'tessera (PostgreSQL, big)', () => bigDb);
    try {
      out = await compare(ctx, 'big-store-pg', 'PostgreSQL', empty, big, size);
    } finally {
      await Promise.all([empty.stop(), big.stop()]);
    }
  }));
  if (typeof outcome === 'string') ctx.note(`Big store, PostgreSQL: ${outcome}`);
  return out;
}

export async function bigStoreSqlite(ctx: BenchContext): Promise<Target[]> {
  const size = sizeLabel(BIG_REFRESH_SQLITE);
  ctx.log(`  big store, SQLite: seeding ${size}…`);
  // Seeded before its Tessera starts: the seeder runs the migrations, the server then finds
  // the schema in place and adds the config's clients.
  const bigDb = `sqlite:${join(ctx.tmp, 'big-sqlite', 'tessera.db')}`;
  const seeded = await seedTokens(bigDb, { refresh: BIG_REFRESH_SQLITE, families: families(BIG_REFRESH_SQLITE), log: ctx.log });
  ctx.note(`Big store, SQLite: seeded ${size} and ${seeded.access.toLocaleString('en-US')} opaque access tokens in ${Math.round(seeded.seconds)} s.`);
  const empty = await startConfigured(ctx, 'tessera (SQLite, empty)', sqliteIn);
  const big = await startConfigured(ctx, 'tessera (SQLite, big)', () => bigDb);
  return compare(ctx, 'big-store-sqlite', 'SQLite', empty, big, size);
}
