// Shared by the dialect tests: running a documented curl command literally, HTTPS test
// servers with a self-signed certificate (two of the documents use https://), and a
// fetch that trusts that certificate.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { selfSignedCertificate } from '../../src/cli/tls.js';
import type { DialectName } from '../../src/config/schema.js';
import { devFixtures } from '../../src/dev/fixtures.js';
import { clientFromConfig, participantFromConfig, userFromConfig } from '../../src/entities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { Backend } from '../helpers/stores.js';

const run = promisify(execFile);

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  json: any;
  text: string;
}

/** Splits a command as a shell would for these documents: quotes, `\` line joins, any whitespace. */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let cur: string | null = null;
  let quote: '"' | "'" | null = null;
  const s = command.replace(/\\\r?\n/g, ' ');
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur ??= '';
    } else if (/\s/.test(ch)) {
      if (cur !== null) words.push(cur);
      cur = null;
    } else {
      cur = (cur ?? '') + ch;
    }
  }
  if (cur !== null) words.push(cur);
  return words;
}

function parseCurlOutput(out: string): HttpResult {
  // With -i, curl prints every header block (a 100 Continue first, if any); the last is the answer's.
  let rest = out;
  let head = '';
  while (/^HTTP\/[\d.]+ \d{3}/.test(rest)) {
    const end = rest.indexOf('\r\n\r\n');
    head = rest.slice(0, end);
    rest = rest.slice(end + 4);
  }
  const [statusLine, ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let json: any;
  try { json = JSON.parse(rest); } catch { json = undefined; }
  return { status: Number(statusLine!.split(' ')[1]), headers, json, text: rest };
}

/** Runs a documented curl command (its words, `curl` first) with -s -i added to read the answer. */
export async function curl(command: string, env: Record<string, string> = {}): Promise<HttpResult> {
  const [bin, ...args] = shellWords(command);
  if (bin !== 'curl') throw new Error(`not a curl command: ${command.slice(0, 40)}`);
  const { stdout } = await run('curl', [...args, '-s', '-i'], { env: { ...process.env, ...env } });
  return parseCurlOutput(stdout);
}

/** Runs a command line through /bin/sh exactly as printed (plus -s -i). */
export async function shell(line: string, env: Record<string, string> = {}): Promise<HttpResult> {
  const { stdout } = await run('/bin/sh', ['-c', `${line} -s -i`], { env: { ...process.env, ...env } });
  return parseCurlOutput(stdout);
}

export interface TlsServer extends TestServer {
  /** PEM file of the self-signed certificate (for CURL_CA_BUNDLE). */
  caFile: string;
  /** fetch() that trusts the server's certificate (also usable as jose's customFetch). */
  fetch(url: string | URL, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Response>;
}

/** A test server on HTTPS with a certificate made for 127.0.0.1. */
export async function startTlsServer(backend: Backend, raw: Record<string, unknown> = {}): Promise<TlsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-tls-'));
  const { cert, key } = await selfSignedCertificate('127.0.0.1');
  const caFile = join(dir, 'cert.pem');
  writeFileSync(caFile, cert);
  writeFileSync(join(dir, 'key.pem'), key, { mode: 0o600 });
  const srv = await startTestServer(backend, { ...raw, tls_cert: caFile, tls_key: join(dir, 'key.pem') });
  const tlsFetch = (url: string | URL, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
    new Promise<Response>((resolve, reject) => {
      const req = httpsRequest(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, ca: cert }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          const status = res.statusCode ?? 0;
          resolve(new Response(status === 204 ? null : Buffer.concat(chunks), { status, headers }));
        });
      });
      req.on('error', reject);
      req.end(init.body);
    });
  return {
    ...srv,
    caFile,
    fetch: tlsFetch,
    close: async () => { await srv.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** Reads a fetch Response like test/helpers/server.ts postForm does. */
export async function read(res: Response): Promise<HttpResult> {
  const text = await res.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: Object.fromEntries(res.headers), json, text };
}

export interface DevSection {
  title: string;
  lines: string[];
}

/**
 * What `serve --dev` does for one section, against a running test server: writes the
 * fixture's entities (marked `dev`) and returns the banner lines it would print.
 */
export async function devSection(srv: TestServer, dialect: DialectName | 'standard'): Promise<DevSection> {
  const fixture = devFixtures.find((f) => (f.dialect ?? 'standard') === dialect);
  if (!fixture) throw new Error(`no dev fixture for ${dialect}`);
  const secret = (label: string) => `dev-${label}-0123456789abcdefghij`.slice(0, 32);
  const { store, config } = srv.tessera;
  const set = fixture.entities(secret, config);
  for (const p of set.participants) await store.participants.upsert(participantFromConfig(p, await store.participants.get(p.participant_code)));
  for (const c of set.clients) await store.clients.upsert(await clientFromConfig(c, await store.clients.get(c.client_id), 'dev'));
  for (const u of set.users) await store.users.upsert(await userFromConfig(u, await store.users.getByUsername(u.username), 'dev'));
  return { title: fixture.title, lines: fixture.lines({ url: srv.url, config, secret, kept: new Set() }) };
}

/** The one curl line of a dev section. */
export const curlLine = (s: DevSection) => s.lines.find((l) => l.startsWith('curl '))!;

export const b64json = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
