// The sign-in pages as responses: templates compiled once (render.ts), the branding, and
// the security headers every page carries (a strict CSP, no framing, no caching, no
// referrer). GET of the login page is on the benchmark: everything here is precomputed
// except the few escaped values of the request.
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { BrandingConfig } from '../config/signin.js';
import type { OAuthError } from '../core/errors.js';
import { parseScope } from '../core/scope.js';
import type { Client, Consent } from '../core/types.js';
import { messages, type MessageId } from './messages.js';
import { Html, join, loadAsset, loadTemplate, type Template } from './render.js';

const T = Object.fromEntries(['layout', 'logo', 'login', 'login-error', 'consent', 'scope-item', 'client-logo', 'client-links', 'client-link',
  'error', 'start-again', 'form-post', 'hidden', 'logout', 'signed-out', 'account', 'consent-list', 'no-consents', 'consent-item']
  .map((n) => [n, loadTemplate(`${n}.html`)])) as Record<string, Template>;
const tpl = (n: string): Template => T[n]!;

/** The form_post page's one script, as its template has it (CSP-allowed by its hash; the page works without it). */
const AUTOSUBMIT = /<script>([\s\S]*?)<\/script>/.exec(loadAsset('form-post.html'))?.[1] ?? '';
const AUTOSUBMIT_HASH = `'sha256-${createHash('sha256').update(AUTOSUBMIT).digest('base64')}'`;

/** A CSP source for a URL a form may be sent to (or redirected to after one): its origin, or `scheme:` for a private-use scheme. */
export function formTarget(uri: string): string | null {
  try {
    const u = new URL(uri);
    // CSP host-sources have no IPv6 literals (CSP3 §2.3.1): an [::1] redirect gets its scheme.
    if (u.protocol === 'https:' || u.protocol === 'http:') return u.hostname.startsWith('[') ? u.protocol : u.origin;
    return /^[a-z][a-z0-9+.-]*:$/.test(u.protocol) ? u.protocol : null;
  } catch {
    return null;
  }
}

/**
 * A client URL fit for an href or src: http(s) only. Config, CLI and registration already
 * refuse anything else (config/signin.ts webUrl); this holds whatever the store has, since
 * a javascript: href would run on this origin when clicked.
 */
export function webLink(uri: string | null): string | null {
  if (uri === null) return null;
  try {
    const { protocol } = new URL(uri);
    return protocol === 'https:' || protocol === 'http:' ? uri : null;
  } catch {
    return null;
  }
}

const text = (id: MessageId, vars: Record<string, string> = {}): string =>
  messages[id].replace(/\{\{\s*(\w+)\s*\}\}/g, (_a, k: string) => vars[k] ?? '');

export interface PageOptions {
  status?: number;
  /** Where the page's forms may lead (CSP form-action, besides 'self'): a redirect URI after login or consent. */
  formTargets?: readonly string[];
  script?: boolean;
}

export class Pages {
  readonly css: string;
  readonly #product: string;
  readonly #logo: Html;
  readonly #imgSrc: string;

  constructor(branding: BrandingConfig) {
    this.#product = branding.product_name;
    this.#logo = branding.logo_url ? tpl('logo')({ src: branding.logo_url, product: branding.product_name }) : new Html('');
    const logoOrigin = branding.logo_url ? formTarget(branding.logo_url) : null;
    this.#imgSrc = `'self' https: data:${logoOrigin && !logoOrigin.startsWith('https:') ? ` ${logoOrigin}` : ''}`;
    // The colours were validated as #hex or a colour name (config/signin.ts): nothing can leave the declaration.
    this.css = `:root { --primary: ${branding.primary_color}; --background: ${branding.background_color}; }\n${loadAsset('style.css')}`;
  }

