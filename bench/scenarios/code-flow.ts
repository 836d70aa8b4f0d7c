// The browser sign-in's two hot paths, Tessera on SQLite beside node-oidc-provider (its own
// peer process, bench/peers/oidc-provider.mjs), taking turns:
//
// `code-exchange`: POST /oauth2/token grant_type=authorization_code (client_secret_basic,
//   PKCE S256, openid scope: an opaque access token and an ES256 id_token on both sides, no
//   refresh token). Every code is sent once: before each load the codes are pre-minted
//   (Tessera: issueAuthorizationCode on its store, as the authorization endpoint does after
//   consent; the peer: its API, GET /bench/mint) and each request takes the next one.
// `login-page`: the page a person who is not signed in gets from the authorization request.
//   Tessera renders it at GET /oauth2/authorize (200). oidc-provider answers GET /auth with
//   303 to /interaction/:uid (and an interaction cookie), and renders its login page there:
//   one "page" is that pair of requests, as a browser makes them; requests/s counts pages.
import { createHash } from 'node:crypto';
import { issueAuthorizationCode } from '../../src/core/authorization-code.js';
import { randomToken } from '../../src/core/secrets.js';
import { openStore } from '../../src/store/index.js';
import { basic, form, FORM, runLoad, type LoadResult, type LoadSpec } from '../lib/load.js';
import { startPeer, type Child } from '../lib/proc.js';
import type { Target } from '../lib/report.js';
import { CODE_CLIENT, CODE_REDIRECT, SECRET, USER } from '../lib/tessera.js';
import { autocannonLabel, sqliteIn, startConfigured, takeTurns, toRow, type BenchContext } from './context.js';

const VERIFIER = 'bench-code-verifier-bench-code-verifier-0123456789';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
/** Codes minted per second of a load phase: above the fastest rate either server reaches here. */
const CODES_PER_SECOND = Number(process.env.BENCH_CODES_PER_SECOND ?? 8000);
const PEER_CODE_CLIENT = 'bench-code';

const isIdTokenResponse = (status: number, body: string) => status === 200 && body.includes('"access_token":"') && body.includes('"id_token":"ey');

/** Rows for both servers; the first failed response of each in the notes. */
function record(ctx: BenchContext, id: string, short: string, rows: [string, string, LoadResult][]): void {
  for (const [server, scenario, r] of rows) {
    ctx.row(toRow(id, scenario, short, server, autocannonLabel(r), r));
    if (r.errors > 0) ctx.note(`${scenario}: ${server}: ${r.errors} errors, first: ${r.sampleError ?? '?'}`);
  }
}

/** A load that sends each of the codes `mint(n)` returns once; runs out → an error row, never a reuse. */
function exchange(path: string, clientId: string, mint: (n: number) => Promise<string[]>, phaseSeconds: () => number, connections: number): LoadSpec {
  let codes: string[] = [];
  let next = 0;
  return {
    connections,
    dynamic: true,
    async prepare() {
      codes = await mint(Math.ceil(phaseSeconds() * CODES_PER_SECOND));
      next = 0;
    },
    request: () => ({
      method: 'POST', path,
      headers: { 'content-type': FORM, authorization: basic(clientId, SECRET) },
      body: form({ grant_type: 'authorization_code', code: codes[next++] ?? 'minted-codes-ran-out', redirect_uri: CODE_REDIRECT, code_verifier: VERIFIER }),
    }),
    check: (status, body) => isIdTokenResponse(status, body),
  };
}

/** Tessera's codes, written to its SQLite store as the authorization endpoint writes them. */
async function tesseraMinter(database: string): Promise<{ mint(n: number): Promise<string[]>; close(): Promise<void> }> {
  const store = await openStore(database);
  const user = await store.users.getByUsername(USER.username);
  if (!user) throw new Error(`bench user ${USER.username} is missing`);
  const now = () => Math.floor(Date.now() / 1000);
  const sid = randomToken(16);
  await store.sessions.create({ id_hash: randomToken(32), sid, user_id: user.id, auth_time: now(), acr: null, created_at: now(), expires_at: now() + 86_400 });
  const mint = async (n: number) => {
    const out: string[] = [];
    const t = now();
    for (let i = 0; i < n; i++) {
      out.push(await issueAuthorizationCode(store.codes, {
        client_id: CODE_CLIENT, user_id: user.id, redirect_uri: CODE_REDIRECT, redirect_uri_given: true, scope: 'openid', resource: null,
        code_challenge: CHALLENGE, code_challenge_method: 'S256', nonce: `n-${i}`, auth_time: t, acr: null, sid,
      }, 600, t));
    }
    return out;
  };
  return { mint, close: () => store.close() };
}

/**
 * Tessera's code exchange on `database` (the server's SQLite file), for bench/profile.ts:
 * the store is opened at the first prepare and stays open for the process.
 */
export function tesseraCodeExchange(database: string, connections: number, phaseSeconds: number): LoadSpec {
  let minter: Promise<{ mint(n: number): Promise<string[]> }> | undefined;
  return exchange('/oauth2/token', CODE_CLIENT, async (n) => (await (minter ??= tesseraMinter(database))).mint(n), () => phaseSeconds, connections);
}

