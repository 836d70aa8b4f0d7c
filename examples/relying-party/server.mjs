// An example relying party: a small web app that signs people in with Tessera through the
// OpenID Connect authorization code flow (PKCE S256, state, nonce), shows the id_token's
// claims and the userinfo answer, refreshes its tokens, and signs out through Tessera's
// end_session endpoint. Plain Node and openid-client; no build, no framework.
//
//   npm start                                   # Tessera in dev mode, on http://127.0.0.1:8080
//   EXAMPLE_CLIENT_SECRET=… npm run example     # the exact line is in npm start's banner
//   open http://127.0.0.1:3000
//
// Environment: TESSERA_ISSUER (default http://127.0.0.1:8080), EXAMPLE_CLIENT_ID (default
// example-app, the dev fixture), EXAMPLE_CLIENT_SECRET (required), PORT (default 3000).
// The app keeps its sessions in memory: a restart signs everyone out of the app (not of Tessera).
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import * as oidc from 'openid-client';

const issuerText = process.env.TESSERA_ISSUER ?? 'http://127.0.0.1:8080';
const issuer = new URL(issuerText);
const clientId = process.env.EXAMPLE_CLIENT_ID ?? 'example-app';
const clientSecret = process.env.EXAMPLE_CLIENT_SECRET;
const port = Number(process.env.PORT ?? 3000);
const self = `http://127.0.0.1:${port}`;
const scope = process.env.EXAMPLE_SCOPE ?? 'openid profile email';

if (!clientSecret) {
  console.error('EXAMPLE_CLIENT_SECRET is not set. Start Tessera with `npm start` and run the `npm run example` line its banner prints.');
  process.exit(2);
}

// Discovery (OIDC Discovery 1.0): the endpoints and keys come from the issuer's metadata.
// http is accepted only for a loopback issuer (dev mode); anything else must be https.
const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
let config;
try {
  config = await oidc.discovery(issuer, clientId, undefined, oidc.ClientSecretBasic(clientSecret), {
    execute: issuer.protocol === 'http:' && loopback ? [oidc.allowInsecureRequests] : [],
  });
} catch (e) {
  console.error(`Cannot read the OpenID configuration of ${issuerText}: ${e.message}. Is Tessera running (npm start)?`);
  process.exit(1);
}

/** Browser sessions of this app: id (cookie) → { pending sign-in, tokens, claims, userinfo, error }. */
const sessions = new Map();

function session(req, res) {
  const id = /(?:^|;\s*)example_session=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
  if (id && sessions.has(id)) return sessions.get(id);
  const fresh = randomBytes(24).toString('base64url');
  const s = {};
  sessions.set(fresh, s);
  res.setHeader('set-cookie', `example_session=${fresh}; Path=/; HttpOnly; SameSite=Lax`);
  return s;
}

const esc = (v) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const when = (epoch) => (epoch ? new Date(epoch * 1000).toISOString().replace('.000', '') : '-');
/** Claims whose value is a time (seconds since 1970), shown with the date too. */
const TIMES = new Set(['exp', 'iat', 'auth_time', 'updated_at']);
const value = (k, v) => (typeof v === 'object' ? JSON.stringify(v) : TIMES.has(k) && typeof v === 'number' ? `${v} (${when(v)})` : v);
const rows = (o) => Object.entries(o ?? {}).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(value(k, v))}</td></tr>`).join('');

function page(s) {
  const body = s.tokens
    ? `<p id="welcome">Signed in as <strong>${esc(s.userinfo?.name ?? s.claims.sub)}</strong>.</p>
