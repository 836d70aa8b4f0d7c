// Calls to a running server's OAuth endpoints (token, introspection, revocation) as a client:
// the server's base URL, the client's credentials (never required in argv), a form POST, and
// the RFC 6749 §5.2 error turned into one line and an exit code.
import type { Command } from 'commander';
import { commandConfig } from '../options.js';
import { CliError } from '../output.js';
import { stdinLine } from './stdin.js';

/** Exit codes: 1 the server refused, 2 a usage mistake (commander's and ours). */
export class ServerRefused extends CliError {
  constructor(message: string) { super(message, 1); }
}

export interface ClientCredentialOpts {
  server?: string; clientId?: string; clientSecret?: string; clientSecretStdin?: boolean;
}

export const clientCredentialOptions = (c: Command): Command => c
  .option('--server <url>', 'base URL of the running server (default: the configured issuer)')
  .option('--client-id <id>', 'client_id (or TESSERA_CLIENT_ID)')
  .option('--client-secret <secret>', 'client secret (visible in the process list: prefer --client-secret-stdin or TESSERA_CLIENT_SECRET)')
  .option('--client-secret-stdin', 'read the client secret from the first line of stdin')
  .option('-c, --config <file>', 'configuration file (for the default --server)');

/** The server's base URL: --server, else the configured issuer (which follows host and port). */
export function serverUrl(o: { server?: string }, cmd: Command): string {
  const raw = o.server ?? commandConfig(cmd).issuer;
  let u: URL;
  try { u = new URL(raw); } catch { throw new CliError(`--server: not a URL: ${JSON.stringify(raw)}`, 2); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CliError(`--server: must be an http(s) URL, not ${JSON.stringify(raw)}`, 2);
  return u.toString().replace(/\/+$/, '');
}

export interface ClientCredentials { id: string; secret: string | undefined }

/** The client's id and secret: option, stdin or environment; no secret = a public client. */
export async function clientCredentials(o: ClientCredentialOpts, env = process.env): Promise<ClientCredentials> {
  const id = o.clientId ?? env.TESSERA_CLIENT_ID;
  if (!id) throw new CliError('--client-id is required (or set TESSERA_CLIENT_ID)', 2);
  if (o.clientSecret !== undefined && o.clientSecretStdin) throw new CliError('give --client-secret or --client-secret-stdin, not both', 2);
  const secret = o.clientSecretStdin ? await stdinLine('--client-secret-stdin') : o.clientSecret ?? env.TESSERA_CLIENT_SECRET;
  return { id, secret: secret === '' ? undefined : secret };
}

/** RFC 6749 §2.3.1: client_secret_basic, with id and secret form-encoded first; a public client sends client_id. */
function authenticate(c: ClientCredentials, form: URLSearchParams): Record<string, string> {
  if (c.secret === undefined) {
    form.set('client_id', c.id);
    return {};
  }
  const enc = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
  return { authorization: `Basic ${Buffer.from(`${enc(c.id)}:${enc(c.secret)}`).toString('base64')}` };
}

/** fetch() could not reach `url` (refused, no such host, timeout): one line, exit 1. */
export function unreachable(url: string, e: unknown): CliError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return new ServerRefused(`${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
}

/** POSTs a form to `path` with client authentication; a non-2xx answer throws ServerRefused. */
export async function postAsClient(
  base: string, path: string, client: ClientCredentials, params: Record<string, string | undefined>, repeated: [string, string][] = [],
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) form.set(k, v);
  for (const [k, v] of repeated) form.append(k, v);
  const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...authenticate(client, form) };
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw unreachable(`${base}${path}`, e);
  }
  const text = await res.text();
  let body: Record<string, unknown> | undefined;
  // RFC 7009 §2.2: a revocation's 200 may have no body.
  try { body = res.ok && text === '' ? {} : JSON.parse(text) as Record<string, unknown>; } catch { body = undefined; }
  if (!res.ok || body === undefined || typeof body !== 'object' || body === null) {
    // RFC 6749 §5.2: error and error_description, on one line.
    const error = typeof body?.error === 'string' ? body.error : `HTTP ${res.status}`;
    const description = typeof body?.error_description === 'string' ? `: ${body.error_description}` : body ? '' : ' (not a JSON answer)';
    throw new ServerRefused(`${error}${description}`);
  }
  return { status: res.status, body };
}

/** A token argument; `-` reads it from stdin. */
export const tokenArgument = (token: string): Promise<string> | string => (token === '-' ? stdinLine('TOKEN (-)') : token);
