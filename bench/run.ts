// `npm run bench`: Tessera side by side with node-oidc-provider (the peer), a bare Fastify +
// jose route (the ceiling) and a hello-world route, each server in its own child process on
// loopback, driven by autocannon from this process. Prints the table and writes
// bench/results/latest.md and bench/results/latest.svg.
//
// Environment: BENCH_DURATION (s per scenario, default 10), BENCH_WARMUP (s, default 2),
// BENCH_CONNECTIONS (default 50), BENCH_PASSWORD_CONNECTIONS (default 8),
// BENCH_ONLY (comma-separated scenario ids), BENCH_PG_URL (an admin URL of a PostgreSQL
// server, default postgres://postgres@127.0.0.1:5432/postgres; BENCH_PG=0 skips it).
//
// Then the scenarios of issue 8 (bench/scenarios/*, each with its own Tessera instances):
// `password-attack` (client_credentials p99 while 64 connections send wrong passwords;
// BENCH_ATTACK_CONNECTIONS), `limiter` (limiter off / in-process / Redis at BENCH_REDIS_URL,
// default redis://127.0.0.1:6379/13), `workers-ceiling` (workers: 2 vs a bare 2-worker
// route, driven by wrk; skipped with a note when wrk is missing), `refresh-pg-x2` (one vs two
// instances on one PostgreSQL database). Issue 9's, each beside node-oidc-provider:
// `code-exchange` (authorization_code → tokens on SQLite, every pre-minted code sent once;
// BENCH_CODES_PER_SECOND codes are minted per second of load, default 8000) and `login-page`
// (the login page for a visitor who is not signed in). Variants whose config key this build does not
// declare (rate_limit, redis_url, lockout) are skipped with a note (bench/lib/features.ts).
// The big-store scenarios seed millions of rows first (minutes), so they run ONLY when named
// in BENCH_ONLY: `big-store-pg` (BENCH_BIG_REFRESH refresh tokens, default 1,000,000; the
// full run uses 10000000) and `big-store-sqlite` (BENCH_BIG_REFRESH_SQLITE, default
// 1,000,000); BENCH_BIG_FAMILIES (default a tenth of the tokens). So do `purge-sqlite` and
// `purge-pg` (refresh p99 while the store purges BENCH_PURGE_REFRESH seeded tokens' expired
// rows, default 1,000,000).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { basic, form, FORM, hasAccessToken, mergeResults, runLoad, type LoadResult, type LoadSpec } from './lib/load.js';
import { withPostgres } from './lib/pg.js';
import { ROOT, rssMb, freePort, startPeer, startTessera, tesseraArgs, type Child } from './lib/proc.js';
import { markdownTable, svgChart, targetsTable, type Row, type Target } from './lib/report.js';
import { bigStorePostgres, bigStoreSqlite } from './scenarios/big-store.js';
import { codeExchange, loginPage } from './scenarios/code-flow.js';
import type { BenchContext, ExtraScenario } from './scenarios/context.js';
import { limiterOverhead } from './scenarios/limiter.js';
import { passwordAttack } from './scenarios/password-attack.js';
import { pgScaleOut } from './scenarios/pg-scale.js';
import { purgePostgres, purgeSqlite } from './scenarios/purge.js';
import { workersCeiling } from './scenarios/workers-ceiling.js';
import {
  clientCredentials, dialectScenarios, hcxUserToken, introspection, jwks, passwordGrant, refreshChains, SCOPE, SECRET,
  writeTesseraConfig,
} from './lib/tessera.js';

