// The ceiling: a bare Fastify app whose POST /token signs one ES256 JWT with jose (the same
// claim set as Tessera's RFC 9068 token), with no client authentication and no storage; and
// GET /hello, a hello-world route (the ceiling of the HTTP stack and the load generator).
// Started by bench/run.ts in its own process; prints one JSON line {"port": N} when listening.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { generateKeyPair, SignJWT } from 'jose';

const port = Number(process.env.PORT ?? 0);
const issuer = 'http://127.0.0.1';
const { privateKey } = await generateKeyPair('ES256');

const app = Fastify({ logger: false });
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
  done(null, Object.fromEntries(new URLSearchParams(body)));
});

app.post('/token', async (req, reply) => {
  const scope = (req.body && req.body.scope) || 'api:read';
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ client_id: 'bench', scope })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'bench' })
    .setIssuer(issuer).setSubject('bench').setAudience(issuer)
    .setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 3600).setJti(randomUUID())
    .sign(privateKey);
  reply.header('cache-control', 'no-store');
  return { access_token: token, token_type: 'Bearer', expires_in: 3600, scope };
});

app.get('/hello', async () => ({ hello: 'world' }));

await app.listen({ host: '127.0.0.1', port });
process.stdout.write(`${JSON.stringify({ port: app.server.address().port })}\n`);

const stop = () => app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
