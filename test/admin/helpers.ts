// Talking to the admin API as an operator's script would: a client_credentials token with
// the tessera:admin scope from the token endpoint, then JSON over fetch.
import assert from 'node:assert/strict';
import { basic, postForm, type TestServer } from '../helpers/server.js';

export interface Res { status: number; headers: Headers; json: any; text: string }

export async function call(base: string, method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers };
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, json, text };
}

export async function clientToken(srv: TestServer, id: string, secret: string, scope?: string): Promise<string> {
  const r = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, { authorization: basic(id, secret) });
  assert.equal(r.status, 200, r.text);
  return r.json.access_token as string;
}

/** An admin session: with the given client, or the bootstrap client this start made. */
export async function admin(srv: TestServer, creds?: { client_id: string; client_secret: string }) {
  const b = creds ?? srv.tessera.bootstrap;
  assert.ok(b, 'the first start made the bootstrap admin client');
  const token = await clientToken(srv, b.client_id, b.client_secret, 'tessera:admin');
  return {
    token,
    call: (method: string, path: string, body?: unknown) => call(srv.adminUrl!, method, path, body === undefined ? { token } : { token, body }),
  };
}

/** An RFC 9457 problem, checked literally. */
export function assertProblem(r: Res, status: number, kind: string, instance?: string): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  assert.equal(r.json.type, `urn:tessera:problem:${kind}`);
  assert.equal(r.json.status, status);
  assert.equal(typeof r.json.title, 'string');
  assert.equal(typeof r.json.detail, 'string');
  if (instance !== undefined) assert.equal(r.json.instance, instance);
}
