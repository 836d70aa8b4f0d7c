// Refresh rotation while the expired tokens are purged: p99 of refresh during one purge of a
// seeded store (bench/seed-tokens.ts: 20% of the families expired, nearly every access token
// past its hour) vs p99 just before it on the same store. The purge is the store's own
// (bench/purge-expired.ts), run in its own process as another instance would. Seeds first,
// so it runs only when named in BENCH_ONLY: `purge-sqlite`, `purge-pg`.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { runLoad, type LoadResult } from '../lib/load.js';
import { withPostgres } from '../lib/pg.js';
import { ROOT } from '../lib/proc.js';
import type { Target } from '../lib/report.js';
import { refreshChains } from '../lib/tessera.js';
import { seedTokens } from '../seed-tokens.js';
import { startConfigured, toRow, type BenchContext } from './context.js';

const int = (v: string | undefined, d: number) => (v && Number.isInteger(Number(v)) && Number(v) > 0 ? Number(v) : d);
/** Refresh tokens seeded before the purge (a fifth of them expired, plus the access tokens). */
export const PURGE_REFRESH = int(process.env.BENCH_PURGE_REFRESH, 1_000_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function purge(db: string): Promise<{ rows: number; ms: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/purge-expired.ts'), '--db', db], { cwd: ROOT, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`purge failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as { rows: number; ms: number });
    });
  });
}

async function measure(ctx: BenchContext, id: string, store: string, db: string): Promise<Target[]> {
  const seeded = await seedTokens(db, { refresh: PURGE_REFRESH, families: Math.max(1, Math.floor(PURGE_REFRESH / 10)), log: ctx.log });
  const t = await startConfigured(ctx, `tessera (purge, ${store})`, () => db);
  try {
    const spec = refreshChains(t.url, ctx.connections);
    const before = await runLoad(t.url, spec, ctx.duration, ctx.warmup);
    // The purge starts just after the measured load does, and the load outlasts it only if
    // the purge is quicker than the run: its duration is reported beside the numbers.
    const load = runLoad(t.url, spec, ctx.duration, 0);
    await sleep(250);
    const p = await purge(db);
    const during: LoadResult = await load;
    const ratio = before.p99 > 0 ? during.p99 / before.p99 : Infinity;
    const gen = `autocannon, ${ctx.connections} conn`;
    ctx.row(toRow(id, `refresh rotation, ${store}: before the purge`, `refresh ${store}, before purge`, 'tessera', gen, before));
    ctx.row(toRow(id, `refresh rotation, ${store}: during the purge of ${p.rows.toLocaleString('en-US')} expired rows`, `refresh ${store}, during purge`, 'tessera (purging)', gen, during, `p99 ${ratio.toFixed(2)}× before`));
    ctx.note(`Purge, ${store}: seeded ${(seeded.refresh / 1e6).toLocaleString('en-US')}M refresh tokens and ${seeded.access.toLocaleString('en-US')} access tokens in ${Math.round(seeded.seconds)} s; the purge removed ${p.rows.toLocaleString('en-US')} rows in ${(p.ms / 1000).toFixed(1)} s${p.ms / 1000 > ctx.duration ? ` (longer than the ${ctx.duration} s measured, so the load saw only part of it)` : ''}.`);
    return [{ what: `refresh p99 during a purge, ${store}`, goal: '< 2× before', measured: `${ratio.toFixed(2)}× (${during.p99} vs ${before.p99} ms; ${p.rows.toLocaleString('en-US')} rows in ${(p.ms / 1000).toFixed(1)} s)`, reached: during.ok > 0 ? ratio < 2 : null }];
  } finally {
    await t.stop();
  }
}

export async function purgeSqlite(ctx: BenchContext): Promise<Target[]> {
  ctx.log('  refresh during a purge, SQLite…');
  return measure(ctx, 'purge-sqlite', 'SQLite', `sqlite:${join(ctx.tmp, 'purge-sqlite', 'tessera.db')}`);
}

export async function purgePostgres(ctx: BenchContext): Promise<Target[]> {
  ctx.log('  refresh during a purge, PostgreSQL…');
  let out: Target[] = [];
  const outcome = await withPostgres(async (db) => { out = await measure(ctx, 'purge-pg', 'PostgreSQL', db); });
  if (typeof outcome === 'string') ctx.note(`Purge, PostgreSQL: ${outcome}`);
  return out;
}
