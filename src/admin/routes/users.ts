// /admin/users: resource owners. Input goes through validateUser (the config file's rules);
// changes through saveUser/deleteUser (core/sessions.ts), so a new password or disabling
// ends the user's sessions whichever way it is done. Users are addressed by their id.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validateUser } from '../../config/validate.js';
import { passwordProblem } from '../../core/credential-policy.js';
import { hashPassword } from '../../core/password.js';
import { deleteUser, saveUser } from '../../core/sessions.js';
import type { User } from '../../core/types.js';
import { userFromConfig } from '../../entities.js';
import { resetLockKeys } from '../../limits/policy.js';
import type { Tessera } from '../../runtime.js';
import { recordChange } from '../audit.js';
import { matches, paginate } from '../pagination.js';
import { badField, conflict, notFound } from '../problem.js';
import { idParam, noContent, page, pageQuery, ref } from '../schemas.js';
import { USER_FIELDS, userView } from '../views.js';

const now = () => Math.floor(Date.now() / 1000);
const params = idParam('id');
type ById = { Params: { id: string } };
const cfg = (operationId: string, summary: string) => ({ operationId, summary, tag: 'users' });

function operatorOwned(u: User): User {
  if (u.managed_by !== null) throw conflict(`user ${JSON.stringify(u.username)} is managed by Tessera (${u.managed_by}); it cannot be changed here`);
  return u;
}

