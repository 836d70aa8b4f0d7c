// client_credentials while the password grant is under attack: does argon2id work (slow on
// purpose, on the thread pool) crowd out the requests that need no password? ES256
// client_credentials p99 alone, then with 64 connections sending wrong passwords at the same
// time. Lockout and the limiter are off (baseExtra), so every attempt reaches argon2id: the
// point is the hashing load, not the lockout. 503s from a full hashing pool are expected.
import { runLoad, statusSummary, type LoadResult } from '../lib/load.js';
import type { Target } from '../lib/report.js';
import { clientCredentials, wrongPasswordRequest } from '../lib/tessera.js';
import { hasWrk, runWrk } from '../lib/wrk.js';
import { autocannonLabel, sqliteIn, startConfigured, toRow, type BenchContext } from './context.js';

export const ATTACK_CONNECTIONS = Number(process.env.BENCH_ATTACK_CONNECTIONS || 64);
const ID = 'password-attack';
const TITLE = 'client_credentials ES256 while the password grant is attacked';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function passwordAttack(ctx: BenchContext): Promise<Target[]> {
  ctx.log(`  ${TITLE}…`);
  const t = await startConfigured(ctx, 'tessera (attack)', sqliteIn);
  const cc = clientCredentials('cc-es256', ctx.connections);
  const alone = await runLoad(t.url, cc, ctx.duration, ctx.warmup);

  // The attacker runs in wrk's own process when there is one, so its cheap failures do not
  // slow the generator that measures client_credentials; it starts first and outlasts it.
  const attackS = ctx.warmup + ctx.duration + 2;
  const attack: Promise<LoadResult> = hasWrk()
    ? runWrk(t.url, wrongPasswordRequest(), { connections: ATTACK_CONNECTIONS, durationS: attackS })
    : runLoad(t.url, { connections: ATTACK_CONNECTIONS, request: wrongPasswordRequest, check: () => false }, attackS, 0);
  await sleep(1000);
  const loaded = await runLoad(t.url, cc, ctx.duration, ctx.warmup);
  const a = await attack;

  const ratio = alone.p99 > 0 ? loaded.p99 / alone.p99 : Infinity;
  ctx.row(toRow(ID, `${TITLE}: alone`, 'cc ES256, no attack', 'tessera', autocannonLabel(alone), alone));
  ctx.row(toRow(ID, `${TITLE}: ${ATTACK_CONNECTIONS} connections of wrong passwords`, 'cc ES256, under attack', 'tessera (attacked)', autocannonLabel(loaded), loaded,
    loaded.ok === 0 ? 'starved: no answer' : `p99 ${ratio.toFixed(2)}× alone`));
  const answered = Object.values(a.statuses).reduce((x, y) => x + y, 0);
  ctx.note(`${TITLE}: the attacker (${hasWrk() ? 'wrk' : 'autocannon in this process: wrk is not installed'}, ${ATTACK_CONNECTIONS} connections) got ${Math.round(answered / a.durationS)} answers/s over ${a.durationS.toFixed(1)} s, by status: ${statusSummary(a.statuses)} (400 invalid_grant = a full argon2id verification; 503 = hashing pool full; 429 = throttled).`);
  const what = 'client_credentials ES256 p99 with the password grant under attack';
  if (alone.ok === 0) return [{ what, goal: '< 3× alone', measured: '— (no answer even without the attack)', reached: null }];
  // No answer at all while attacked is the worst outcome, not a missing measurement.
  if (loaded.ok === 0) return [{ what, goal: '< 3× alone', measured: `starved: no client_credentials answer within the ${ctx.duration} s run (alone: p99 ${alone.p99} ms)`, reached: false }];
  return [{
    what, goal: '< 3× alone',
    measured: `${ratio.toFixed(2)}× (${loaded.p99} vs ${alone.p99} ms; ${Math.round(loaded.rps)} vs ${Math.round(alone.rps)} req/s)`,
    reached: ratio < 3,
  }];
}
