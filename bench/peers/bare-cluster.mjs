// The ceiling for `workers: N`: a bare Fastify POST /token in N processes (node:cluster,
// WORKERS, default 2) sharing one port, each signing the same ES256 JWT as Tessera's RFC 9068
// token synchronously with node:crypto (no jose, no client authentication, no storage).
// The primary makes one key for all workers and prints {"port": N} once every worker listens.
import cluster from 'node:cluster';
import { createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import Fastify from 'fastify';

const workers = Number(process.env.WORKERS ?? 2);

if (cluster.isPrimary) {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  let listening = 0;
  cluster.on('listening', (_w, addr) => {
    if (++listening === workers) process.stdout.write(`${JSON.stringify({ port: addr.port })}\n`);
  });
  for (let i = 0; i < workers; i++) cluster.fork({ BENCH_KEY_PEM: pem });
  const stop = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const key = createPrivateKey(process.env.BENCH_KEY_PEM);
  const issuer = 'http://127.0.0.1';
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const header = b64({ alg: 'ES256', typ: 'at+jwt', kid: 'bench' });

  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body)));
  });
  app.post('/token', async (req, reply) => {
    const scope = (req.body && req.body.scope) || 'api:read';
    const now = Math.floor(Date.now() / 1000);
    const payload = b64({ iss: issuer, sub: 'bench', aud: issuer, iat: now, nbf: now, exp: now + 3600, jti: randomUUID(), client_id: 'bench', scope });
    const input = `${header}.${payload}`;
    // JWS ES256 (RFC 7518 §3.4): the raw r||s signature, not DER.
    const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    reply.header('cache-control', 'no-store');
    return { access_token: `${input}.${sig}`, token_type: 'Bearer', expires_in: 3600, scope };
  });
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
}
