// The peer: node-oidc-provider configured for the same work as Tessera's client_credentials
// scenarios. One confidential client (client_secret_basic); three resource servers select the
// access-token format: ES256 JWT (the default resource), RS256 JWT, and opaque. Introspection
// is enabled so the opaque token can be introspected. In-memory adapter (its default).
// Started by bench/run.ts in its own process; prints one JSON line {"port": N} when listening.
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const host = '127.0.0.1';
const port = Number(process.env.PORT ?? 0);
const clientId = process.env.BENCH_CLIENT_ID ?? 'bench';
const clientSecret = process.env.BENCH_CLIENT_SECRET ?? 'bench-secret-bench-secret-bench-secret-0123';

export const RESOURCES = {
  'https://es256.bench.test/': { alg: 'ES256', format: 'jwt' },
  'https://rs256.bench.test/': { alg: 'RS256', format: 'jwt' },
  'https://opaque.bench.test/': { alg: undefined, format: 'opaque' },
};

async function jwk(alg, opts) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...opts });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `bench-${alg.toLowerCase()}` };
}

const server = createServer();
server.listen(port, host, async () => {
  const actual = server.address().port;
  const issuer = `http://${host}:${actual}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'api:read',
    }],
    jwks: { keys: [await jwk('ES256'), await jwk('RS256', { modulusLength: 2048 })] },
    scopes: ['api:read'],
    features: {
      devInteractions: { enabled: false },
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
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ port: actual })}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
