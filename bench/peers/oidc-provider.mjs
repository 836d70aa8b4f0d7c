// The peer: node-oidc-provider configured for the same work as Tessera's client_credentials
// scenarios. One confidential client (client_secret_basic); three resource servers select the
// access-token format: ES256 JWT (the default resource), RS256 JWT, and opaque. Introspection
// is enabled so the opaque token can be introspected. In memory: a plain Map adapter
// (below), because the default memory adapter is an LRU of 1,000 entries, fewer than the
// codes the code-exchange scenario pre-mints.
// Started by bench/run.ts in its own process; prints one JSON line {"port": N} when listening.
//
// The code flow (bench/scenarios/code-flow.ts): a second confidential client `bench-code`
// (authorization_code, redirect http://127.0.0.1/cb, ES256 id_tokens), oidc-provider's own
// login page (devInteractions: GET /auth redirects to /interaction/:uid, which renders it),
// and GET /bench/mint?n=N, which pre-mints N authorization codes through the provider's API
// (one Grant, then `new provider.AuthorizationCode({...}).save()` each) for the code-exchange
// scenario: openid scope, nonce, PKCE S256 with the verifier BENCH_CODE_VERIFIER.
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const host = '127.0.0.1';
const port = Number(process.env.PORT ?? 0);
const clientId = process.env.BENCH_CLIENT_ID ?? 'bench';
const clientSecret = process.env.BENCH_CLIENT_SECRET ?? 'bench-secret-bench-secret-bench-secret-0123';
export const CODE_CLIENT = 'bench-code';
export const CODE_REDIRECT = 'http://127.0.0.1/cb';
const codeVerifier = process.env.BENCH_CODE_VERIFIER ?? 'bench-code-verifier-bench-code-verifier-0123456789';
const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');

export const RESOURCES = {
  'https://es256.bench.test/': { alg: 'ES256', format: 'jwt' },
  'https://rs256.bench.test/': { alg: 'RS256', format: 'jwt' },
  'https://opaque.bench.test/': { alg: undefined, format: 'opaque' },
};

/** oidc-provider's adapter interface over one Map, with expiry checked on read. */
const storage = new Map();
class MapAdapter {
  constructor(name) { this.name = name; }
  key(id) { return `${this.name}:${id}`; }
  async upsert(id, payload, expiresIn) {
    storage.set(this.key(id), { payload, exp: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    if (payload.uid) storage.set(this.key(`uid:${payload.uid}`), { payload: id, exp: Infinity });
    if (payload.userCode) storage.set(this.key(`userCode:${payload.userCode}`), { payload: id, exp: Infinity });
  }
  async find(id) {
    const e = storage.get(this.key(id));
    if (!e) return undefined;
    if (e.exp <= Date.now()) { storage.delete(this.key(id)); return undefined; }
    return e.payload;
  }
  async findByUid(uid) { const id = storage.get(this.key(`uid:${uid}`))?.payload; return id ? this.find(id) : undefined; }
  async findByUserCode(code) { const id = storage.get(this.key(`userCode:${code}`))?.payload; return id ? this.find(id) : undefined; }
  async consume(id) { const p = await this.find(id); if (p) p.consumed = Math.floor(Date.now() / 1000); }
  async destroy(id) { storage.delete(this.key(id)); }
  async revokeByGrantId(grantId) {
    for (const [k, e] of storage) if (e.payload?.grantId === grantId) storage.delete(k);
  }
}

async function jwk(alg, opts) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...opts });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `bench-${alg.toLowerCase()}` };
}

const server = createServer();
server.listen(port, host, async () => {
  const actual = server.address().port;
  const issuer = `http://${host}:${actual}`;
  const provider = new Provider(issuer, {
    adapter: MapAdapter,
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'api:read',
    }, {
      client_id: CODE_CLIENT,
      client_secret: clientSecret,
      grant_types: ['authorization_code'],
      redirect_uris: [CODE_REDIRECT],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    }],
    ttl: { AuthorizationCode: 600 },
    jwks: { keys: [await jwk('ES256'), await jwk('RS256', { modulusLength: 2048 })] },
    scopes: ['api:read'],
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'https://es256.bench.test/',
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          const r = RESOURCES[resource];
          if (!r) throw new Provider.errors.InvalidTarget();
          return {
            scope: 'api:read',
            audience: resource,
            accessTokenTTL: 3600,
            accessTokenFormat: r.format,
            ...(r.alg ? { jwt: { sign: { alg: r.alg } } } : {}),
          };
        },
      },
    },
  });
  if (process.env.BENCH_DEBUG) provider.on('grant.error', (_ctx, err) => process.stderr.write(`grant.error: ${err.error_detail ?? err.message}\n`));
  const callback = provider.callback();
  let grantId;
  async function mint(n) {
    const client = await provider.Client.find(CODE_CLIENT);
    if (!grantId) {
      const grant = new provider.Grant({ accountId: 'bench-user', clientId: CODE_CLIENT });
      grant.addOIDCScope('openid');
      grantId = await grant.save();
    }
    const authTime = Math.floor(Date.now() / 1000);
    const codes = [];
    for (let i = 0; i < n; i++) {
      codes.push(await new provider.AuthorizationCode({
        accountId: 'bench-user', client, grantId, scope: 'openid', redirectUri: CODE_REDIRECT, authTime,
        nonce: `n-${i}`, codeChallenge, codeChallengeMethod: 'S256',
      }).save());
    }
    return codes;
  }
  server.on('request', (req, res) => {
    const url = new URL(req.url, issuer);
    if (url.pathname !== '/bench/mint') return callback(req, res);
    mint(Math.min(Number(url.searchParams.get('n') ?? 1), 1_000_000)).then(
      (codes) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ codes })),
      (e) => res.writeHead(500).end(String(e?.stack ?? e)),
    );
  });
  process.stdout.write(`${JSON.stringify({ port: actual })}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
