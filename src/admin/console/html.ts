// The console's markup: a tagged template whose every interpolated value is escaped
// (web/render.ts's escapeHtml) unless it is an Html value built here, and the page layout.
// No script at all: the pages are forms and links, so the CSP can forbid every script.
import { escapeHtml, Html } from '../../web/render.js';

export { Html };
type Part = string | number | null | undefined | boolean | Html | readonly Html[];

const piece = (v: Part): string => (v instanceof Html ? v.value
  : Array.isArray(v) ? v.map((h: Html) => h.value).join('')
    : v === null || v === undefined || v === false || v === true ? '' : escapeHtml(String(v)));

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => { out += piece(v) + strings[i + 1]!; });
  return new Html(out);
}

export const NAV = [
  ['/admin/', 'Dashboard'], ['/admin/console/clients', 'Clients'], ['/admin/console/users', 'Users'],
  ['/admin/console/participants', 'Participants'], ['/admin/console/keys', 'Keys'],
] as const;

export interface Frame {
  title: string;
  /** The signed-in user, and this browser's csrf_token for the sign-out form. */
  who?: { username: string; csrf: string };
  /** The NAV entry that is current. */
  here?: string;
  /** Seconds: reload the page (the dashboard). */
  refresh?: number;
  notice?: string;
  error?: { detail: string; fields?: { pointer: string; detail: string }[] };
}

export function layout(f: Frame, body: Html): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${f.refresh ? html`<meta http-equiv="refresh" content="${f.refresh}">` : ''}
<title>${f.title} · Tessera admin</title><link rel="stylesheet" href="/admin/console/console.css"></head>
<body><a class="skip" href="#main">Skip to content</a>
<header><span class="brand">Tessera admin</span>
${f.who ? html`<nav aria-label="Console">${NAV.map(([href, label]) => html`<a href="${href}"${href === f.here ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>
<form method="post" action="/admin/logout" class="who"><input type="hidden" name="csrf_token" value="${f.who.csrf}"><span>${f.who.username}</span> <button type="submit">Sign out</button></form>` : ''}
</header>
<main id="main"><h1>${f.title}</h1>
${f.notice ? html`<p class="notice" role="status">${f.notice}</p>` : ''}
${f.error ? html`<div class="error" role="alert"><p>${f.error.detail}</p>${f.error.fields?.length ? html`<ul>${f.error.fields.map((e) => html`<li><code>${e.pointer}</code> ${e.detail}</li>`)}</ul>` : ''}</div>` : ''}
${body}</main></body></html>`.value;
}

/** A POST form of one button (an action on a resource), with this browser's csrf_token. */
export function actionButton(action: string, label: string, csrf: string, opts: { danger?: boolean; confirm?: string } = {}): Html {
  return html`<form method="post" action="${action}" class="inline"><input type="hidden" name="csrf_token" value="${csrf}">${opts.confirm ? html`<label class="confirm"><input type="checkbox" name="confirm" value="yes" required> ${opts.confirm}</label> ` : ''}<button type="submit"${opts.danger ? html` class="danger"` : ''}>${label}</button></form>`;
}

export const hidden = (csrf: string) => html`<input type="hidden" name="csrf_token" value="${csrf}">`;

/** A labelled text input. */
export function field(name: string, label: string, value: string | null | undefined, opts: { type?: string; required?: boolean; hint?: string; area?: boolean } = {}): Html {
  const id = `f-${name}`;
  return html`<p><label for="${id}">${label}</label>${opts.area
    ? html`<textarea id="${id}" name="${name}" rows="3"${opts.required ? html` required` : ''}>${value ?? ''}</textarea>`
    : html`<input id="${id}" name="${name}" type="${opts.type ?? 'text'}" value="${value ?? ''}"${opts.required ? html` required` : ''}${opts.type === 'password' ? html` autocomplete="new-password"` : ''}>`}${opts.hint ? html`<small>${opts.hint}</small>` : ''}</p>`;
}

export function table(headers: string[], rows: Html[][], empty = 'Nothing here yet.'): Html {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<div class="scroll"><table><thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody></table></div>`;
}

export const time = (epoch: number | null | undefined) => (epoch ? new Date(epoch * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '—');
