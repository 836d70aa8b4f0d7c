// Tessera's side of the benchmark: the generated config (clients for every scenario, one
// user), and the scenarios' requests against it.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseExtra } from './features.js';
import { basic, form, FORM, hasAccessToken, type HttpRequest, type LoadSpec } from './load.js';

/** Generated, high-entropy secrets (>= 128 bits: Tessera stores them with a fast salted hash). */
export const SECRET = randomBytes(32).toString('base64url');
export const USER = { username: 'bench-user', password: `pw-${randomBytes(12).toString('base64url')}` };
export const SCOPE = 'api:read';

/** The code-flow client (bench/scenarios/code-flow.ts): codes for it are pre-minted in its store. */
export const CODE_CLIENT = 'code-client';
export const CODE_REDIRECT = 'http://127.0.0.1/cb';

/** client_id → extra client settings. Every client shares SECRET. */
export const CLIENTS: Record<string, Record<string, unknown>> = {
  'cc-es256': {},
  'cc-rs256': { access_token_signing_alg: 'RS256' },
  'cc-opaque': { access_token_format: 'opaque' },
  'rt-client': { grant_types: ['password', 'refresh_token'] },
  'o-client': { profile: 'o', grant_types: ['client_credentials', 'password', 'refresh_token'] },
  'apk-client': { profile: 'apk' },
  'v1-client': { profile: 'v1', grant_types: ['client_credentials', 'password', 'refresh_token'] },
  // As oidc-provider's code flow answers by default: an opaque access token and an id_token (ES256 here on both).
  [CODE_CLIENT]: {
    grant_types: ['authorization_code'], redirect_uris: [CODE_REDIRECT], scope: 'openid', access_token_format: 'opaque',
    id_token_signed_response_alg: 'ES256', client_name: 'Bench code-flow client',
  },
};

