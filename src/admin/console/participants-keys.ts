// Console pages for participants (list, create, edit, delete) and signing keys (list, which
// kid signs per alg, rotate, retire). Each change is one admin API call (context.ts).
import type { FastifyInstance } from 'fastify';
import { SIGNING_ALGS } from '../../core/types.js';
import { filled, one, words, type Form } from './context.js';
import { actionButton, field, hidden, html, table, time } from './html.js';
import { actionRoutes, type Pages } from './resource.js';

const enc = encodeURIComponent;

interface ParticipantView { participant_code: string; name: string | null; roles: string[]; created_at: number; updated_at: number }
interface KeyView { kid: string; alg: string; status: string; created_at: number; activates_at: number; retired_at: number | null }

export function participantPages(app: FastifyInstance, pages: Pages): void {
  pages.get(app, '/admin/console/participants', 'Participants', async (ctx) => {
    const list = await ctx.api<{ items: ParticipantView[] }>('GET', '/admin/participants?limit=100');
    return html`${table(['participant_code', 'name', 'roles'], list.items.map((p) => [
      html`<a href="/admin/console/participants/${enc(p.participant_code)}">${p.participant_code}</a>`, html`${p.name ?? ''}`, html`${p.roles.join(' ')}`,
    ]), 'No participant yet.')}
<h2>Create a participant</h2><form method="post" action="/admin/console/participants" class="stack">${hidden(ctx.csrf)}
${field('participant_code', 'Participant code', '', { required: true })}${field('name', 'Name', '')}${field('roles', 'Roles', '', { hint: 'space-separated' })}
<p><button type="submit">Create</button></p></form>`;
  });

  pages.post(app, '/admin/console/participants', 'Participants', async (ctx, req) => {
    const f = req.body as Form;
    const p = await ctx.api<ParticipantView>('POST', '/admin/participants', { participant_code: one(f, 'participant_code'), roles: words(one(f, 'roles')), ...filled({ name: one(f, 'name') }) });
    return pages.redirect(`/admin/console/participants/${enc(p.participant_code)}`, 'created');
  });

  pages.get<{ Params: { id: string } }>(app, '/admin/console/participants/:id', 'Participant', async (ctx, req) => {
    const p = await ctx.api<ParticipantView>('GET', `/admin/participants/${enc(req.params.id)}`);
    const base = `/admin/console/participants/${enc(p.participant_code)}`;
    return html`<dl class="facts"><dt>participant_code</dt><dd><code>${p.participant_code}</code></dd><dt>created</dt><dd>${time(p.created_at)}</dd><dt>updated</dt><dd>${time(p.updated_at)}</dd></dl>
<h2>Edit</h2><form method="post" action="${base}" class="stack">${hidden(ctx.csrf)}
${field('name', 'Name', p.name)}${field('roles', 'Roles', p.roles.join(' '), { hint: 'space-separated' })}<p><button type="submit">Save</button></p></form>
<h2>Actions</h2><div class="actions">${actionButton(`${base}/delete`, 'Delete', ctx.csrf, { danger: true, confirm: 'delete this participant' })}</div>`;
  });

  pages.post<{ Params: { id: string } }>(app, '/admin/console/participants/:id', 'Participant', async (ctx, req) => {
    const f = req.body as Form;
    await ctx.api('PATCH', `/admin/participants/${enc(req.params.id)}`, { roles: words(one(f, 'roles')), ...filled({ name: one(f, 'name') }) });
    return pages.redirect(`/admin/console/participants/${enc(req.params.id)}`, 'saved');
  });

  actionRoutes(app, pages, 'participants', '/admin/participants', { delete: { method: 'DELETE', notice: 'deleted', toList: true } });
}

export function keyPages(app: FastifyInstance, pages: Pages): void {
  pages.get(app, '/admin/console/keys', 'Signing keys', async (ctx) => {
    const keys = await ctx.api<{ items: KeyView[]; signing: Record<string, string> }>('GET', '/admin/keys');
    return html`<h2>Signing now</h2>
${table(['alg', 'kid'], Object.entries(keys.signing).map(([alg, kid]) => [html`${alg}`, html`<code class="signing-kid" data-alg="${alg}">${kid}</code>`]), 'No key signs yet.')}
<h2>Rotate</h2><p class="hint">A new key is published in the JWKS at once and signs from <code>key_publish_ahead</code> seconds on (at once for an alg without a key).</p>
<form method="post" action="/admin/console/keys/rotate" class="inline">${hidden(ctx.csrf)}<label for="f-alg">Algorithm</label> <select id="f-alg" name="alg"><option value="">the configured signing_alg</option>${SIGNING_ALGS.map((a) => html`<option value="${a}">${a}</option>`)}</select> <button type="submit">Rotate</button></form>
<h2>All keys</h2>
${table(['kid', 'alg', 'status', 'created', 'signs from', 'retired', ''], keys.items.map((k) => [
    html`<code>${k.kid}</code>`, html`${k.alg}`, html`<span class="status-${k.status}">${k.status}</span>`, html`${time(k.created_at)}`, html`${time(k.activates_at)}`, html`${time(k.retired_at)}`,
    k.status === 'retired' ? html`` : actionButton(`/admin/console/keys/${enc(k.kid)}/retire`, 'Retire', ctx.csrf, { danger: true, confirm: 'stop signing with it' }),
  ]))}`;
  });

  pages.post(app, '/admin/console/keys/rotate', 'Signing keys', async (ctx, req) => {
    const alg = one(req.body as Form, 'alg');
    await ctx.api('POST', '/admin/keys/rotate', alg ? { alg } : {});
    return pages.redirect('/admin/console/keys', 'rotated');
  });

  pages.post<{ Params: { id: string } }>(app, '/admin/console/keys/:id/retire', 'Signing keys', async (ctx, req) => {
    await ctx.api('POST', `/admin/keys/${enc(req.params.id)}/retire`);
    return pages.redirect('/admin/console/keys', 'saved');
  });
}
