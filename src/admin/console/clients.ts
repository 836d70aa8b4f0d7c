// Console pages for clients: search and list, register (a generated secret shown once),
// edit, disable/enable, unlock, rotate the secret (shown once), delete. Each change is one
// admin API call (context.ts), audited there.
import type { FastifyInstance } from 'fastify';
import { all, filled, one, words, type Ctx, type Form } from './context.js';
import { actionButton, field, hidden, html, table, time, type Html } from './html.js';
import { actionRoutes, type Pages } from './resource.js';

const GRANTS = ['authorization_code', 'refresh_token', 'client_credentials', 'password'] as const;
const METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
const enc = encodeURIComponent;

interface ClientView {
  client_id: string; client_name: string | null; token_endpoint_auth_method: string; grant_types: string[]; scope: string;
  redirect_uris: string[]; disabled: boolean; managed_by: string | null; locked_until: number | null; first_party: boolean;
  created_at: number; updated_at: number;
}

function grantBoxes(chosen: readonly string[]): Html {
  return html`<fieldset><legend>Grant types</legend>${GRANTS.map((g) => html`<label class="check"><input type="checkbox" name="grant_types" value="${g}"${chosen.includes(g) ? html` checked` : ''}> ${g}</label>`)}</fieldset>`;
}

const metadata = (f: Form) => filled({
  client_name: one(f, 'client_name'), scope: one(f, 'scope'), grant_types: all(f, 'grant_types'),
  redirect_uris: words(one(f, 'redirect_uris')),
});

/** A page that shows a secret exactly once (never stored: only its hash is, core/secrets.ts). */
export function secretOnce(id: string, secret: string): Html {
  return html`<p class="notice" role="status">Copy the secret now: it is shown only this once and cannot be shown again.</p>
<dl class="secret"><dt>client_id</dt><dd><code id="client-id">${id}</code></dd><dt>client_secret</dt><dd><code id="client-secret">${secret}</code></dd></dl>
<p><a href="/admin/console/clients/${enc(id)}">Continue to the client</a></p>`;
}

