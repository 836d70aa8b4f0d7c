// Operations: health, readiness, Prometheus metrics, request ids, logs without secrets,
// and a graceful stop on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { REDACT } from '../../src/ops/logger.js';
import { BACKENDS, makeDatabase } from '../helpers/stores.js';
import { basic, postForm, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { PASSWORDS, SECRETS, standardConfig } from './fixtures.js';

for (const backend of BACKENDS) {
  describe(`operations (${backend})`, () => {
    let srv: TestServer;
    const lines: string[] = [];
    before(async () => {
      const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
      srv = await startTestServer(backend, standardConfig, { log: pino({ level: 'debug', redact: { paths: REDACT, censor: '[redacted]' } }, sink) });
    });
    after(async () => { await srv.close(); });

    it('healthz and readyz', async () => {
      const h = await fetch(`${srv.url}/healthz`);
      assert.equal(h.status, 200);
      const r = await fetch(`${srv.url}/readyz`);
      assert.equal(r.status, 200);
      assert.deepEqual(await r.json(), { status: 'ready', store: backend, limits: 'memory' });
    });

    it('metrics count tokens by grant, client and format, errors by code, and latency', async () => {
      await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('svc', SECRETS.svc) });
      await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('opaque', SECRETS.opaque) });
      await postForm(`${srv.url}/oauth2/token`, { grant_type: 'nope' }, { authorization: basic('svc', SECRETS.svc) });
      const res = await fetch(`${srv.adminUrl}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
      const text = await res.text();
      assert.match(text, /tessera_tokens_issued_total\{grant_type="client_credentials",client_id="svc",format="jwt"\} 1/);
      assert.match(text, /tessera_tokens_issued_total\{grant_type="client_credentials",client_id="opaque",format="opaque"\} 1/);
      assert.match(text, /tessera_oauth_errors_total\{error="unsupported_grant_type"\} 1/);
      assert.match(text, /tessera_http_request_duration_seconds_bucket\{le="0\.01",method="POST",route="\/oauth2\/token",status="200"\}/);
    });

    it('every response carries a request id; a sane client-chosen one is kept', async () => {
      const a = await fetch(`${srv.url}/healthz`);
      assert.match(a.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      const b = await fetch(`${srv.url}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
      assert.equal(b.headers.get('x-request-id'), 'trace-123');
      const c = await fetch(`${srv.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
      assert.notEqual(c.headers.get('x-request-id'), 'bad id with spaces');
    });

    it('JSON log lines with request ids, and never a password, secret or token', async () => {
      const r = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'alice', password: PASSWORDS.alice }, { authorization: basic('app', SECRETS.app) });
      assert.equal(r.status, 200);
      await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'alice', password: 'wrong-password-xyz' }, { authorization: basic('app', SECRETS.app) });
      await postForm(`${srv.url}/oauth2/token?client_secret=${SECRETS.svc}`, { grant_type: 'client_credentials' });
      // Secrets typed into identifier fields: swapped Basic parts, a password as username.
      await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic(SECRETS.svc, 'svc') });
      await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: SECRETS.poster, client_secret: 'x' });
      await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: PASSWORDS.bob, password: 'x' }, { authorization: basic('app', SECRETS.app) });
      await postForm(`${srv.url}/oauth2/introspect`, { token: r.json.access_token }, { authorization: basic('app', SECRETS.app) });
      await new Promise((res) => setTimeout(res, 50));
      const all = lines.join('');
      const requestLines = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
      assert.ok(requestLines.length >= 4);
      for (const l of requestLines) assert.ok(l.reqId, 'request id in every request line');
      for (const secret of [PASSWORDS.alice, PASSWORDS.bob, 'wrong-password-xyz', SECRETS.app, SECRETS.svc, SECRETS.poster, r.json.access_token, r.json.refresh_token]) {
        assert.ok(!all.includes(secret), `log leaked ${secret.slice(0, 6)}…`);
      }
    });
  });
}

describe('graceful shutdown on SIGTERM', () => {
  it('finishes in-flight requests, then exits 0', async () => {
    const db = await makeDatabase('sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'tessera-sigterm-'));
    const cfg = join(dir, 'tessera.yaml');
    writeFileSync(cfg, JSON.stringify({ port: 0, admin_port: 0, database: db.url, data_dir: dir, secret_key: SECRET_KEY, log_level: 'info', ...standardConfig }));
    // The suite runs with TESSERA_LOG_LEVEL=silent; this test reads the 'ready' log line.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TESSERA_LOG_LEVEL: 'info' } });
    try {
      let out = '';
      child.stderr.on('data', (c: Buffer) => { out += String(c); });
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += String(c);
          const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited early ${code}: ${out}`)));
      });
      // Password grants take tens of ms each (argon2id): several are in flight at SIGTERM.
      // Wait until the server has them all (connections are open before SIGTERM).
      await fetch(`${url}/healthz`);
      const inflight = Array.from({ length: 8 }, () =>
        postForm(`${url}/oauth2/token`, { grant_type: 'password', username: 'alice', password: PASSWORDS.alice }, { authorization: basic('app', SECRETS.app) })
          .then((r) => r.status, (e: Error) => `${e.message}: ${String((e as { cause?: unknown }).cause)}`));
      await new Promise((res) => setTimeout(res, 40));
      const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
      child.kill('SIGTERM');
      const results = await Promise.all(inflight);
      assert.deepEqual(results, Array(8).fill(200));
      assert.equal(await exited, 0, out.slice(-2000));
      await assert.rejects(fetch(`${url}/healthz`), 'no longer accepting');
    } finally {
      child.kill('SIGKILL');
      await db.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