const num = (v: string | undefined, d: number) => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : d);
const DURATION = num(process.env.BENCH_DURATION, 10);
const WARMUP = num(process.env.BENCH_WARMUP, 2);
const CONN = num(process.env.BENCH_CONNECTIONS, 50);
const PW_CONN = num(process.env.BENCH_PASSWORD_CONNECTIONS, 8);
/** Servers compared in one scenario take turns in this many slices, so drifting background load hits both alike. */
const ROUNDS = Math.max(1, num(process.env.BENCH_ROUNDS, 2));
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Issue 8's scenarios, run after the others; `onRequest` ones only when named in BENCH_ONLY. */
const EXTRA: { id: string; run: ExtraScenario; onRequest?: boolean }[] = [
  { id: 'password-attack', run: passwordAttack },
  { id: 'limiter', run: limiterOverhead },
  { id: 'workers-ceiling', run: workersCeiling },
  { id: 'refresh-pg-x2', run: pgScaleOut },
  { id: 'code-exchange', run: codeExchange },
  { id: 'login-page', run: loginPage },
  { id: 'big-store-pg', run: bigStorePostgres, onRequest: true },
  { id: 'big-store-sqlite', run: bigStoreSqlite, onRequest: true },
  { id: 'purge-sqlite', run: purgeSqlite, onRequest: true },
  { id: 'purge-pg', run: purgePostgres, onRequest: true },
];
const log = (s: string) => process.stderr.write(`${s}\n`);

type ServerName = 'tessera' | 'tessera ×2 workers' | 'oidc-provider' | 'bare-fastify';
interface Run { server: ServerName; child: () => Child | undefined; spec: LoadSpec; probe?: boolean }
interface Scenario { id: string; title: string; runs: Run[] }

const SHORT: Record<string, string> = {
  'cc-es256': 'client_credentials ES256', 'cc-es256-w2': 'client_credentials ES256, 2 workers', 'cc-rs256': 'client_credentials RS256', 'cc-opaque': 'client_credentials opaque',
  'refresh-sqlite': 'refresh rotation, SQLite', 'refresh-pg': 'refresh rotation, PostgreSQL', password: 'password grant',
  introspect: 'introspection (opaque)', jwks: 'JWKS fetch', 'dialect-o': 'dialect o: /o/token/', 'dialect-apk': 'dialect apk (RS256)',
  'dialect-v1': 'dialect v1: /v1/…/company', 'dialect-hcx': 'dialect hcx user token', hello: 'hello-world GET',
};

// The peer's requests: one client (client_secret_basic), the resource selects the format.
const peerToken = (resource: string | null, connections: number): LoadSpec => ({
  connections,
  request: () => ({
    method: 'POST', path: '/token',
    headers: { 'content-type': FORM, authorization: basic('bench', SECRET) },
    body: form({ grant_type: 'client_credentials', scope: SCOPE, ...(resource ? { resource } : {}) }),
  }),
  check: hasAccessToken,
});

function peerIntrospection(url: () => string, connections: number): LoadSpec {
  let opaque = '';
  return {
    connections,
    async prepare() {
      const r = await fetch(`${url()}/token`, {
        method: 'POST', headers: { 'content-type': FORM, authorization: basic('bench', SECRET) },
        body: form({ grant_type: 'client_credentials', scope: SCOPE, resource: 'https://opaque.bench.test/' }),
      });
      opaque = ((await r.json()) as { access_token: string }).access_token;
    },
    request: () => ({ method: 'POST', path: '/token/introspection', headers: { 'content-type': FORM, authorization: basic('bench', SECRET) }, body: form({ token: opaque }) }),
    check: (status, body) => status === 200 && body.includes('"active":true'),
  };
}

/** One request of a run, to tell a missing route (404) from a working one before loading it. */
async function probe(url: string, spec: LoadSpec): Promise<{ ok: boolean; status: number; body: string }> {
  if (spec.prepare) await spec.prepare(1);
  const req = spec.request(0);
  const r = await fetch(`${url}${req.path}`, { method: req.method, headers: req.headers ?? {}, redirect: 'manual', ...(req.body !== undefined ? { body: req.body } : {}) });
  const body = await r.text();
  return { ok: spec.check(r.status, body, 0, Object.fromEntries(r.headers)) !== false, status: r.status, body };
}