/** Write a Tessera config (JSON is YAML) and return its path; `extra` overrides any key. */
export function writeTesseraConfig(dir: string, port: number, database: string, extra: Record<string, unknown> = {}): string {
  const config = {
    host: '127.0.0.1',
    port,
    database,
    data_dir: dir,
    secret_key: randomBytes(32).toString('hex'),
    log_level: 'warn',
    // No admin listener: instances started side by side would contend for its port 8081,
    // and the public app stays the one measured (with /metrics on it, as before).
    admin: false,
    signing_alg: 'ES256',
    clients: Object.entries(CLIENTS).map(([client_id, extra]) => ({
      client_id, client_secret: SECRET, grant_types: ['client_credentials'], scope: [SCOPE], ...extra,
    })),
    users: [{ username: USER.username, password: USER.password }],
    ...baseExtra(),
    ...extra,
  };
  const file = join(dir, `tessera-${port}.yaml`);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

const token = (clientId: string, fields: Record<string, string>, path = '/oauth2/token') => ({
  method: 'POST' as const, path,
  headers: { 'content-type': FORM, authorization: basic(clientId, SECRET) },
  body: form(fields),
});

/** client_credentials at /oauth2/token for one of CLIENTS. */
export const clientCredentials = (clientId: string, connections: number): LoadSpec => ({
  connections,
  request: () => token(clientId, { grant_type: 'client_credentials', scope: SCOPE }),
  check: hasAccessToken,
});

/** Issue `n` tokens by the password grant (refresh tokens to start chains from). */
export async function passwordTokens(url: string, n: number, clientId = 'rt-client'): Promise<{ access_token: string; refresh_token?: string }[]> {
  const out: { access_token: string; refresh_token?: string }[] = [];
  const one = async () => {
    const t = token(clientId, { grant_type: 'password', username: USER.username, password: USER.password, scope: SCOPE });
    const r = await fetch(`${url}${t.path}`, { method: 'POST', headers: t.headers, body: t.body });
    const body = await r.text();
    if (r.status !== 200) throw new Error(`password grant failed: ${r.status} ${body}`);
    out.push(JSON.parse(body) as { access_token: string; refresh_token?: string });
  };
  for (let i = 0; i < n; i += 8) await Promise.all(Array.from({ length: Math.min(8, n - i) }, one));
  return out;
}

/**
 * refresh_token with rotation, one chain per connection: each connection starts from its own
 * refresh token (pre-issued by the password grant) and always presents the token returned by
 * its previous response. Fresh chains for the warm-up and for the measured run.
 */
export function refreshChains(url: string, connections: number): LoadSpec {
  let chains: string[] = [];
  return {
    connections,
    dynamic: true,
    async prepare(n) {
      chains = (await passwordTokens(url, n)).map((t) => t.refresh_token!);
    },
    request: (slot) => token('rt-client', { grant_type: 'refresh_token', refresh_token: chains[slot]! }),
    check(status, body, slot) {
      if (status !== 200) return false;
      try {
        const b = JSON.parse(body) as { access_token?: string; refresh_token?: string };
        if (!b.access_token || !b.refresh_token) return false;
        chains[slot] = b.refresh_token;
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** One client_credentials request of `clientId` (for wrk, which sends one fixed request). */
export const clientCredentialsRequest = (clientId: string): HttpRequest => token(clientId, { grant_type: 'client_credentials', scope: SCOPE });

/** A password grant for the bench user with a wrong password: a full argon2id verification that fails. */
export const wrongPasswordRequest = (): HttpRequest =>
  token('rt-client', { grant_type: 'password', username: USER.username, password: `wrong-${USER.password}`, scope: SCOPE });

/** The password grant (argon2id verification on every request). */
export const passwordGrant = (connections: number): LoadSpec => ({
  connections,
  request: () => token('rt-client', { grant_type: 'password', username: USER.username, password: USER.password, scope: SCOPE }),
  check: hasAccessToken,
});

/** RFC 7662 introspection of one opaque token (issued in prepare), by the client it was issued to. */
export function introspection(url: string, connections: number): LoadSpec {
  let opaque = '';
  return {
    connections,
    async prepare() {
      const t = token('cc-opaque', { grant_type: 'client_credentials', scope: SCOPE });
      const r = await fetch(`${url}${t.path}`, { method: 'POST', headers: t.headers, body: t.body });
      opaque = ((await r.json()) as { access_token: string }).access_token;
    },
    request: () => token('cc-opaque', { token: opaque }, '/oauth2/introspect'),
    check: (status, body) => status === 200 && body.includes('"active":true'),
  };
}

export const jwks = (path: string, connections: number): LoadSpec => ({
  connections,
  request: () => ({ method: 'GET', path }),
  check: (status, body) => status === 200 && body.includes('"keys":[{'),
});

/** The client_credentials scenario through each dialect's route. */
export const dialectScenarios = (connections: number): { id: string; title: string; spec: LoadSpec }[] => [
  {
    id: 'dialect-o', title: 'client_credentials via o: POST /o/token/',
    spec: { connections, request: () => token('o-client', { grant_type: 'client_credentials', scope: SCOPE }, '/o/token/'), check: hasAccessToken },
  },
  {
    id: 'dialect-apk', title: 'client_credentials via apk: /oauth2/token, apk-profile client (RS256)',
    spec: { connections, request: () => token('apk-client', { grant_type: 'client_credentials' }), check: hasAccessToken },
  },
  {
    id: 'dialect-v1', title: 'client_credentials via v1: POST /v1/oauth/token/company (JSON)',
    spec: {
      connections,
      request: () => ({
        method: 'POST', path: '/v1/oauth/token/company', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'v1-client', client_secret: SECRET, scope: SCOPE }),
      }),
      check: hasAccessToken,
    },
  },
];

/** HCX has no client_credentials: its user token route runs the password grant (argon2id). */
export const hcxUserToken = (connections: number): LoadSpec => ({
  connections,
  request: () => ({
    method: 'POST', path: '/api/v0.8/user/auth/token/generate', headers: { 'content-type': FORM },
    body: form({ username: USER.username, password: USER.password }),
  }),
  check: hasAccessToken,
});
