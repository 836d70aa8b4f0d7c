// `node --import tsx bench/profile.ts`: CPU profiles of Tessera under load. The server child
// runs with `node --cpu-prof`; each scenario gets a fresh server, the profile is written when
// it stops (SIGTERM → graceful exit), and the top self-time functions are summarised into
// bench/results/profile.md (raw .cpuprofile files in bench/results/profiles/, loadable in
// Chrome DevTools). Environment: BENCH_DURATION (default 10), BENCH_CONNECTIONS (default 50),
// PROFILE_SCENARIOS (default cc-es256,refresh-sqlite,introspect; also code-exchange, refresh-pg,
// cc-opaque, startup).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad, type LoadSpec } from './lib/load.js';
import { withPostgres } from './lib/pg.js';
import { freePort, ROOT, startTessera } from './lib/proc.js';
import { clientCredentials, introspection, refreshChains, writeTesseraConfig } from './lib/tessera.js';
import { tesseraCodeExchange } from './scenarios/code-flow.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONN = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WANT = (process.env.PROFILE_SCENARIOS ?? 'cc-es256,refresh-sqlite,introspect').split(',');
const log = (s: string) => process.stderr.write(`${s}\n`);

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const short = (url: string) => {
  const u = url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(u);
  return nm ? `${nm[1]}/${nm[2]}` : u;
};
const bucket = (url: string, fn: string) => {
  if (!url) return fn.startsWith('(') ? fn : '(native / V8 builtins)';
  const u = url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
  if (nm) return `npm: ${nm[1]}`;
  if (u.startsWith('node:')) return `node: ${u.slice(5).split('/')[0]}`;
  if (u.startsWith('src/') || u.startsWith('dist/')) return u.replace(/\.(ts|js)$/, '');
  return u;
};

export function summarise(p: Profile, top = 25): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url ? `${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const buckets = new Map<string, number>();
  let all = 0;
  let idle = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const n = byId.get(id)!;
    all += dt;
    if (n.callFrame.functionName === '(idle)') { idle += dt; return; }
    const k = key(n);
    self.set(k, (self.get(k) ?? 0) + dt);
    const b = bucket(n.callFrame.url, n.callFrame.functionName);
    buckets.set(b, (buckets.get(b) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const kk = key(byId.get(cur)!);
      if (seen.has(kk)) continue;
      seen.add(kk);
      total.set(kk, (total.get(kk) ?? 0) + dt);
    }
  });
  const busy = all - idle;
  const pct = (v: number) => `${((100 * v) / busy).toFixed(1)}%`;
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const brows = [...buckets.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
  const interesting = [...total.entries()]
    .filter(([k]) => /(src|dist)\//.test(k) && !/cli\/main|^\(anonymous\) (src|dist)\/store\/index/.test(k))
    .sort((a, b) => b[1] - a[1]).slice(0, 15);
  return [
    `Profiled ${((p.endTime - p.startTime) / 1e6).toFixed(1)} s, busy ${((100 * busy) / all).toFixed(0)}% (idle ${((100 * idle) / all).toFixed(0)}%). Shares below are of busy time.`,
    '',
    '| self time | function |', '|---:|---|', ...rows.map(([k, v]) => `| ${pct(v)} | \`${k}\` |`),
    '',
    '| self time | where |', '|---:|---|', ...brows.map(([k, v]) => `| ${pct(v)} | ${k} |`),
    '',
    '| inclusive time | Tessera function |', '|---:|---|', ...interesting.map(([k, v]) => `| ${pct(v)} | \`${k}\` |`),
  ].join('\n');
}

const SCENARIOS: Record<string, (url: string, database: string) => LoadSpec> = {
  'code-exchange': (_url, database) => tesseraCodeExchange(database, CONN, DURATION),
  'cc-es256': () => clientCredentials('cc-es256', CONN),
  'cc-opaque': () => clientCredentials('cc-opaque', CONN),
  'refresh-sqlite': (url) => refreshChains(url, CONN),
  'refresh-pg': (url) => refreshChains(url, CONN),
  introspect: (url) => introspection(url, CONN),
};

/** Start-up on an existing database: a first start creates it, the second runs under the profiler until /readyz answers. */
async function profileStartup(outDir: string, sections: string[]): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'tessera-prof-'));
  const profDir = join(tmp, 'prof');
  try {
    const port = await freePort();
    const cfg = writeTesseraConfig(tmp, port, `sqlite:${join(tmp, 'tessera.db')}`);
    await (await startTessera('tessera (first start)', cfg, port)).stop();
    const plain = await startTessera('tessera (timed start)', cfg, port);
    await plain.stop();
    const t = await startTessera('tessera (profiled start)', cfg, port, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
    await t.stop();
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no start-up profile written');
    const raw = readFileSync(join(profDir, file), 'utf8');
    writeFileSync(join(outDir, 'startup.cpuprofile'), raw);
    sections.push('## startup', '', `Spawn to the first 200 on /readyz on an existing database: ${Math.round(plain.readyMs)} ms without the profiler, ${Math.round(t.readyMs)} ms with it (the profile runs until exit).`, '', summarise(JSON.parse(raw) as Profile), '');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const outDir = join(ROOT, 'bench/results/profiles');
  mkdirSync(outDir, { recursive: true });
  const sections: string[] = ['# Tessera CPU profiles', '', `\`node --cpu-prof\` on the server child; autocannon, ${CONN} connections, 2 s warm-up + ${DURATION} s. Raw profiles: bench/results/profiles/*.cpuprofile.`, ''];
  for (const id of WANT) {
    if (id === 'startup') { await profileStartup(outDir, sections); continue; }
    const make = SCENARIOS[id];
    if (!make) throw new Error(`unknown scenario ${id} (known: ${Object.keys(SCENARIOS).join(', ')})`);
    const tmp = mkdtempSync(join(tmpdir(), 'tessera-prof-'));
    const profDir = join(tmp, 'prof');
    const profileOn = async (database: string) => {
      const port = await freePort();
      const cfg = writeTesseraConfig(tmp, port, database);
      const t = await startTessera(`tessera (${id})`, cfg, port, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
      log(`${id}: load for ${DURATION} s…`);
      const r = await runLoad(t.url, make(t.url, database), DURATION, 2);
      log(`  ${Math.round(r.rps)} req/s (with the profiler on), p99 ${r.p99} ms, errors ${r.errors}`);
      await t.stop();
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new Error(`no profile written for ${id}`);
      const raw = readFileSync(join(profDir, file), 'utf8');
      writeFileSync(join(outDir, `${id}.cpuprofile`), raw);
      sections.push(`## ${id}`, '', `${Math.round(r.rps)} req/s under the profiler, p99 ${r.p99} ms, ${r.errors} errors.`, '', summarise(JSON.parse(raw) as Profile), '');
    };
    try {
      if (id.endsWith('-pg')) {
        const skipped = await withPostgres(profileOn);
        if (typeof skipped === 'string') sections.push(`## ${id}`, '', skipped, '');
      } else {
        await profileOn(`sqlite:${join(tmp, 'tessera.db')}`);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const md = sections.join('\n');
  writeFileSync(join(ROOT, 'bench/results/profile.md'), md);
  process.stdout.write(`${md}\n`);
}

main().then(() => process.exit(0), (e: unknown) => { process.stderr.write(`${(e as Error).stack ?? String(e)}\n`); process.exit(1); });