function gitDescribe(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return `${head}${dirty ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg()[0]!;
  if (loadBefore > 0.5) log(`note: 1-minute load average is ${loadBefore.toFixed(2)} before the run: other work on this machine skews the numbers`);
  const tmp = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const children: Child[] = [];
  const rows: Row[] = [];
  const notes: string[] = [];
  const targets8: Target[] = [];
  const extra: { tesseraStartMs?: number; tesseraRss?: number | null; peerRss: Record<string, number | null> } = { peerRss: {} };
  let tessera: Child | undefined;
  let tesseraW: Child | undefined;
  let oidc: Child | undefined;
  let bare: Child | undefined;
  try {
    // Tessera on SQLite: a first start creates the database and keys; the second start is
    // timed (spawn → first 200 on /readyz) and its idle RSS read before any load.
    const port = await freePort();
    const cfg = writeTesseraConfig(tmp, port, `sqlite:${join(tmp, 'tessera.db')}`);
    log(`tessera: ${[process.execPath, ...tesseraArgs()].join(' ')} serve --config ${cfg}`);
    await (await startTessera('tessera (first start)', cfg, port)).stop();
    tessera = await startTessera('tessera', cfg, port);
    children.push(tessera);
    await sleep(1000);
    extra.tesseraStartMs = tessera.readyMs;
    extra.tesseraRss = rssMb(tessera.pid);
    log(`tessera ready in ${Math.round(tessera.readyMs)} ms on an existing database; idle RSS ${extra.tesseraRss?.toFixed(1)} MB`);

    oidc = await startPeer('oidc-provider', 'bench/peers/oidc-provider.mjs', { BENCH_CLIENT_SECRET: SECRET });
    children.push(oidc);
    bare = await startPeer('bare-fastify', 'bench/peers/bare-fastify.mjs');
    children.push(bare);
    await sleep(500);
    extra.peerRss['oidc-provider'] = rssMb(oidc.pid);
    extra.peerRss['bare-fastify'] = rssMb(bare.pid);

    // The same Tessera as a node:cluster of two workers (its own database and key).
    if (!ONLY || ONLY.has('cc-es256-w2')) {
      const wPort = await freePort();
      const wCfg = writeTesseraConfig(tmp, wPort, `sqlite:${join(tmp, 'tessera-workers.db')}`, { workers: 2 });
      tesseraW = await startTessera('tessera ×2 workers', wCfg, wPort);
      children.push(tesseraW);
    }
    const T = () => tessera;
    const W = () => tesseraW;
    const O = () => oidc;
    const B = () => bare;
    const tUrl = tessera.url;
    const scenarios: Scenario[] = [
      {
        id: 'cc-es256', title: 'client_credentials, JWT ES256',
        runs: [
          { server: 'tessera', child: T, spec: clientCredentials('cc-es256', CONN) },
          { server: 'oidc-provider', child: O, spec: peerToken(null, CONN) },
          { server: 'bare-fastify', child: B, spec: { connections: CONN, request: () => ({ method: 'POST', path: '/token', headers: { 'content-type': FORM }, body: form({ grant_type: 'client_credentials', scope: SCOPE }) }), check: hasAccessToken } },
        ],
      },
      {
        id: 'cc-es256-w2', title: 'client_credentials, JWT ES256, Tessera with workers: 2',
        runs: [
          { server: 'tessera ×2 workers', child: W, spec: clientCredentials('cc-es256', CONN) },
          { server: 'oidc-provider', child: O, spec: peerToken(null, CONN) },
          { server: 'bare-fastify', child: B, spec: { connections: CONN, request: () => ({ method: 'POST', path: '/token', headers: { 'content-type': FORM }, body: form({ grant_type: 'client_credentials', scope: SCOPE }) }), check: hasAccessToken } },
        ],
      },
      {
        id: 'cc-rs256', title: 'client_credentials, JWT RS256',
        runs: [
          { server: 'tessera', child: T, spec: clientCredentials('cc-rs256', CONN) },
          { server: 'oidc-provider', child: O, spec: peerToken('https://rs256.bench.test/', CONN) },
        ],
      },
      {
        id: 'cc-opaque', title: 'client_credentials, opaque',
        runs: [
          { server: 'tessera', child: T, spec: clientCredentials('cc-opaque', CONN) },
          { server: 'oidc-provider', child: O, spec: peerToken('https://opaque.bench.test/', CONN) },
        ],
      },
      { id: 'refresh-sqlite', title: 'refresh_token rotation, SQLite', runs: [{ server: 'tessera', child: T, spec: refreshChains(tUrl, CONN) }] },
      { id: 'password', title: 'password grant (argon2id defaults)', runs: [{ server: 'tessera', child: T, spec: passwordGrant(PW_CONN) }] },
      {
        id: 'introspect', title: 'introspection of an opaque token',
        runs: [
          { server: 'tessera', child: T, spec: introspection(tUrl, CONN) },
          { server: 'oidc-provider', child: O, spec: peerIntrospection(() => oidc!.url, CONN) },
        ],
      },
      {
        id: 'jwks', title: 'JWKS fetch',
        runs: [
          { server: 'tessera', child: T, spec: jwks('/.well-known/jwks.json', CONN) },
          { server: 'oidc-provider', child: O, spec: jwks('/jwks', CONN) },
        ],
      },
      ...dialectScenarios(CONN).map((d) => ({ id: d.id, title: d.title, runs: [{ server: 'tessera' as const, child: T, spec: d.spec, probe: true }] })),
      { id: 'dialect-hcx', title: 'hcx user token (password grant): POST /api/v0.8/user/auth/token/generate', runs: [{ server: 'tessera', child: T, spec: hcxUserToken(PW_CONN), probe: true }] },
      { id: 'hello', title: 'hello-world GET (HTTP stack + generator ceiling)', runs: [{ server: 'bare-fastify', child: B, spec: { connections: CONN, request: () => ({ method: 'GET', path: '/hello' }), check: (s, b) => s === 200 && b.includes('world') } }] },
    ];

    /** Probe (dialect routes), then load one server; null when skipped. */
    const probeRun = async (scenario: string, id: string, run: Run, url: string): Promise<boolean> => {
      if (!run.probe) return true;
      const p = await probe(url, run.spec);
      if (p.status === 404) { notes.push(`${scenario}: skipped, the route answers 404 (not built yet).`); log(`  skip ${id}: 404`); return false; }
      if (!p.ok) { notes.push(`${scenario}: skipped, the route answered ${p.status} ${p.body.slice(0, 160).replace(/\|/g, '\\|')}`); log(`  skip ${id}: ${p.status} ${p.body.slice(0, 160)}`); return false; }
      return true;
    };
    const record = (scenario: string, id: string, run: Run, r: LoadResult) => {
      log(`    ${run.server}: ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}${r.sampleError ? ` (first: ${r.sampleError})` : ''}`);
      rows.push({
        id, scenario, short: SHORT[id] ?? id, server: run.server, generator: `autocannon, ${r.connections} conn`, rps: r.rps, p50: r.p50, p99: r.p99,
        errors: r.errors, ratio: '', ...(r.sampleError ? { sampleError: r.sampleError } : {}),
      });
      if (r.errors > 0) notes.push(`${scenario} — ${run.server}: ${r.errors} errors, first: ${r.sampleError?.replace(/\|/g, '\\|')}`);
    };
    /**
     * All servers of a scenario: alone, one run of DURATION s after WARMUP s; several, ROUNDS
     * turns of DURATION/ROUNDS s each (warm-up before the first), summed: requests/s over the
     * whole time, p50 the mean and p99 the worst of the turns.
     */
    const measure = async (scenario: string, id: string, runs: { run: Run; url: string }[]): Promise<void> => {
      const live: { run: Run; url: string }[] = [];
      for (const x of runs) if (await probeRun(scenario, id, x.run, x.url)) live.push(x);
      if (live.length === 0) return;
      const rounds = live.length > 1 ? ROUNDS : 1;
      log(`  ${scenario}: ${live.map((x) => x.run.server).join(' vs ')}, ${live[0]!.run.spec.connections} connections, ${WARMUP} s warm-up + ${rounds > 1 ? `${rounds} turns of ${DURATION / rounds} s` : `${DURATION} s`}…`);
      const acc = live.map(() => [] as LoadResult[]);
      for (let round = 0; round < rounds; round++) {
        for (const [i, x] of live.entries()) acc[i]!.push(await runLoad(x.url, x.run.spec, DURATION / rounds, round === 0 ? WARMUP : 0));
      }
      for (const [i, x] of live.entries()) {
        record(scenario, id, x.run, mergeResults(acc[i]!));
      }
    };

    for (const s of scenarios) {
      if (ONLY && !ONLY.has(s.id)) continue;
      await measure(s.title, s.id, s.runs.flatMap((run) => { const c = run.child(); return c ? [{ run, url: c.url }] : []; }));
    }

    // Refresh rotation on PostgreSQL, in a temporary database dropped afterwards.
    if (!ONLY || ONLY.has('refresh-pg')) {
      const outcome = await withPostgres(async (dbUrl) => {
        const pgPort = await freePort();
        const pgDir = join(tmp, 'pg');
        mkdirSync(pgDir, { recursive: true });
        const pgCfg = writeTesseraConfig(pgDir, pgPort, dbUrl);
        let t: Child | undefined;
        try {
          t = await startTessera('tessera (PostgreSQL)', pgCfg, pgPort);
          await measure('refresh_token rotation, PostgreSQL', 'refresh-pg', [{ run: { server: 'tessera', child: () => t, spec: refreshChains(t.url, CONN) }, url: t.url }]);
        } catch (e) {
          notes.push(`refresh_token rotation, PostgreSQL: Tessera could not run on PostgreSQL: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`);
        } finally {
          await t?.stop();
        }
      });
      if (typeof outcome === 'string') notes.push(outcome);
    }

    const ctx: BenchContext = {
      tmp, duration: DURATION, warmup: WARMUP, connections: CONN, rounds: ROUNDS, log,
      note: (n) => notes.push(n.replace(/\|/g, '\\|')), row: (r) => rows.push(r), own: (c) => { children.push(c); return c; },
    };
    for (const x of EXTRA) {
      if (ONLY ? !ONLY.has(x.id) : x.onRequest) continue;
      try {
        targets8.push(...await x.run(ctx));
      } catch (e) {
        notes.push(`${x.id}: failed: ${(e as Error).message.split('\n').slice(0, 3).join(' ').replace(/\|/g, '\\|')}`);
        log(`  ${x.id} failed: ${(e as Error).stack ?? String(e)}`);
      }
    }
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    rmSync(tmp, { recursive: true, force: true });
  }

  // Ratios: Tessera against every other server measured in the same scenario.
  const order = ['cc-es256', 'cc-es256-w2', 'cc-rs256', 'cc-opaque', 'refresh-sqlite', 'refresh-pg', 'password', 'introspect', 'jwks', 'dialect-o', 'dialect-apk', 'dialect-v1', 'dialect-hcx', 'hello', ...EXTRA.map((x) => x.id)];
  rows.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  for (const r of rows) {
    if (!r.server.startsWith('tessera') || r.ratio) continue;
    const peers = rows.filter((p) => p.id === r.id && !p.server.startsWith('tessera') && p.rps > 0);
    r.ratio = peers.map((p) => `${(r.rps / p.rps).toFixed(2)}× ${p.server === 'bare-fastify' ? 'ceiling' : p.server}`).join('; ');
  }

  const find = (id: string, server: ServerName = 'tessera') => rows.find((r) => r.id === id && r.server === server);
  const es = find('cc-es256');
  const esPeer = find('cc-es256', 'oidc-provider');
  const esBare = find('cc-es256', 'bare-fastify');
  const ccRows = rows.filter((r) => r.server === 'tessera' && r.id.startsWith('cc-'));
  const rtS = find('refresh-sqlite');
  const rtP = find('refresh-pg');
  const intro = find('introspect');
  const targets: Target[] = [
    { what: 'client_credentials ES256 vs node-oidc-provider', goal: '≥ 2.5×', measured: es && esPeer ? `${(es.rps / esPeer.rps).toFixed(2)}× (${Math.round(es.rps)} vs ${Math.round(esPeer.rps)} req/s)` : '—', reached: es && esPeer ? es.rps / esPeer.rps >= 2.5 : null },
    { what: 'client_credentials ES256 vs bare Fastify+jose', goal: '≥ 75%', measured: es && esBare ? `${Math.round((100 * es.rps) / esBare.rps)}% (${Math.round(es.rps)} vs ${Math.round(esBare.rps)} req/s)` : '—', reached: es && esBare ? es.rps / esBare.rps >= 0.75 : null },
    { what: `client_credentials p99 at ${CONN} connections`, goal: '< 10 ms', measured: ccRows.length ? ccRows.map((r) => `${r.id.slice(3)} ${r.p99} ms`).join(', ') : '—', reached: ccRows.length ? ccRows.every((r) => r.p99 < 10) : null },
    { what: 'refresh with rotation, SQLite', goal: '≥ 3,000/s', measured: rtS ? `${Math.round(rtS.rps)}/s` : '—', reached: rtS ? rtS.rps >= 3000 : null },
    { what: 'refresh with rotation, PostgreSQL', goal: '≥ 2,000/s', measured: rtP ? `${Math.round(rtP.rps)}/s` : '—', reached: rtP ? rtP.rps >= 2000 : null },
    { what: 'opaque introspection', goal: '≥ 10,000/s', measured: intro ? `${Math.round(intro.rps)}/s` : '—', reached: intro ? intro.rps >= 10000 : null },
    { what: 'idle RSS', goal: '< 120 MB', measured: extra.tesseraRss != null ? `${extra.tesseraRss.toFixed(1)} MB` : '—', reached: extra.tesseraRss != null ? extra.tesseraRss < 120 : null },
    { what: 'start-up to ready, existing database', goal: '< 1 s', measured: extra.tesseraStartMs !== undefined ? `${Math.round(extra.tesseraStartMs)} ms` : '—', reached: extra.tesseraStartMs !== undefined ? extra.tesseraStartMs < 1000 : null },
  ];

  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Tessera ${gitDescribe()}, load average before the run ${loadBefore.toFixed(2)}`;
  const settings = `autocannon in the orchestrating process (one core), each server in its own child process (one Node process each, the other core); ${WARMUP} s warm-up then ${DURATION} s per server and scenario (servers compared in one scenario take turns, ${ROUNDS} slices each); requests/s counts only responses with status 200 and a token`;
  const table = markdownTable(rows);
  const md = [
    '# Tessera benchmark: latest run',
    '',
    `${machine}.`,
    `${settings}.`,
    '',
    table,
    '',
    `Tessera start-up to ready on an existing database: ${extra.tesseraStartMs !== undefined ? `${Math.round(extra.tesseraStartMs)} ms` : '—'} (spawn to the first 200 on /readyz, command \`${tesseraArgs().map((a) => a.replace(`${ROOT}/`, '')).join(' ')} serve\`); idle RSS ${extra.tesseraRss?.toFixed(1) ?? '—'} MB (VmRSS after start, before load). Peers idle RSS: ${Object.entries(extra.peerRss).map(([k, v]) => `${k} ${v?.toFixed(1) ?? '—'} MB`).join(', ')}.`,
    '',
    '## Targets (issue 4)',
    '',
    targetsTable(targets),
    '',
    ...(targets8.length ? ['## Targets (issues 8 and 9)', '', targetsTable(targets8), ''] : []),
    ...(notes.length ? ['## Notes', '', ...notes.map((n) => `- ${n}`), ''] : []),
    `Run took ${Math.round((Date.now() - started) / 1000)} s. Reproduce: \`npm run bench\` (see docs/performance.md).`,
    '',
  ].join('\n');
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/latest.md'), md);
  writeFileSync(join(ROOT, 'bench/results/latest.svg'), svgChart(rows, [machine, `autocannon in-process, ${CONN} connections (password grants ${PW_CONN}); each server in its own process; 200 + token only`]));
  process.stdout.write(`\n${md}\n`);
  log('wrote bench/results/latest.md and bench/results/latest.svg');
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