export function clientPages(app: FastifyInstance, pages: Pages): void {
  pages.get<{ Querystring: { q?: string; cursor?: string } }>(app, '/admin/console/clients', 'Clients', async (ctx: Ctx, req) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 255) : '';
    const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : '';
    const list = await ctx.api<{ items: ClientView[]; next_cursor: string | null }>('GET', `/admin/clients?${new URLSearchParams(filled({ limit: '100', q, cursor }) as Record<string, string>).toString()}`);
    return html`<form method="get" class="search" role="search"><label for="q">Search</label> <input id="q" name="q" type="search" value="${q}" placeholder="client_id or name"> <button type="submit">Search</button></form>
<p><a class="button" href="/admin/console/clients/new">Register a client</a></p>
${table(['client_id', 'name', 'grants', 'state'], list.items.map((c) => [
    html`<a href="/admin/console/clients/${enc(c.client_id)}">${c.client_id}</a>`, html`${c.client_name ?? ''}`,
    html`${c.grant_types.join(', ')}`, html`${c.disabled ? 'disabled' : 'enabled'}${c.managed_by ? html` · managed by ${c.managed_by}` : ''}`,
  ]), q ? 'No client matches.' : 'No client yet.')}
${list.next_cursor ? html`<p><a href="/admin/console/clients?${new URLSearchParams(filled({ q, cursor: list.next_cursor }) as Record<string, string>).toString()}">Next page</a></p>` : ''}`;
  });

  pages.get(app, '/admin/console/clients/new', 'Register a client', async (ctx) => html`<form method="post" action="/admin/console/clients" class="stack">${hidden(ctx.csrf)}
${field('client_id', 'client_id', '', { hint: 'empty: a random UUID' })}
${field('client_name', 'Name', '')}
<p><label for="f-method">Client authentication</label><select id="f-method" name="token_endpoint_auth_method">${METHODS.map((m) => html`<option value="${m}">${m === 'none' ? 'none (public client, PKCE)' : m}</option>`)}</select></p>
${grantBoxes(['client_credentials'])}
${field('scope', 'Scope', '', { hint: 'space-separated' })}
${field('redirect_uris', 'Redirect URIs', '', { area: true, hint: 'one per line (authorization_code only)' })}
<p><button type="submit">Register</button></p></form>`);

  pages.post(app, '/admin/console/clients', 'Client registered', async (ctx, req) => {
    const f = req.body as Form;
    const made = await ctx.api<{ client: ClientView; client_secret?: string }>('POST', '/admin/clients', {
      ...filled({ client_id: one(f, 'client_id'), token_endpoint_auth_method: one(f, 'token_endpoint_auth_method') }), ...metadata(f),
    });
    return made.client_secret ? secretOnce(made.client.client_id, made.client_secret)
      : html`<p>Public client <a href="/admin/console/clients/${enc(made.client.client_id)}"><code>${made.client.client_id}</code></a> registered (no secret: it uses PKCE).</p>`;
  });

  pages.get<{ Params: { id: string } }>(app, '/admin/console/clients/:id', 'Client', async (ctx, req) => {
    const c = await ctx.api<ClientView>('GET', `/admin/clients/${enc(req.params.id)}`);
    const base = `/admin/console/clients/${enc(c.client_id)}`;
    const managed = c.managed_by !== null;
    return html`<dl class="facts"><dt>client_id</dt><dd><code>${c.client_id}</code></dd><dt>authentication</dt><dd>${c.token_endpoint_auth_method}</dd>
<dt>state</dt><dd>${c.disabled ? 'disabled' : 'enabled'}${c.locked_until ? html` · locked until ${time(c.locked_until)}` : ''}</dd>
<dt>created</dt><dd>${time(c.created_at)}</dd><dt>updated</dt><dd>${time(c.updated_at)}</dd></dl>
${managed ? html`<p class="notice">Managed by Tessera (${c.managed_by}): it is made again at every start, so it cannot be changed here.</p>` : html`
<h2>Edit</h2><form method="post" action="${base}" class="stack">${hidden(ctx.csrf)}
${field('client_name', 'Name', c.client_name)}${grantBoxes(c.grant_types)}
${field('scope', 'Scope', c.scope)}${field('redirect_uris', 'Redirect URIs', c.redirect_uris.join('\n'), { area: true, hint: 'one per line' })}
<p><button type="submit">Save</button></p></form>
<h2>Actions</h2><div class="actions">
${c.disabled ? actionButton(`${base}/enable`, 'Enable', ctx.csrf) : actionButton(`${base}/disable`, 'Disable', ctx.csrf, { danger: true })}
${c.token_endpoint_auth_method !== 'none' ? actionButton(`${base}/secret`, 'Rotate secret', ctx.csrf, { confirm: 'the old secret stops working' }) : ''}
${c.locked_until ? actionButton(`${base}/unlock`, 'Unlock', ctx.csrf) : ''}
${actionButton(`${base}/delete`, 'Delete', ctx.csrf, { danger: true, confirm: 'delete it and every token issued to it' })}
</div>`}`;
  });

  pages.post<{ Params: { id: string } }>(app, '/admin/console/clients/:id', 'Client', async (ctx, req) => {
    const f = req.body as Form;
    await ctx.api('PATCH', `/admin/clients/${enc(req.params.id)}`, metadata(f));
    return pages.redirect(`/admin/console/clients/${enc(req.params.id)}`, 'saved');
  });

  pages.post<{ Params: { id: string } }>(app, '/admin/console/clients/:id/secret', 'New client secret', async (ctx, req) => {
    const r = await ctx.api<{ client: ClientView; client_secret: string }>('POST', `/admin/clients/${enc(req.params.id)}/secret`);
    return secretOnce(r.client.client_id, r.client_secret);
  });

  actionRoutes(app, pages, 'clients', '/admin/clients', {
    disable: { method: 'POST', notice: 'disabled' }, enable: { method: 'POST', notice: 'enabled' },
    unlock: { method: 'POST', notice: 'unlocked' }, delete: { method: 'DELETE', notice: 'deleted', toList: true },
  });
}