export function userRoutes(app: FastifyInstance, t: Tessera): void {
  const find = async (id: string): Promise<User> => {
    const u = await t.store.users.getById(id);
    if (!u) throw notFound('user', id);
    return u;
  };
  const participantExists = async (code: string | undefined) => {
    if (code !== undefined && !(await t.store.participants.get(code))) throw badField('/participant_code', `no participant ${JSON.stringify(code)}`);
  };

  /** The same password policy as the CLI (core/credential-policy.ts). */
  const checkPassword = (password: string, username: string) => {
    const problem = passwordProblem(password, t.config.credential_policy, username);
    if (problem) throw badField('/password', `the password ${problem}`);
  };

  app.post<{ Body: Record<string, unknown> }>('/admin/users', {
    config: cfg('createUser', 'Create a user with the given password'),
    schema: { body: ref('UserCreate'), response: { 201: ref('User') } },
  }, async (req, reply) => {
    const input = validateUser(req.body, '');
    await participantExists(input.participant_code);
    if (await t.store.users.getByUsername(input.username)) throw conflict(`a user with username ${JSON.stringify(input.username)} exists`);
    checkPassword(input.password, input.username);
    const user = await t.store.users.upsert(await userFromConfig(input, null));
    await recordChange(t, req, { action: 'user.create', resource: 'user', id: user.id, after: userView(user) });
    reply.code(201).header('location', `/admin/users/${user.id}`);
    return userView(user);
  });

  app.get<{ Querystring: { limit: number; cursor?: string; q?: string; disabled?: boolean } }>('/admin/users', {
    config: cfg('listUsers', 'List users, by username'),
    schema: {
      querystring: pageQuery({ q: { type: 'string', maxLength: 255, description: 'substring of username, name or email' }, disabled: { type: 'boolean' } }),
      response: { 200: page('User') },
    },
  }, async (req) => {
    const { limit, cursor, q, disabled } = req.query;
    const all = (await t.store.users.list()).filter((u) => matches(q, u.username, u.name, u.email) && (disabled === undefined || u.disabled === disabled));
    const p = paginate(all, (u) => u.username, limit, cursor);
    return { items: p.items.map(userView), next_cursor: p.next_cursor };
  });

  app.get<ById>('/admin/users/:id', {
    config: cfg('getUser', 'One user (never the password hash)'), schema: { params, response: { 200: ref('User') } },
  }, async (req) => userView(await find(req.params.id)));

  app.patch<ById & { Body: Record<string, unknown> }>('/admin/users/:id', {
    config: cfg('updateUser', 'Change a user\'s attributes (the fields given); the password has its own route'),
    schema: { params, body: ref('UserPatch'), response: { 200: ref('User') } },
  }, async (req) => {
    const before = operatorOwned(await find(req.params.id));
    const input = validateUser({ username: before.username, password: 'unused', ...req.body }, '') as unknown as Record<string, unknown>;
    await participantExists(req.body.participant_code as string | undefined);
    const next: User = { ...before, updated_at: now() };
    for (const k of USER_FIELDS) if (k in req.body) (next as unknown as Record<string, unknown>)[k] = input[k];
    const { user } = await saveUser(t.store, next, before, now());
    await recordChange(t, req, { action: 'user.update', resource: 'user', id: user.id, before: userView(before), after: userView(user) });
    return userView(user);
  });

  app.put<ById & { Body: { password: string } }>('/admin/users/:id/password', {
    config: cfg('setUserPassword', 'Set a user\'s password; the user\'s sessions end'),
    schema: {
      params,
      body: { type: 'object', additionalProperties: false, required: ['password'], properties: { password: { type: 'string', minLength: 1, maxLength: 1024 } } },
      response: { 204: noContent },
    },
  }, async (req, reply) => {
    const before = operatorOwned(await find(req.params.id));
    checkPassword(req.body.password, before.username);
    const at = now();
    const { user } = await saveUser(t.store, { ...before, password_hash: await hashPassword(req.body.password), updated_at: at }, before, at);
    await t.store.sessions.endForUser(user.id, at);
    await recordChange(t, req, { action: 'user.set_password', resource: 'user', id: user.id, before: userView(before), after: userView(user) });
    return reply.code(204).send();
  });

  for (const disabled of [true, false]) {
    app.post<ById>(`/admin/users/:id/${disabled ? 'disable' : 'enable'}`, {
      config: cfg(disabled ? 'disableUser' : 'enableUser', disabled
        ? 'Disable a user: sign-in is refused and its tokens read inactive'
        : 'Enable a disabled user; sessions ended when it was disabled stay ended'),
      schema: { params, response: { 200: ref('User') } },
    }, async (req: FastifyRequest<ById>) => {
      const before = operatorOwned(await find(req.params.id));
      const at = now();
      const { user } = await saveUser(t.store, { ...before, disabled, updated_at: at }, before, at);
      if (disabled) await t.store.sessions.endForUser(user.id, at);
      await recordChange(t, req, { action: disabled ? 'user.disable' : 'user.enable', resource: 'user', id: user.id, before: userView(before), after: userView(user) });
      return userView(user);
    });
  }

  app.post<ById>('/admin/users/:id/unlock', {
    config: cfg('unlockUser', 'Lift a lockout after failed passwords'), schema: { params, response: { 200: ref('User') } },
  }, async (req) => {
    const before = await find(req.params.id);
    await t.store.users.setLock(before.username, null);
    // This instance's counters (or Redis, shared by all); others drop a lock whose row says unlocked.
    await resetLockKeys(t.limits, 'user', before.username);
    const after = { ...before, locked_until: null };
    await recordChange(t, req, { action: 'user.unlock', resource: 'user', id: before.id, before: userView(before), after: userView(after) });
    return userView(after);
  });

  app.delete<ById>('/admin/users/:id', {
    config: cfg('deleteUser', 'Delete a user; its sessions end'), schema: { params, response: { 204: noContent } },
  }, async (req, reply) => {
    const before = operatorOwned(await find(req.params.id));
    if ((await deleteUser(t.store, before, now())) === null) throw notFound('user', before.id);
    await t.store.sessions.endForUser(before.id, now());
    await recordChange(t, req, { action: 'user.delete', resource: 'user', id: before.id, before: userView(before) });
    return reply.code(204).send();
  });

  app.get<ById>('/admin/users/:id/sessions', {
    config: cfg('listUserSessions', 'The user\'s live sessions: refresh token families not revoked'),
    schema: { params, response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('Session') } } } } },
  }, async (req) => {
    const u = await find(req.params.id);
    return { items: await t.store.tokens.listUserFamilies(u.id, now()) };
  });

  app.delete<{ Params: { id: string; family: string } }>('/admin/users/:id/sessions/:family', {
    config: cfg('revokeUserSession', 'Revoke one session: its refresh tokens and the access tokens issued from it'),
    schema: { params: { type: 'object', required: ['id', 'family'], properties: { id: params.properties.id, family: params.properties.id } }, response: { 204: noContent } },
  }, async (req, reply) => {
    const u = await find(req.params.id);
    const f = await t.store.tokens.findFamily(req.params.family);
    if (!f || f.user_id !== u.id) throw notFound('session', req.params.family);
    await t.store.tokens.revokeFamily(f.id, now());
    await recordChange(t, req, { action: 'user.revoke_session', resource: 'session', id: f.id, before: { user_id: u.id, client_id: f.client_id } });
    return reply.code(204).send();
  });

  app.delete<ById>('/admin/users/:id/sessions', {
    config: cfg('revokeUserSessions', 'Revoke every session of the user, and end its browser sign-ins'),
    schema: { params, response: { 200: { type: 'object', required: ['revoked'], properties: { revoked: { type: 'integer' } } } } },
  }, async (req) => {
    const u = await find(req.params.id);
    const at = now();
    const revoked = await t.store.tokens.revokeUserFamilies(u.id, at);
    await t.store.sessions.endForUser(u.id, at);
    await recordChange(t, req, { action: 'user.revoke_sessions', resource: 'user', id: u.id, after: { revoked } });
    return { revoked };
  });
}
