// `workers: 2` against its ceiling: ES256 client_credentials from Tessera in two workers vs a
// bare Fastify route in two node:cluster workers that signs the same JWT synchronously with
// node:crypto (bench/peers/bare-cluster.mjs). Driven by wrk: autocannon in one Node process
// saturates near these rates, and would measure itself.
import type { Target } from '../lib/report.js';
import { startPeer } from '../lib/proc.js';
import { clientCredentialsRequest, SCOPE } from '../lib/tessera.js';
import { form, FORM } from '../lib/load.js';
import { hasWrk, runWrk, WRK_MISSING } from '../lib/wrk.js';
import { pct, sqliteIn, startConfigured, takeTurns, toRow, type BenchContext } from './context.js';

const ID = 'workers-ceiling';
const TITLE = 'client_credentials ES256, 2 workers vs a 2-worker ceiling';
const THREADS = 2;

export async function workersCeiling(ctx: BenchContext): Promise<Target[]> {
  const target = (measured: string, reached: boolean | null): Target[] => [{ what: 'client_credentials ES256, workers: 2 vs bare Fastify + node:crypto in 2 workers (wrk)', goal: '≥ 80%', measured, reached }];
  if (!hasWrk()) {
    ctx.note(`${TITLE}: ${WRK_MISSING}.`);
    ctx.log(`  skip ${ID}: ${WRK_MISSING}`);
    return target('— (wrk missing)', null);
  }
  ctx.log(`  ${TITLE}…`);
  const t = await startConfigured(ctx, 'tessera (2 workers, wrk)', sqliteIn, { workers: 2 });
  const ceiling = ctx.own(await startPeer('bare-cluster', 'bench/peers/bare-cluster.mjs', { WORKERS: '2' }));
  const opts = { connections: ctx.connections, threads: THREADS };
  const bareReq = { method: 'POST' as const, path: '/token', headers: { 'content-type': FORM }, body: form({ grant_type: 'client_credentials', scope: SCOPE }) };
  const [tw, bare] = await takeTurns(ctx, [
    { label: 'tessera ×2 workers', load: (d, w) => runWrk(t.url, clientCredentialsRequest('cc-es256'), { ...opts, durationS: d, warmupS: w }) },
    { label: 'bare-cluster', load: (d, w) => runWrk(ceiling.url, bareReq, { ...opts, durationS: d, warmupS: w }) },
  ]);
  const gen = `wrk, ${THREADS} threads, ${ctx.connections} conn`;
  ctx.row(toRow(ID, TITLE, 'cc ES256, 2 workers (wrk)', 'tessera ×2 workers', gen, tw!, `${pct(tw!.rps, bare!.rps)} of the 2-worker ceiling`));
  ctx.row(toRow(ID, TITLE, 'cc ES256, 2-worker ceiling (wrk)', 'bare-fastify ×2 (node:crypto)', gen, bare!));
  return target(`${pct(tw!.rps, bare!.rps)} (${Math.round(tw!.rps)} vs ${Math.round(bare!.rps)} req/s)`, bare!.ok > 0 ? tw!.rps / bare!.rps >= 0.8 : null);
}