  send(reply: FastifyReply, title: string, content: Html, o: PageOptions = {}): FastifyReply {
    const targets = [...new Set((o.formTargets ?? []).map(formTarget).filter((x): x is string => x !== null))];
    const csp = [
      "default-src 'none'", "style-src 'self'", `img-src ${this.#imgSrc}`, `form-action 'self'${targets.map((x) => ` ${x}`).join('')}`,
      "frame-ancestors 'none'", "base-uri 'none'", ...(o.script ? [`script-src ${AUTOSUBMIT_HASH}`] : []),
    ].join('; ');
    const page = tpl('layout')({ title, product: this.#product, logo: this.#logo, content });
    return reply.status(o.status ?? 200)
      .header('content-security-policy', csp)
      .header('x-frame-options', 'DENY')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(page.value);
  }

  login(reply: FastifyReply, v: { client: string; csrf: string; sealed: string; username: string | null; error?: string | undefined; status?: number; formTargets: readonly string[]; account?: boolean }): FastifyReply {
    const error = v.error ? tpl('login-error')({ text: v.error }) : new Html('');
    const content = tpl('login')({
      heading: v.account ? text('account_login_heading') : text('login_heading', { client: v.client }),
      product: this.#product, error, csrf: v.csrf, sealed: v.sealed, username: v.username,
      described: new Html(v.error ? ' aria-describedby="login-error" aria-invalid="true"' : ''),
    });
    return this.send(reply, messages.login_title, content, { status: v.status ?? 200, formTargets: v.formTargets });
  }

  consent(reply: FastifyReply, v: { client: Client; username: string; scope: string; csrf: string; sealed: string; formTargets: readonly string[] }): FastifyReply {
    const name = v.client.client_name ?? v.client.client_id;
    const scopes = join(parseScope(v.scope).map((scope) => tpl('scope-item')({ scope, text: this.scopeText(scope) })));
    const links = [['client_uri', 'consent_client_uri'], ['policy_uri', 'consent_policy_uri'], ['tos_uri', 'consent_tos_uri']] as const;
    const items = links.flatMap(([k, m]) => { const href = webLink(v.client[k]); return href ? [tpl('client-link')({ href, text: messages[m] })] : []; });
    const logo = webLink(v.client.logo_uri);
    const content = tpl('consent')({
      client: name, username: v.username, scopes, csrf: v.csrf, sealed: v.sealed,
      client_logo: logo ? tpl('client-logo')({ src: logo, client: name }) : new Html(''),
      links: items.length ? tpl('client-links')({ items: join(items) }) : new Html(''),
    });
    return this.send(reply, messages.consent_title, content, { formTargets: v.formTargets });
  }

  scopeText(scope: string): string {
    const id = `scope_${scope}`;
    return Object.hasOwn(messages, id) ? text(id as MessageId, { product: this.#product }) : text('scope_other', { scope });
  }

  /** An error shown to the user, never redirected. `lead` says what it means for them. */
  error(reply: FastifyReply, e: OAuthError, lead: MessageId = 'error_generic', againHref?: string): FastifyReply {
    for (const [k, v] of Object.entries(e.headers)) reply.header(k, v);
    const content = tpl('error')({
      lead: messages[lead], description: e.description, code: e.code,
      again: againHref ? tpl('start-again')({ href: againHref }) : new Html(''),
    });
    return this.send(reply, messages.error_title, content, { status: e.status });
  }

  /** OIDC Form Post Response Mode §2: an auto-submitting form (a Continue button without JavaScript). */
  formPost(reply: FastifyReply, action: string, params: readonly [string, string][]): FastifyReply {
    const fields = join(params.map(([name, value]) => tpl('hidden')({ name, value })));
    return this.send(reply, messages.form_post_title, tpl('form-post')({ action, fields }), { formTargets: [action], script: true });
  }

  logout(reply: FastifyReply, v: { username: string; csrf: string; fields: readonly [string, string][]; formTargets: readonly string[] }): FastifyReply {
    const fields = join(v.fields.map(([name, value]) => tpl('hidden')({ name, value })));
    return this.send(reply, messages.logout_title, tpl('logout')({ product: this.#product, username: v.username, csrf: v.csrf, fields }), { formTargets: v.formTargets });
  }

  signedOut(reply: FastifyReply): FastifyReply {
    return this.send(reply, messages.signed_out_title, tpl('signed-out')({}));
  }

  account(reply: FastifyReply, v: { username: string; csrf: string; consents: readonly { consent: Consent; name: string }[] }): FastifyReply {
    const consents = v.consents.length === 0
      ? tpl('no-consents')({})
      : tpl('consent-list')({ items: join(v.consents.map(({ consent, name }) => tpl('consent-item')({ client_id: consent.client_id, client: name, scope: consent.scope, csrf: v.csrf }))) });
    return this.send(reply, messages.account_title, tpl('account')({ username: v.username, csrf: v.csrf, consents }));
  }
}

