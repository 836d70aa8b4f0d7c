// Refresh rotation on PostgreSQL, one Tessera process vs two separate instances (two
// processes on two ports, one database, the same secret key, as a scaled-out deployment
// runs). The same total connections either way: all on the one instance, or half on each,
// each half driven by its own autocannon, the two at the same time; requests/s summed.
import { randomBytes } from 'node:crypto';
import { withPostgres } from '../lib/pg.js';
import { runLoad } from '../lib/load.js';
import type { Target } from '../lib/report.js';
import { refreshChains } from '../lib/tessera.js';
import { startConfigured, takeTurns, together, toRow, type BenchContext } from './context.js';

const ID = 'refresh-pg-x2';
const TITLE = 'refresh_token rotation, PostgreSQL';

export async function pgScaleOut(ctx: BenchContext): Promise<Target[]> {
  ctx.log(`  ${TITLE}, one instance vs two…`);
  let out: Target[] = [];
  const outcome = await withPostgres(async (db) => {
    const shared = { secret_key: randomBytes(32).toString('hex') };
    const a = await startConfigured(ctx, 'tessera (PostgreSQL, instance 1)', () => db, shared);
    const b = await startConfigured(ctx, 'tessera (PostgreSQL, instance 2)', () => db, shared);
    try {
      const half = Math.max(1, Math.floor(ctx.connections / 2));
      const oneSpec = refreshChains(a.url, ctx.connections);
      const halves = [refreshChains(a.url, half), refreshChains(b.url, ctx.connections - half)];
      const [one, two] = await takeTurns(ctx, [
        { label: 'one instance', load: (d, w) => runLoad(a.url, oneSpec, d, w) },
        { label: 'two instances', load: (d, w) => together([(d2, w2) => runLoad(a.url, halves[0]!, d2, w2), (d2, w2) => runLoad(b.url, halves[1]!, d2, w2)], d, w) },
      ]);
      const ratio = two!.rps / one!.rps;
      ctx.row(toRow(ID, `${TITLE}: one instance`, 'refresh PG, 1 instance', 'tessera', `autocannon, ${ctx.connections} conn`, one!));
      ctx.row(toRow(ID, `${TITLE}: two instances, one database`, 'refresh PG, 2 instances', 'tessera ×2 instances', `2 × autocannon, ${half} + ${ctx.connections - half} conn`, two!, `${ratio.toFixed(2)}× one instance`));
      out = [
        { what: 'refresh with rotation, PostgreSQL, one process (this scenario)', goal: '≥ 2,000/s', measured: `${Math.round(one!.rps)}/s`, reached: one!.rps >= 2000 },
        { what: 'refresh with rotation, PostgreSQL, two instances vs one', goal: '≥ 1.6×', measured: `${ratio.toFixed(2)}× (${Math.round(two!.rps)} vs ${Math.round(one!.rps)}/s)`, reached: one!.ok > 0 ? ratio >= 1.6 : null },
      ];
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
  if (typeof outcome === 'string') {
    ctx.note(`${TITLE}, two instances: ${outcome}`);
    return [{ what: 'refresh with rotation, PostgreSQL, two instances vs one', goal: '≥ 1.6×', measured: '—', reached: null }];
  }
  return out;
}
