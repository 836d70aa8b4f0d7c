// /admin/clients: OAuth clients (RFC 7591 metadata names). Input goes through validateClient,
// as the config file's and the CLI's, and changes through saveClient (core/sessions.ts), so
// disabling a client ends its tokens whichever way it is done. A secret is generated here
// and shown once, in the response that made it.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validateClient } from '../../config/validate.js';
import { generateClientSecret, hashClientSecret } from '../../core/secrets.js';
import { saveClient } from '../../core/sessions.js';
import type { Client } from '../../core/types.js';
import { clientFromConfig } from '../../entities.js';
import { resetLockKeys } from '../../limits/policy.js';
import type { Tessera } from '../../runtime.js';
import { recordChange } from '../audit.js';
import { paginate, matches } from '../pagination.js';
import { badField, conflict, notFound } from '../problem.js';
import { idParam, noContent, page, pageQuery, ref } from '../schemas.js';
import { clientInput, clientView } from '../views.js';

const now = () => Math.floor(Date.now() / 1000);
const params = idParam('client_id');
type ById = { Params: { client_id: string } };
const cfg = (operationId: string, summary: string) => ({ operationId, summary, tag: 'clients' });

/** Tessera re-creates a managed client at every start: a change made here would be undone. */
function operatorOwned(c: Client): Client {
  if (c.managed_by !== null) throw conflict(`client ${JSON.stringify(c.client_id)} is managed by Tessera (${c.managed_by}); it cannot be changed here`);
  return c;
}