const peerMinter = (peer: Child) => async (n: number): Promise<string[]> => {
  const r = await fetch(`${peer.url}/bench/mint?n=${n}`);
  if (r.status !== 200) throw new Error(`peer mint: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { codes: string[] }).codes;
};

async function servers(ctx: BenchContext, id: string): Promise<{ tessera: Child; db: string; peer: Child }> {
  let db = '';
  const tessera = await startConfigured(ctx, `tessera (${id}, SQLite)`, (dir) => (db = sqliteIn(dir)), { authorization_code_ttl: 600 });
  const peer = ctx.own(await startPeer('oidc-provider (code flow)', 'bench/peers/oidc-provider.mjs', { BENCH_CLIENT_SECRET: SECRET, BENCH_CODE_VERIFIER: VERIFIER }));
  return { tessera, db, peer };
}

export async function codeExchange(ctx: BenchContext): Promise<Target[]> {
  const title = 'authorization_code → tokens (PKCE S256, openid: opaque access token + ES256 id_token)';
  ctx.log(`  ${title}…`);
  const { tessera, db, peer } = await servers(ctx, 'code-exchange');
  let phase = ctx.warmup;
  const loads = (url: string, spec: LoadSpec) => (d: number, w: number) => { phase = Math.max(d, w); return runLoad(url, spec, d, w); };
  const minter = await tesseraMinter(db);
  const tSpec = exchange('/oauth2/token', CODE_CLIENT, minter.mint, () => phase, ctx.connections);
  const pSpec = exchange('/token', PEER_CODE_CLIENT, peerMinter(peer), () => phase, ctx.connections);
  let t: LoadResult | undefined;
  let p: LoadResult | undefined;
  try {
    [t, p] = await takeTurns(ctx, [
      { label: 'tessera', load: loads(tessera.url, tSpec) },
      { label: 'oidc-provider', load: loads(peer.url, pSpec) },
    ]);
  } finally {
    await minter.close();
  }
  record(ctx, 'code-exchange', 'code exchange', [['tessera', `${title}, SQLite`, t!], ['oidc-provider', `${title}, in memory`, p!]]);
  return [{ what: 'code exchange (authorization_code → tokens), SQLite', goal: '≥ 2,000/s', measured: `${Math.round(t!.rps)}/s (oidc-provider ${Math.round(p!.rps)}/s, in memory)`, reached: t!.ok > 0 ? t!.rps >= 2000 : null }];
}

const AUTHORIZE = (clientId: string) => `?${new URLSearchParams({
  client_id: clientId, redirect_uri: CODE_REDIRECT, response_type: 'code', scope: 'openid', state: 'bench-state', nonce: 'bench-nonce',
  code_challenge: CHALLENGE, code_challenge_method: 'S256',
})}`;

/** oidc-provider: GET /auth (303 + cookie) then GET /interaction/:uid with it, per connection. */
function peerLoginPage(connections: number): LoadSpec {
  const next: ({ path: string; cookie: string } | null)[] = [];
  return {
    connections,
    dynamic: true,
    request: (slot) => {
      const n = next[slot];
      return n ? { method: 'GET', path: n.path, headers: { cookie: n.cookie } } : { method: 'GET', path: `/auth${AUTHORIZE(PEER_CODE_CLIENT)}` };
    },
    check(status, body, slot, headers) {
      if (next[slot]) {
        next[slot] = null;
        return status === 200 && body.includes('<form');
      }
      const location = headers.location ?? headers.Location;
      const cookies = [headers['set-cookie'] ?? headers['Set-Cookie'] ?? []].flat();
      const interaction = cookies.map((c) => c.split(';')[0]!).find((c) => c.startsWith('_interaction='));
      if (status !== 303 || typeof location !== 'string' || !interaction) return false;
      next[slot] = { path: new URL(location, 'http://x').pathname, cookie: interaction };
      return 'step';
    },
  };
}

export async function loginPage(ctx: BenchContext): Promise<Target[]> {
  const title = 'login page for a new visitor (the authorization request, not signed in)';
  ctx.log(`  ${title}…`);
  const { tessera, peer } = await servers(ctx, 'login-page');
  const tSpec: LoadSpec = {
    connections: ctx.connections,
    request: () => ({ method: 'GET', path: `/oauth2/authorize${AUTHORIZE(CODE_CLIENT)}` }),
    check: (status, body) => status === 200 && body.includes('id="login-form"'),
  };
  const [t, p] = await takeTurns(ctx, [
    { label: 'tessera', load: (d, w) => runLoad(tessera.url, tSpec, d, w) },
    { label: 'oidc-provider', load: (d, w) => runLoad(peer.url, peerLoginPage(ctx.connections), d, w) },
  ]);
  record(ctx, 'login-page', 'login page', [
    ['tessera', `${title}: Tessera GET /oauth2/authorize → 200 page`, t!],
    ['oidc-provider', `${title}: oidc-provider GET /auth → 303, GET /interaction/:uid → 200 page (pages/s)`, p!],
  ]);
  return [{ what: 'login page GET', goal: '≥ 5,000/s', measured: `${Math.round(t!.rps)}/s (oidc-provider ${Math.round(p!.rps)} pages/s)`, reached: t!.ok > 0 ? t!.rps >= 5000 : null }];
}
