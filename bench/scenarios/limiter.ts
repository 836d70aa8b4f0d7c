// What the rate limiter costs: ES256 client_credentials with the limiter off, on with its
// counters in the process, and on with its counters in Redis (redis_url), each its own
// Tessera, taking turns. Limits are far above the load (UNREACHABLE_LIMIT), so the limiter
// does all its bookkeeping and throttles nothing: a single 429 makes the comparison void.
import { clientCredentials } from '../lib/tessera.js';
import { limiterOn, pingRedis, REDIS_URL, redisCounters } from '../lib/features.js';
import { runLoad, type LoadResult } from '../lib/load.js';
import type { Child } from '../lib/proc.js';
import type { Target } from '../lib/report.js';
import { autocannonLabel, pct, sqliteIn, startConfigured, takeTurns, toRow, type BenchContext } from './context.js';

const ID = 'limiter';
const TITLE = 'client_credentials ES256, rate limiter';

export async function limiterOverhead(ctx: BenchContext): Promise<Target[]> {
  ctx.log(`  ${TITLE}…`);
  const on = limiterOn();
  const variants: { label: string; extra: Record<string, unknown> }[] = [{ label: 'limiter off', extra: {} }];
  if (on) variants.push({ label: 'limiter in-process', extra: on });
  else ctx.note(`${TITLE}: limiter on skipped, this build's config has no \`rate_limit\` key.`);
  const redis = redisCounters(REDIS_URL);
  if (!on || !redis) ctx.note(`${TITLE}: limiter with Redis skipped, this build's config has no ${on ? '`redis_url`' : '`rate_limit`'} key.`);
  else {
    const ping = await pingRedis(REDIS_URL);
    if (ping === true) variants.push({ label: 'limiter Redis', extra: { ...on, ...redis } });
    else ctx.note(`${TITLE}: limiter with Redis skipped: ${ping}.`);
  }
  if (variants.length === 1) return targets(null, null, null);

  const servers: Child[] = [];
  for (const v of variants) servers.push(await startConfigured(ctx, `tessera (${v.label})`, sqliteIn, v.extra));
  const spec = clientCredentials('cc-es256', ctx.connections);
  const rs = await takeTurns(ctx, variants.map((v, i) => ({ label: v.label, load: (d, w) => runLoad(servers[i]!.url, spec, d, w) })));
  const off = rs[0]!;
  for (const [i, v] of variants.entries()) {
    const r = rs[i]!;
    const throttled = r.statuses[429] ?? 0;
    if (throttled > 0) ctx.note(`${TITLE} — ${v.label}: ${throttled} responses were 429: the limits are not out of reach, the comparison is void.`);
    ctx.row(toRow(ID, `${TITLE}: ${v.label}`, `cc ES256, ${v.label}`, `tessera, ${v.label}`, autocannonLabel(r), r, i === 0 ? '' : `${pct(r.rps, off.rps)} of limiter off; ${throttled} × 429`));
  }
  const find = (label: string) => { const i = variants.findIndex((v) => v.label === label); return i < 0 ? null : rs[i]!; };
  return targets(off, find('limiter in-process'), find('limiter Redis'));
}

function targets(off: LoadResult | null, mem: LoadResult | null, redis: LoadResult | null): Target[] {
  const t = (what: string, goal: number, r: LoadResult | null): Target => ({
    what, goal: `≥ ${goal}%`,
    measured: r && off ? `${pct(r.rps, off.rps)} (${Math.round(r.rps)} vs ${Math.round(off.rps)} req/s; ${r.statuses[429] ?? 0} × 429)` : '—',
    reached: r && off && off.ok > 0 ? r.rps / off.rps >= goal / 100 && !(r.statuses[429] ?? 0) : null,
  });
  return [
    t('client_credentials ES256, limiter in-process vs off', 90, mem),
    t('client_credentials ES256, limiter with Redis vs off', 75, redis),
  ];
}