export function clientRoutes(app: FastifyInstance, t: Tessera): void {
  const fresh = async (id: string): Promise<Client> => {
    const c = await t.store.clients.get(id);
    if (!c) throw notFound('client', id);
    return c;
  };

  app.post<{ Body: Record<string, unknown> }>('/admin/clients', {
    config: cfg('createClient', 'Register a client; a confidential one gets a generated secret, shown once'),
    schema: { body: ref('ClientCreate'), response: { 201: ref('ClientWithSecret') } },
  }, async (req, reply) => {
    const method = req.body.token_endpoint_auth_method ?? 'client_secret_basic';
    const secret = method === 'none' ? undefined : generateClientSecret();
    const input = validateClient({ client_id: randomUUID(), ...req.body, token_endpoint_auth_method: method, client_secret: secret }, '');
    const client = await clientFromConfig(input, null);
    if (!(await t.store.clients.create(client))) throw conflict(`a client with client_id ${JSON.stringify(client.client_id)} exists`);
    await recordChange(t, req, { action: 'client.create', resource: 'client', id: client.client_id, after: clientView(client) });
    reply.code(201).header('location', `/admin/clients/${encodeURIComponent(client.client_id)}`).header('cache-control', 'no-store');
    return { client: clientView(client), ...(secret ? { client_secret: secret } : {}) };
  });

  app.get<{ Querystring: { limit: number; cursor?: string; q?: string; disabled?: boolean } }>('/admin/clients', {
    config: cfg('listClients', 'List clients, by client_id'),
    schema: {
      querystring: pageQuery({ q: { type: 'string', maxLength: 255, description: 'substring of client_id or client_name' }, disabled: { type: 'boolean' } }),
      response: { 200: page('Client') },
    },
  }, async (req) => {
    const { limit, cursor, q, disabled } = req.query;
    const all = (await t.store.clients.list()).filter((c) => matches(q, c.client_id, c.client_name) && (disabled === undefined || c.disabled === disabled));
    const p = paginate(all, (c) => c.client_id, limit, cursor);
    return { items: p.items.map(clientView), next_cursor: p.next_cursor };
  });

  app.get<ById>('/admin/clients/:client_id', {
    config: cfg('getClient', 'One client (never its secret)'), schema: { params, response: { 200: ref('Client') } },
  }, async (req) => clientView(await fresh(req.params.client_id)));

  app.patch<ById & { Body: Record<string, unknown> }>('/admin/clients/:client_id', {
    config: cfg('updateClient', 'Change a client\'s metadata (the fields given); not its id, secret or state'),
    schema: { params, body: ref('ClientPatch'), response: { 200: ref('Client') } },
  }, async (req) => {
    const before = operatorOwned(await fresh(req.params.client_id));
    const raw = { ...clientInput(before), ...req.body };
    const confidential = raw.token_endpoint_auth_method !== 'none';
    if (confidential !== (before.token_endpoint_auth_method !== 'none')) {
      throw badField('/token_endpoint_auth_method', 'cannot change between a public and a confidential client; register a new client');
    }
    // The stored secret stays: validation only needs to know there is one.
    const input = validateClient({ ...raw, ...(confidential ? { client_secret: 'kept' } : {}) }, '');
    delete input.client_secret;
    const next: Client = { ...(await clientFromConfig(input, before)), client_secret_hash: before.client_secret_hash, disabled: before.disabled };
    await saveClient(t.store, next, before, now());
    await recordChange(t, req, { action: 'client.update', resource: 'client', id: next.client_id, before: clientView(before), after: clientView(next) });
    return clientView(next);
  });

  app.post<ById>('/admin/clients/:client_id/secret', {
    config: cfg('rotateClientSecret', 'Replace the secret: the new one is shown once, the old one stops working'),
    schema: { params, response: { 200: ref('ClientWithSecret') } },
  }, async (req, reply) => {
    const before = operatorOwned(await fresh(req.params.client_id));
    if (before.token_endpoint_auth_method === 'none') throw conflict(`client ${JSON.stringify(before.client_id)} is public (token_endpoint_auth_method none): it has no secret`);
    const secret = generateClientSecret();
    const next: Client = { ...before, client_secret_hash: await hashClientSecret(secret), updated_at: now() };
    await t.store.clients.upsert(next);
    await recordChange(t, req, { action: 'client.rotate_secret', resource: 'client', id: next.client_id, before: clientView(before), after: clientView(next) });
    reply.header('cache-control', 'no-store');
    return { client: clientView(next), client_secret: secret };
  });

  for (const disabled of [true, false]) {
    app.post<ById>(`/admin/clients/:client_id/${disabled ? 'disable' : 'enable'}`, {
      config: cfg(disabled ? 'disableClient' : 'enableClient', disabled
        ? 'Disable a client: its credentials stop working and every token it was issued reads inactive'
        : 'Enable a disabled client; tokens revoked when it was disabled stay revoked'),
      schema: { params, response: { 200: ref('Client') } },
    }, async (req: FastifyRequest<ById>) => {
      const before = operatorOwned(await fresh(req.params.client_id));
      const at = now();
      const next = { ...before, disabled, updated_at: at };
      await saveClient(t.store, next, before, at);
      await recordChange(t, req, { action: disabled ? 'client.disable' : 'client.enable', resource: 'client', id: next.client_id, before: clientView(before), after: clientView(next) });
      return clientView(next);
    });
  }

  app.post<ById>('/admin/clients/:client_id/unlock', {
    config: cfg('unlockClient', 'Lift a lockout after failed authentications'), schema: { params, response: { 200: ref('Client') } },
  }, async (req) => {
    const before = await fresh(req.params.client_id);
    await t.store.clients.setLock(before.client_id, null);
    // This instance's counters (or Redis, shared by all); others drop a lock whose row says unlocked.
    await resetLockKeys(t.limits, 'client', before.client_id);
    const after = { ...before, locked_until: null };
    await recordChange(t, req, { action: 'client.unlock', resource: 'client', id: before.client_id, before: clientView(before), after: clientView(after) });
    return clientView(after);
  });

  app.delete<ById>('/admin/clients/:client_id', {
    config: cfg('deleteClient', 'Delete a client and every token issued to it'), schema: { params, response: { 204: noContent } },
  }, async (req, reply) => {
    const before = operatorOwned(await fresh(req.params.client_id));
    if (!(await t.store.clients.delete(before.client_id))) throw notFound('client', before.client_id);
    await recordChange(t, req, { action: 'client.delete', resource: 'client', id: before.client_id, before: clientView(before) });
    return reply.code(204).send();
  });
}
