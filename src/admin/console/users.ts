// Console pages for users: search and list, create, edit attributes, set a password,
// disable/enable, unlock, delete, and their sessions (refresh token families) listed and
// revoked one by one or all at once. Each change is one admin API call (context.ts).
import type { FastifyInstance } from 'fastify';
import { filled, one, words, type Form } from './context.js';
import { actionButton, field, hidden, html, table, time } from './html.js';
import { actionRoutes, type Pages } from './resource.js';

const enc = encodeURIComponent;

interface UserView {
  id: string; username: string; name: string | null; email: string | null; roles: string[]; participant_code: string | null;
  disabled: boolean; managed_by: string | null; locked_until: number | null; created_at: number; updated_at: number;
}
interface SessionView { id: string; client_id: string; created_at: number; expires_at?: number }

const attributes = (f: Form) => filled({ name: one(f, 'name'), email: one(f, 'email'), participant_code: one(f, 'participant_code') });

export function userPages(app: FastifyInstance, pages: Pages): void {
  pages.get<{ Querystring: { q?: string; cursor?: string } }>(app, '/admin/console/users', 'Users', async (ctx, req) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 255) : '';
    const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : '';
    const list = await ctx.api<{ items: UserView[]; next_cursor: string | null }>('GET', `/admin/users?${new URLSearchParams(filled({ limit: '100', q, cursor }) as Record<string, string>).toString()}`);
    return html`<form method="get" class="search" role="search"><label for="q">Search</label> <input id="q" name="q" type="search" value="${q}" placeholder="username, name or email"> <button type="submit">Search</button></form>
<p><a class="button" href="/admin/console/users/new">Create a user</a></p>
${table(['username', 'name', 'roles', 'state'], list.items.map((u) => [
    html`<a href="/admin/console/users/${enc(u.id)}">${u.username}</a>`, html`${u.name ?? ''}`, html`${u.roles.join(' ')}`,
    html`${u.disabled ? 'disabled' : 'enabled'}${u.locked_until ? ' · locked' : ''}`,
  ]), q ? 'No user matches.' : 'No user yet.')}
${list.next_cursor ? html`<p><a href="/admin/console/users?${new URLSearchParams(filled({ q, cursor: list.next_cursor }) as Record<string, string>).toString()}">Next page</a></p>` : ''}`;
  });

  pages.get(app, '/admin/console/users/new', 'Create a user', async (ctx) => html`<form method="post" action="/admin/console/users" class="stack">${hidden(ctx.csrf)}
${field('username', 'Username', '', { required: true })}${field('password', 'Password', '', { type: 'password', required: true })}
${field('name', 'Name', '')}${field('email', 'Email', '', { type: 'email' })}
${field('roles', 'Roles', '', { hint: 'space-separated; tessera:admin lets the user into this console' })}${field('participant_code', 'Participant code', '')}
<p><button type="submit">Create</button></p></form>`);

  pages.post(app, '/admin/console/users', 'Create a user', async (ctx, req) => {
    const f = req.body as Form;
    const u = await ctx.api<UserView>('POST', '/admin/users', { username: one(f, 'username'), password: one(f, 'password'), roles: words(one(f, 'roles')), ...attributes(f) });
    return pages.redirect(`/admin/console/users/${enc(u.id)}`, 'created');
  });

  pages.get<{ Params: { id: string } }>(app, '/admin/console/users/:id', 'User', async (ctx, req) => {
    const u = await ctx.api<UserView>('GET', `/admin/users/${enc(req.params.id)}`);
    const sessions = await ctx.api<{ items: SessionView[] }>('GET', `/admin/users/${enc(u.id)}/sessions`);
    const base = `/admin/console/users/${enc(u.id)}`;
    return html`<dl class="facts"><dt>username</dt><dd><code>${u.username}</code></dd><dt>id</dt><dd><code>${u.id}</code></dd>
<dt>state</dt><dd>${u.disabled ? 'disabled' : 'enabled'}${u.locked_until ? html` · locked until ${time(u.locked_until)}` : ''}</dd>
<dt>created</dt><dd>${time(u.created_at)}</dd><dt>updated</dt><dd>${time(u.updated_at)}</dd></dl>
${u.managed_by ? html`<p class="notice">Managed by Tessera (${u.managed_by}): it cannot be changed here.</p>` : html`
<h2>Edit</h2><form method="post" action="${base}" class="stack">${hidden(ctx.csrf)}
${field('name', 'Name', u.name)}${field('email', 'Email', u.email, { type: 'email' })}
${field('roles', 'Roles', u.roles.join(' '), { hint: 'space-separated' })}${field('participant_code', 'Participant code', u.participant_code)}
<p><button type="submit">Save</button></p></form>
<h2>Reset password</h2><form method="post" action="${base}/password" class="stack">${hidden(ctx.csrf)}
${field('password', 'New password', '', { type: 'password', required: true, hint: 'the user\'s sessions end' })}<p><button type="submit">Set password</button></p></form>
<h2>Actions</h2><div class="actions">
${u.disabled ? actionButton(`${base}/enable`, 'Enable', ctx.csrf) : actionButton(`${base}/disable`, 'Disable', ctx.csrf, { danger: true })}
${u.locked_until ? actionButton(`${base}/unlock`, 'Unlock', ctx.csrf) : ''}
${actionButton(`${base}/delete`, 'Delete', ctx.csrf, { danger: true, confirm: 'delete this user' })}
</div>`}
<h2>Sessions</h2>
${table(['client', 'started', ''], sessions.items.map((s) => [html`<code>${s.client_id}</code>`, html`${time(s.created_at)}`,
    actionButton(`${base}/sessions/${enc(s.id)}/revoke`, 'Revoke', ctx.csrf)]), 'No live session.')}
${sessions.items.length > 0 ? actionButton(`${base}/sessions/revoke`, 'Revoke every session', ctx.csrf, { danger: true }) : ''}`;
  });

  pages.post<{ Params: { id: string } }>(app, '/admin/console/users/:id', 'User', async (ctx, req) => {
    const f = req.body as Form;
    await ctx.api('PATCH', `/admin/users/${enc(req.params.id)}`, { roles: words(one(f, 'roles')), ...attributes(f) });
    return pages.redirect(`/admin/console/users/${enc(req.params.id)}`, 'saved');
  });

  pages.post<{ Params: { id: string } }>(app, '/admin/console/users/:id/password', 'User', async (ctx, req) => {
    await ctx.api('PUT', `/admin/users/${enc(req.params.id)}/password`, { password: one(req.body as Form, 'password') });
    return pages.redirect(`/admin/console/users/${enc(req.params.id)}`, 'password');
  });

  pages.post<{ Params: { id: string } }>(app, '/admin/console/users/:id/sessions/revoke', 'User', async (ctx, req) => {
    await ctx.api('DELETE', `/admin/users/${enc(req.params.id)}/sessions`);
    return pages.redirect(`/admin/console/users/${enc(req.params.id)}`, 'revoked');
  });

  pages.post<{ Params: { id: string; family: string } }>(app, '/admin/console/users/:id/sessions/:family/revoke', 'User', async (ctx, req) => {
    await ctx.api('DELETE', `/admin/users/${enc(req.params.id)}/sessions/${enc(req.params.family)}`);
    return pages.redirect(`/admin/console/users/${enc(req.params.id)}`, 'revoked');
  });

  actionRoutes(app, pages, 'users', '/admin/users', {
    disable: { method: 'POST', notice: 'disabled' }, enable: { method: 'POST', notice: 'enabled' },
    unlock: { method: 'POST', notice: 'unlocked' }, delete: { method: 'DELETE', notice: 'deleted', toList: true },
  });
}
