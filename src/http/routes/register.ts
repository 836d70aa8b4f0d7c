// POST /oauth2/register (RFC 7591 §3) and GET/PUT/DELETE /oauth2/register/:client_id
// (RFC 7592 §2): thin over core/registration.ts. Bodies are JSON objects (RFC 7591 §3.1),
// read whole (lists included) by a parser of this route's own; metadata errors are the
// config file's, mapped to RFC 7591 §3.2.2 codes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConfigError } from '../../config/error.js';
import { validateClient } from '../../config/validate.js';
import { invalidRequest, OAuthError } from '../../core/errors.js';
import { invalidMetadata, Registration, type ClientBuilder } from '../../core/registration.js';
import { clientFromConfig } from '../../entities.js';
import type { Tessera } from '../../runtime.js';
import { isUnicodeText } from '../body.js';
import { bearerToken } from '../credentials.js';
import { noStore } from '../reply.js';
import { route } from './methods.js';

type Raw = Record<string, unknown>;

/** The config file's rules; a problem becomes invalid_redirect_uri or invalid_client_metadata. */
const build: ClientBuilder = async (metadata, existing) => {
  try {
    const cfg = validateClient(metadata, '');
    // An update keeps the stored secret (core/registration.ts): the placeholder that passed
    // the validator's secret rule is not hashed.
    return await clientFromConfig(existing ? { ...cfg, client_secret: undefined } : cfg, existing);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const problem = e.message.slice('config: '.length);
    if (e.key === 'redirect_uris') throw new OAuthError('invalid_redirect_uri', problem);
    throw invalidMetadata(problem);
  }
};

/** Every string of a JSON document, keys included, at any depth. */
function* strings(v: unknown): Generator<string> {
  if (typeof v === 'string') yield v;
  else if (Array.isArray(v)) for (const x of v) yield* strings(x);
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) { yield k; yield* strings(x); }
}

/**
 * A JSON object, any depth; NUL nowhere (PostgreSQL text cannot hold it), and no lone
 * surrogate (UTF-8 cannot: it would be stored as U+FFFD, not what the response shows).
 */
function parseRegistrationJson(buf: Buffer): Raw {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf));
  } catch {
    throw invalidRequest('request body is not valid UTF-8 JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidRequest('the body must be a JSON object of client metadata (RFC 7591 §3.1)');
  if (JSON.stringify(doc).includes('\\u0000')) throw invalidRequest('the body contains a NUL character');
  for (const text of strings(doc)) if (!isUnicodeText(text)) throw invalidRequest('the body is not valid Unicode text (a lone surrogate)');
  return doc as Raw;
}

const notJson = () => new OAuthError('invalid_request', 'registration requests are JSON: Content-Type: application/json (RFC 7591 §3.1)', { status: 415 });

/** The parsed JSON object; a request without one (no body, no Content-Type) is refused as the parser would. */
function jsonBody(req: FastifyRequest): Raw {
  if (!req.headers['content-type']?.toLowerCase().startsWith('application/json')) throw notJson();
  return req.body && typeof req.body === 'object' ? req.body as Raw : {};
}
const bearer = (req: FastifyRequest) => {
  const h = req.headers.authorization;
  const token = bearerToken(h);
  // Another scheme (Basic) or a malformed header is no registration token.
  if (h !== undefined && token === undefined) throw new OAuthError('invalid_token', 'use Authorization: Bearer', { status: 401, headers: { 'www-authenticate': 'Bearer realm="tessera", error="invalid_token"' } });
  return token;
};
const now = () => Math.floor(Date.now() / 1000);

export function registrationRoutes(app: FastifyInstance, t: Tessera): void {
  const policy = t.config.registration;
  const registration = policy === false ? null : new Registration({
    clients: t.store.clients, tokens: t.store.registrationTokens, policy, endpoint: () => `${t.config.issuer}/oauth2/register`, build,
  });
  const enabled = (): Registration => {
    if (!registration) throw new OAuthError('access_denied', 'dynamic client registration is not enabled on this server', { status: 403 });
    return registration;
  };
  // Its own JSON parser (lists and all), in a scope of its own: the other endpoints keep theirs.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, buf, done) => {
      try { done(null, parseRegistrationJson(buf as Buffer)); } catch (e) { done(e as Error, undefined); }
    });
    scope.addContentTypeParser('*', (_req, _payload, done) => {
      done(notJson(), undefined);
    });
    const send = (reply: FastifyReply, status: number, doc: Raw) => noStore(reply).status(status).type('application/json').send(doc);
    route(scope, 'POST', '/oauth2/register', async (req, reply) => {
      const r = enabled();
      return send(reply, 201, await r.register(bearer(req), jsonBody(req), now()));
    }, { rateLimited: true });
    const one = '/oauth2/register/:client_id';
    const id = (req: FastifyRequest) => (req.params as { client_id: string }).client_id;
    // One registration for the three methods: route() answers the others with 405 + Allow.
    route(scope, ['GET', 'PUT', 'DELETE'], one, async (req, reply) => {
      const r = enabled();
      if (req.method === 'DELETE') {
        await r.delete(id(req), bearer(req));
        return noStore(reply).status(204).send();
      }
      if (req.method === 'PUT') return send(reply, 200, await r.update(id(req), bearer(req), jsonBody(req), now()));
      return send(reply, 200, await r.read(id(req), bearer(req)));
    }, { rateLimited: true });
  });
}
