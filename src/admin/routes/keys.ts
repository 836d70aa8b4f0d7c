// /admin/keys: the token signing keys. Rotation and retirement follow the key schedule
// (core/key-schedule.ts): a new key is published at once and signs from key_publish_ahead
// seconds on; a retired key stops signing and stays in the JWKS until its tokens expire.
import type { FastifyInstance } from 'fastify';
import { signingKeyAt } from '../../core/key-schedule.js';
import type { SigningKey } from '../../core/keys.js';
import { SIGNING_ALGS, type SigningAlg } from '../../core/types.js';
import type { Tessera } from '../../runtime.js';
import { recordChange } from '../audit.js';
import { conflict, notFound } from '../problem.js';
import { idParam, ref } from '../schemas.js';

const now = () => Math.floor(Date.now() / 1000);
const cfg = (operationId: string, summary: string) => ({ operationId, summary, tag: 'keys' });

export function keyRoutes(app: FastifyInstance, t: Tessera): void {
  const view = (k: SigningKey) => ({
    kid: k.kid, alg: k.alg, created_at: k.createdAt, activates_at: k.activatesAt, retired_at: k.retiredAt,
    status: t.keys.currentSync(k.alg)?.kid === k.kid ? 'current' : k.activatesAt > now() && (k.retiredAt === null || k.retiredAt > now()) ? 'next' : 'retired',
  });
  const signing = () => Object.fromEntries(SIGNING_ALGS.flatMap((alg) => {
    const k = t.keys.currentSync(alg);
    return k ? [[alg, k.kid]] : [];
  }));

  app.get('/admin/keys', {
    config: cfg('listKeys', 'Signing keys (all published in the JWKS), and which kid signs now per alg'),
    schema: {
      response: {
        200: {
          type: 'object', required: ['items', 'signing'],
          properties: {
            items: { type: 'array', items: ref('Key') },
            signing: { type: 'object', description: 'alg → the kid that signs now', additionalProperties: { type: 'string' } },
          },
        },
      },
    },
  }, async () => {
    await t.keys.load();
    return { items: t.keys.all().map(view), signing: signing() };
  });

  app.post<{ Body: { alg?: SigningAlg } }>('/admin/keys/rotate', {
    // The body is optional: `curl -X POST …/rotate` rotates the configured signing_alg.
    preValidation: async (req) => { if (req.body === undefined) req.body = {}; },
    config: cfg('rotateKey', 'Add a signing key: published now, signs from key_publish_ahead seconds on (at once for an alg without a key)'),
    schema: {
      body: { type: 'object', additionalProperties: false, properties: { alg: { type: 'string', enum: [...SIGNING_ALGS], description: 'default: the configured signing_alg' } } },
      response: { 201: ref('Key') },
    },
  }, async (req, reply) => {
    const alg = req.body.alg ?? t.config.signing_alg;
    const previous = t.keys.currentSync(alg);
    const k = await t.keys.rotate(alg);
    await recordChange(t, req, { action: 'key.rotate', resource: 'key', id: k.kid, before: previous ? view(previous) : undefined, after: view(k) });
    return reply.code(201).send(view(k));
  });

  app.post<{ Params: { kid: string } }>('/admin/keys/:kid/retire', {
    config: cfg('retireKey', 'Stop signing with a key now; it stays published until the tokens it signed expire'),
    schema: { params: idParam('kid'), response: { 200: ref('Key') } },
  }, async (req) => {
    await t.keys.load();
    const k = t.keys.byKid(req.params.kid);
    if (!k) throw notFound('key', req.params.kid);
    const at = now();
    if (k.retiredAt !== null && k.retiredAt <= at) throw conflict(`key ${k.kid} is already retired`);
    // Never leave an algorithm in use without a key that signs now.
    const after = t.keys.all().map((x) => (x === k ? { ...x, retiredAt: at } : x));
    if (t.keys.currentSync(k.alg)?.kid === k.kid && !signingKeyAt(after, k.alg, at)) {
      throw conflict(`key ${k.kid} is the only ${k.alg} key that can sign now: rotate first, and retire it once the new key signs`);
    }
    const before = view(k);
    await t.store.keys.retire(k.kid, at);
    await t.keys.load();
    const retired = view(t.keys.byKid(k.kid)!);
    await recordChange(t, req, { action: 'key.retire', resource: 'key', id: k.kid, before, after: retired });
    return retired;
  });
}