<h2>id_token claims</h2><table id="claims">${rows(s.claims)}</table>
<h2>userinfo</h2><table id="userinfo">${rows(s.userinfo)}</table>
<h2>Tokens</h2><p id="tokens">access token expires <span id="expires">${when(s.expiresAt)}</span>; refresh token: ${s.tokens.refresh_token ? 'yes' : 'no'}; refreshed <span id="refresh-count">${s.refreshed ?? 0}</span> times</p>
<form method="post" action="/refresh"><button id="refresh" type="submit">Refresh</button></form>
<form method="post" action="/logout"><button id="sign-out" type="submit">Sign out</button></form>`
    : `<p>You are not signed in.</p><p><a id="sign-in" href="/login">Sign in</a></p>`;
  const error = s.error ? `<p id="error" role="alert">${esc(s.error)}</p>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Example app</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}
th{text-align:left;padding-right:1rem;vertical-align:top}td{word-break:break-all}form{display:inline-block;margin-right:.5rem}</style></head>
<body><h1>Example app</h1><p>A relying party of ${esc(issuerText)} (client <code>${esc(clientId)}</code>).</p>${error}${body}</body></html>`;
}

function remember(s, tokens) {
  s.tokens = tokens;
  s.expiresAt = tokens.expires_in ? Math.floor(Date.now() / 1000) + tokens.expires_in : undefined;
  if (tokens.id_token) {
    s.idToken = tokens.id_token;
    s.claims = tokens.claims();
  }
}

const routes = {
  'GET /': async (req, res, s) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page(s));
    delete s.error;
  },
  // RFC 6749 §4.1.1 with PKCE (RFC 7636 §4.1-4.2), state (CSRF) and nonce (OIDC §3.1.2.1).
  'GET /login': async (req, res, s) => {
    const verifier = oidc.randomPKCECodeVerifier();
    s.pending = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${self}/callback`, scope, state: s.pending.state, nonce: s.pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    res.writeHead(302, { location: url.href }).end();
  },
  // RFC 6749 §4.1.2-4.1.3: check state and iss, exchange the code, validate the id_token.
  'GET /callback': async (req, res, s) => {
    const pending = s.pending;
    delete s.pending;
    try {
      if (!pending) throw new Error('no sign-in is in progress in this browser');
      const tokens = await oidc.authorizationCodeGrant(config, new URL(req.url, self), {
        pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true,
      });
      remember(s, tokens);
      s.userinfo = await oidc.fetchUserInfo(config, tokens.access_token, s.claims.sub);
    } catch (e) {
      s.error = `Sign-in failed: ${e.error ? `${e.error}${e.error_description ? ` (${e.error_description})` : ''}` : e.message}`;
    }
    res.writeHead(302, { location: '/' }).end();
  },
  // RFC 6749 §6: a new access token (and a rotated refresh token, and a new id_token).
  'POST /refresh': async (req, res, s) => {
    try {
      if (!s.tokens?.refresh_token) throw new Error('no refresh token');
      remember(s, await oidc.refreshTokenGrant(config, s.tokens.refresh_token));
      s.refreshed = (s.refreshed ?? 0) + 1;
      s.userinfo = await oidc.fetchUserInfo(config, s.tokens.access_token, s.claims.sub);
    } catch (e) {
      s.error = `Refresh failed: ${e.error ?? e.message}`;
    }
    res.writeHead(303, { location: '/' }).end();
  },
  // OIDC RP-Initiated Logout 1.0 §2: sign out of Tessera too, then come back here.
  'POST /logout': async (req, res, s) => {
    const idToken = s.idToken;
    for (const k of Object.keys(s)) delete s[k];
    const url = oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: `${self}/`, ...(idToken ? { id_token_hint: idToken } : {}) });
    res.writeHead(303, { location: url.href }).end();
  },
};

createServer((req, res) => {
  const route = routes[`${req.method} ${new URL(req.url, self).pathname}`];
  if (!route) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  route(req, res, session(req, res)).catch((e) => {
    console.error(e);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
  });
}).listen(port, '127.0.0.1', () => {
  console.log(`Example app on ${self} (client ${clientId} of ${issuerText}). Open it in a browser and press "Sign in".`);
});
