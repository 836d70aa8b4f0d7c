// The admin REST API of a running instance (docs/admin-api.md), as the admin commands use it
// with --server: a Bearer token (given, or got with an admin client's credentials), JSON in
// and out, every page of a list, and RFC 9457 problems turned into `tessera: <title>: <detail>`.
import type { Command } from 'commander';
import { commandConfig } from '../options.js';
import { CliError } from '../output.js';
import { postAsClient, unreachable } from './oauth.js';
import { stdinLine } from './stdin.js';

export interface AdminApiOpts {
  server?: string; token?: string; adminClientId?: string; adminClientSecretStdin?: boolean; issuer?: string;
}

/** The options every admin command takes to work on a running server instead of the database. */
export function adminApiOptions(c: Command): Command {
  return c
    .option('--server <url>', 'work through the admin API of a running server at this URL (e.g. http://127.0.0.1:8081), not on the database')
    .option('--token <token>', 'with --server: an access token with the tessera:admin scope (or TESSERA_ADMIN_TOKEN)')
    .option('--admin-client-id <id>', 'with --server: get the token as this admin client (or TESSERA_ADMIN_CLIENT_ID); its secret from TESSERA_ADMIN_CLIENT_SECRET or --admin-client-secret-stdin')
    .option('--admin-client-secret-stdin', 'with --server: read the admin client\'s secret from the first line of stdin')
    .option('--issuer <url>', 'with --admin-client-id: the server that issues the token (default: the configured issuer)');
}

/** A problem+json answer (RFC 9457 §3) as one line per fact. */
function problemMessage(status: number, body: Record<string, unknown> | undefined): string {
  if (!body || typeof body.title !== 'string') return `HTTP ${status}`;
  const fields = Array.isArray(body.errors) ? (body.errors as { pointer?: string; detail?: string }[]) : [];
  const lines = [`${body.title}${typeof body.detail === 'string' ? `: ${body.detail}` : ''}`];
  // The detail of a single field error already says it; more than one are listed.
  if (fields.length > 1) for (const f of fields) lines.push(`  ${f.pointer ?? ''}: ${f.detail ?? ''}`);
  return lines.join('\n');
}

export class AdminApi {
  private constructor(readonly base: string, private readonly token: string) {}

  /** The API at `--server`, with a token from --token, the environment, or an admin client. */
  static async connect(o: AdminApiOpts, cmd: Command, env = process.env): Promise<AdminApi> {
    let base: URL;
    try { base = new URL(o.server!); } catch { throw new CliError(`--server: not a URL: ${JSON.stringify(o.server)}`, 2); }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new CliError('--server: must be an http(s) URL', 2);
    const token = o.token ?? env.TESSERA_ADMIN_TOKEN;
    const clientId = o.adminClientId ?? env.TESSERA_ADMIN_CLIENT_ID;
    if (token !== undefined && token !== '') return new AdminApi(base.origin, token);
    if (!clientId) throw new CliError('--server needs an admin token: --token or TESSERA_ADMIN_TOKEN, or --admin-client-id with the client\'s secret', 2);
    const secret = o.adminClientSecretStdin ? await stdinLine('--admin-client-secret-stdin') : env.TESSERA_ADMIN_CLIENT_SECRET;
    if (!secret) throw new CliError('--admin-client-id: give its secret in TESSERA_ADMIN_CLIENT_SECRET or with --admin-client-secret-stdin', 2);
    const issuer = (o.issuer ?? commandConfig(cmd).issuer).replace(/\/+$/, '');
    // RFC 6749 §4.4: the admin client's own token, with the one scope the admin API accepts.
    const { body } = await postAsClient(issuer, '/oauth2/token', { id: clientId, secret }, { grant_type: 'client_credentials', scope: 'tessera:admin' });
    if (typeof body.access_token !== 'string') throw new CliError(`${issuer}/oauth2/token: the answer has no access_token`);
    return new AdminApi(base.origin, body.access_token);
  }

  /** One call; a 204 gives undefined, an error status a CliError (exit 1) with the problem's words. */
  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      throw unreachable(this.base, e);
    }
    const text = await res.text();
    let json: Record<string, unknown> | undefined;
    try { json = text === '' ? undefined : JSON.parse(text) as Record<string, unknown>; } catch { json = undefined; }
    if (!res.ok) throw new CliError(problemMessage(res.status, json));
    return json as T;
  }

  /** Every item of a paginated list (docs/admin-api.md: `items`, `next_cursor`). */
  async all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const page: { items: T[]; next_cursor: string | null } = await this.call('GET', `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return items;
  }
}

export const seg = encodeURIComponent;
