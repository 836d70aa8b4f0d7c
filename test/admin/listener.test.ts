// The admin listener beside the public one: where /metrics is served (metrics_listener),
// the listener switched off, the config rules, request ids and the per-address rate limit.
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/config/validate.js';
import { createServer } from 'node:net';
import { startTestServer } from '../helpers/server.js';
import { makeDatabase } from '../helpers/stores.js';
import { admin, assertProblem, call } from './helpers.js';

describe('admin listener', () => {
  it('serves /metrics by default; the public port does not', async () => {
    const srv = await startTestServer('sqlite');
    try {
      assert.notEqual(srv.adminUrl, srv.url);
      const m = await fetch(`${srv.adminUrl}/metrics`);
      assert.equal(m.status, 200);
      assert.match(await m.text(), /^# HELP tessera_/m);
      assert.equal((await fetch(`${srv.url}/metrics`)).status, 404);
      const r = await call(srv.adminUrl!, 'GET', '/admin/keys', { headers: { 'x-request-id': 'ops-42' } });
      assert.equal(r.headers.get('x-request-id'), 'ops-42');
    } finally {
      await srv.close();
    }
  });

  it('metrics_listener: public keeps /metrics on the token port', async () => {
    const srv = await startTestServer('sqlite', { metrics_listener: 'public' });
    try {
      assert.equal((await fetch(`${srv.url}/metrics`)).status, 200);
      assertProblem(await call(srv.adminUrl!, 'GET', '/metrics'), 404, 'not-found');
    } finally {
      await srv.close();
    }
  });

  it('admin: false starts no admin listener and serves /metrics publicly', async () => {
    const srv = await startTestServer('sqlite', { admin: false });
    try {
      assert.equal(srv.adminUrl, null);
      assert.equal(srv.adminApp, null);
      assert.equal(srv.tessera.bootstrap, null);
      assert.equal((await fetch(`${srv.url}/metrics`)).status, 200);
    } finally {
      await srv.close();
    }
  });

  it('config: defaults, and the rules between the keys', () => {
    const c = validateConfig({});
    assert.deepEqual([c.admin, c.admin_host, c.admin_port, c.admin_bootstrap, c.metrics_listener], [true, '127.0.0.1', 8081, true, 'admin']);
    assert.equal(validateConfig({ admin: false }).metrics_listener, 'public');
    assert.throws(() => validateConfig({ port: 9000, admin_port: 9000 }), /config: admin_port: must differ from port \(9000\)/);
    assert.throws(() => validateConfig({ admin: false, metrics_listener: 'admin' }), /config: metrics_listener: is admin but admin is false/);
    assert.throws(() => validateConfig({ metrics_listener: 'both' }), /config: metrics_listener: must be one of admin, public/);
    assert.throws(() => validateConfig({ admin_port: 70000 }), /config: admin_port: must be a whole number from 0 to 65535/);
  });

  it('admin requests are rate limited per address: 429 problem with Retry-After', async () => {
    const srv = await startTestServer('sqlite', { rate_limit: { ip: { rate: 1, burst: 4 }, client: false } });
    try {
      const api = await admin(srv); // the token request takes one
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 8; i++) { last = await api.call('GET', '/admin/keys'); statuses.push(last.status); }
      assert.ok(statuses.includes(200) && statuses.at(-1) === 429, statuses.join(','));
      assertProblem(last!, 429, 'rate-limited');
      assert.match(last!.headers.get('retry-after') ?? '', /^\d+$/);
      // /metrics and the OpenAPI document are not behind it (a scraper must not be starved).
      assert.equal((await fetch(`${srv.adminUrl}/metrics`)).status, 200);
      assert.equal((await fetch(`${srv.adminUrl}/admin/openapi.json`)).status, 200);
    } finally {
      await srv.close();
    }
  });

  it('each change logs one "event":"audit" line, without the secret it showed', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const srv = await startTestServer('sqlite', {}, { log: pino({ level: 'info' }, sink) });
    try {
      const api = await admin(srv);
      const made = await api.call('POST', '/admin/clients', { client_id: 'logged', scope: 'read' });
      const rotated = await api.call('POST', '/admin/clients/logged/secret');
      await new Promise((r) => setTimeout(r, 50));
      const audits = lines.map((l) => JSON.parse(l) as Record<string, any>).filter((l) => l.event === 'audit');
      assert.deepEqual(audits.map((a) => a.action), ['client.bootstrap', 'client.create', 'client.rotate_secret']);
      assert.equal(audits[1]!.actor_client_id, 'tessera-admin');
      assert.equal(audits[1]!.after.client_id, 'logged');
      const all = lines.join('');
      for (const secret of [made.json.client_secret, rotated.json.client_secret, srv.tessera.bootstrap!.client_secret]) assert.ok(!all.includes(secret));
      assert.doesNotMatch(all, /secret_hash/);
    } finally {
      await srv.close();
    }
  });

  it('a start that cannot listen keeps no bootstrap client: the next start makes and prints one', async () => {
    const db = await makeDatabase('sqlite');
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      await assert.rejects(startTestServer('sqlite', { admin_port: port }, { db }), /EADDRINUSE/);
      const srv = await startTestServer('sqlite', {}, { db });
      try {
        assert.equal(srv.tessera.bootstrap?.client_id, 'tessera-admin');
        assert.equal((await admin(srv)).token.length > 0, true);
      } finally {
        await srv.close();
      }
    } finally {
      busy.close();
      await db.cleanup();
    }
  });
});
