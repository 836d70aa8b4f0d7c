// What the scenarios of issue 8 share with bench/run.ts: the run's settings, where rows,
// notes and started servers go, and taking turns between the variants of one scenario.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { mergeResults, type LoadResult } from '../lib/load.js';
import { freePort, startTessera, type Child } from '../lib/proc.js';
import type { Row, Target } from '../lib/report.js';
import { writeTesseraConfig } from '../lib/tessera.js';

export interface BenchContext {
  tmp: string;
  duration: number;
  warmup: number;
  connections: number;
  /** Turns the variants of one scenario take, so drifting background load hits them alike. */
  rounds: number;
  log(s: string): void;
  note(s: string): void;
  row(r: Row): void;
  /** Stopped when the run ends (also on failure). */
  own(c: Child): Child;
}

/** A scenario of issue 8: records rows and notes in the context, returns its targets. */
export type ExtraScenario = (ctx: BenchContext) => Promise<Target[]>;

/** One load of one variant; `warmupS` is 0 after the first turn. */
export type Load = (durationS: number, warmupS: number) => Promise<LoadResult>;

/**
 * The variants take `ctx.rounds` turns of duration/rounds seconds each (warm-up before the
 * first); each variant's turns are merged (mergeResults).
 */
export async function takeTurns(ctx: BenchContext, variants: { label: string; load: Load }[]): Promise<LoadResult[]> {
  const rounds = variants.length > 1 ? ctx.rounds : 1;
  ctx.log(`    ${variants.map((v) => v.label).join(' vs ')}: ${ctx.warmup} s warm-up + ${rounds} × ${ctx.duration / rounds} s`);
  const acc = variants.map(() => [] as LoadResult[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, v] of variants.entries()) acc[i]!.push(await v.load(ctx.duration / rounds, round === 0 ? ctx.warmup : 0));
  }
  return acc.map((rs) => mergeResults(rs));
}

/** Loads run at the same time (one per instance), as one result: requests/s summed, p99 the worst. */
export async function together(loads: Load[], durationS: number, warmupS: number): Promise<LoadResult> {
  const rs = await Promise.all(loads.map((l) => l(durationS, warmupS)));
  const merged = mergeResults(rs);
  const rps = rs.reduce((a, r) => a + r.rps, 0);
  return { ...merged, connections: rs.reduce((a, r) => a + r.connections, 0), rps, durationS: merged.ok / rps, p50: Math.max(...rs.map((r) => r.p50)) };
}

/** A row of the results table from a load result. */
export function toRow(id: string, scenario: string, short: string, server: string, generator: string, r: LoadResult, ratio = ''): Row {
  return {
    id, scenario, short, server, generator, rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, ratio,
    ...(r.sampleError ? { sampleError: r.sampleError } : {}),
  };
}

export const autocannonLabel = (r: LoadResult) => `autocannon, ${r.connections} conn`;

/** Start a Tessera with the bench's config plus `extra`, in its own folder under ctx.tmp. */
export async function startConfigured(ctx: BenchContext, name: string, database: (dir: string) => string, extra: Record<string, unknown> = {}): Promise<Child> {
  const port = await freePort();
  const dir = join(ctx.tmp, name.replace(/[^a-z0-9]+/gi, '-'));
  mkdirSync(dir, { recursive: true });
  const cfg = writeTesseraConfig(dir, port, database(dir), extra);
  return ctx.own(await startTessera(name, cfg, port));
}

export const sqliteIn = (dir: string) => `sqlite:${join(dir, 'tessera.db')}`;

/** a as a percentage of b; a dash when b is 0 (nothing answered). */
export const pct = (a: number, b: number) => (b > 0 ? `${Math.round((100 * a) / b)}%` : '—');
