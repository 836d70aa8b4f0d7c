// A tiny relying party for the browser tests: an http server on 127.0.0.1 with openid-client
// v6 doing the client side of the code flow, as a real web app or native app would.
//
//   GET /login[?prompt=…&max_age=…]  fresh PKCE verifier (S256), state and nonce; 302 to the
//                                    authorization endpoint
//   GET /callback                     authorizationCodeGrant (checks state, iss, PKCE, the
//                                    id_token and its nonce), then userinfo; shows the result
//                                    as JSON in <pre id="result"> and keeps it in `results`
//   GET /logout                       302 to end_session with id_token_hint, state and
//                                    post_logout_redirect_uri = <rp>/
//   GET /                             "signed out" landing page (the post-logout target)
//
// The RP listens before Tessera starts (its callback URL goes into Tessera's config);
// `connect()` runs discovery once Tessera is up.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';

export interface CallbackResult {
  /** The callback's query as the browser delivered it (code or error, state, iss). */
  query: Record<string, string>;
  tokens?: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  claims?: oidc.IDToken;
  userinfo?: oidc.UserInfoResponse;
  /** What openid-client threw: an error response (error=…) or a failed check. */
  error?: { name: string; code?: string; error?: string; message: string };
}

export interface RelyingParty {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Where the authorization response is sent: `${url}/callback` unless `redirectUri` was given. */
  callback: string;
  /** Set by connect(). */
  config: oidc.Configuration;
  results: CallbackResult[];
  last(): CallbackResult;
  /** Discovery against the issuer and the client's authentication (a secret, or none for a public client). */
  connect(issuer: string, clientId: string, secret: string | null, scope?: string): Promise<void>;
  close(): Promise<void>;
}

const html = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startRelyingParty(opts: { scope?: string } = {}): Promise<RelyingParty> {
  let config: oidc.Configuration | undefined;
  let scope = opts.scope ?? 'openid profile email';
  const pending = new Map<string, { verifier: string; nonce: string; maxAge?: number }>();
  const results: CallbackResult[] = [];
  let lastIdToken: string | undefined;

  async function login(req: URL, res: ServerResponse): Promise<void> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const maxAge = req.searchParams.get('max_age');
    pending.set(state, { verifier, nonce, ...(maxAge ? { maxAge: Number(maxAge) } : {}) });
    const params: Record<string, string> = {
      redirect_uri: rp.callback, scope, state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    };
    for (const k of ['prompt', 'max_age', 'login_hint']) {
      const v = req.searchParams.get(k);
      if (v !== null) params[k] = v;
    }
    res.writeHead(302, { location: oidc.buildAuthorizationUrl(config!, params).href }).end();
  }

  async function callback(current: URL, res: ServerResponse): Promise<void> {
    const result: CallbackResult = { query: Object.fromEntries(current.searchParams) };
    results.push(result);
    const p = pending.get(current.searchParams.get('state') ?? '');
    try {
      if (!p) throw new Error('unknown state');
      pending.delete(current.searchParams.get('state')!);
      // The URL the browser was sent to, rebuilt on this RP's origin (the redirect_uri sent).
      const url = new URL(`${rp.callback}${current.search}`);
      result.tokens = await oidc.authorizationCodeGrant(config!, url, {
        pkceCodeVerifier: p.verifier, expectedState: current.searchParams.get('state')!, expectedNonce: p.nonce, idTokenExpected: true,
        ...(p.maxAge !== undefined ? { maxAge: p.maxAge } : {}),
      });
      result.claims = result.tokens.claims();
      lastIdToken = result.tokens.id_token;
      result.userinfo = await oidc.fetchUserInfo(config!, result.tokens.access_token, result.claims!.sub);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(html('Signed in', `<p id="subject">${esc(result.claims!.sub)}</p><pre id="result">${esc(JSON.stringify({ claims: result.claims, userinfo: result.userinfo }, null, 2))}</pre>`));
    } catch (e) {
      const err = e as { name: string; code?: string; error?: string; message: string };
      result.error = { name: err.name, message: err.message, ...(err.code ? { code: err.code } : {}), ...(err.error ? { error: err.error } : {}) };
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' })
        .end(html('Sign-in failed', `<p id="rp-error">${esc(err.error ?? err.message)}</p>`));
    }
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', rp.url);
    const route = async () => {
      if (u.pathname === '/login') return login(u, res);
      if (u.pathname === '/callback') return callback(u, res);
      if (u.pathname === '/logout') {
        const end = oidc.buildEndSessionUrl(config!, { post_logout_redirect_uri: `${rp.url}/`, state: 'bye', ...(lastIdToken ? { id_token_hint: lastIdToken } : {}) });
        res.writeHead(302, { location: end.href }).end();
        return;
      }
      if (u.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(html('Relying party', `<p id="rp-home">state=${esc(u.searchParams.get('state') ?? '')}</p>`));
        return;
      }
      res.writeHead(404).end();
    };
    route().catch((e: unknown) => { res.writeHead(500).end(String(e)); });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  const rp: RelyingParty = {
    url: `http://127.0.0.1:${port}`,
    callback: `http://127.0.0.1:${port}/callback`,
    get config() { return config!; },
    results,
    last: () => {
      const r = results.at(-1);
      if (!r) throw new Error('the relying party has had no callback');
      return r;
    },
    async connect(issuer, clientId, secret, s) {
      if (s) scope = s;
      const auth = secret === null ? oidc.None() : oidc.ClientSecretBasic(secret);
      config = await oidc.discovery(new URL(issuer), clientId, secret === null ? { token_endpoint_auth_method: 'none' } : {}, auth, {
        execute: [oidc.allowInsecureRequests],
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return rp;
}
