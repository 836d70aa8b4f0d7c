// The first admin, as an operator meets it: `tessera serve` on an empty database prints the
// bootstrap credentials once (a plain block on stdout, not in the JSON logs), its curl
// command works as printed, later starts print nothing, several instances starting together
// make one, `admin_bootstrap: false` makes none, and `tessera audit` shows the change.
import { execFile } from 'node:child_process';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { tessera } from '../helpers/cli.js';
import { spawnServer, writeInstanceConfig, type ServerProcess } from '../helpers/process.js';
import { BACKENDS, makeDatabase, type TestStore } from '../helpers/stores.js';
import { call } from './helpers.js';

const run = promisify(execFile);
const SECRET_LINE = /^ {2}client_secret: (\S+)$/m;

/** The banner comes right after the ready line; a start without one is given a moment to show it. */
async function settle(srv: ServerProcess, want: boolean): Promise<void> {
  for (let i = 0; i < (want ? 100 : 10); i++) {
    if (SECRET_LINE.test(srv.output())) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
const adminUrl = (srv: ServerProcess) => /"admin_url":"(http[^"]+)"/.exec(srv.output())![1]!;

for (const backend of BACKENDS) {
  describe(`admin bootstrap (${backend})`, () => {
    const cleanup: (() => Promise<void> | void)[] = [];
    after(async () => { for (const c of cleanup.reverse()) await c(); });
    const fresh = async () => {
      const db: TestStore = await makeDatabase(backend);
      cleanup.push(() => db.cleanup());
      return db;
    };
    const start = async (raw: Record<string, unknown>) => {
      const cfg = writeInstanceConfig(raw);
      cleanup.push(() => cfg.remove());
      const srv = await spawnServer(cfg.path);
      cleanup.push(() => srv.stop());
      return { srv, cfg };
    };

    it('prints the credentials once; the printed curl command gets an admin token; a restart prints nothing', async () => {
      const db = await fresh();
      const { srv, cfg } = await start({ database: db.url });
      await settle(srv, true);
      const out = srv.output();
      const secret = SECRET_LINE.exec(out)?.[1];
      assert.ok(secret, out.slice(-2000));
      assert.equal(out.split('client_secret:').length - 1, 1, 'printed once');
      // Not in any JSON log line.
      for (const line of out.split('\n').filter((l) => l.startsWith('{'))) assert.ok(!line.includes(secret), line);
      // The token command as printed (its URL is this instance's), then the admin call.
      const tokenLine = out.split('\n').find((l) => l.trim().startsWith('TOKEN=$(curl'))!.trim();
      const adminLine = out.split('\n').find((l) => l.includes('curl -H "Authorization: Bearer $TOKEN"'))!.trim();
      const { stdout } = await run('/bin/sh', ['-c', `${tokenLine}; ${adminLine}`]);
      const body = JSON.parse(stdout) as { items: { client_id: string; scope: string; managed_by: string | null }[] };
      // The console's client asks for the scope for its users; it is not an automation client.
      assert.deepEqual(body.items.filter((c) => c.scope.split(' ').includes('tessera:admin')).map((c) => `${c.client_id} ${c.managed_by}`), ['tessera-admin null', 'tessera-console console']);
      await srv.stop();
      const again = await spawnServer(cfg.path);
      cleanup.push(() => again.stop());
      await settle(again, false);
      assert.doesNotMatch(again.output(), /client_secret:/);
      // The same credentials still work against the restarted server.
      const tok = await fetch(`${/"url":"(http[^"]+)"/.exec(again.output())![1]}/oauth2/token`, {
        method: 'POST', headers: { authorization: `Basic ${Buffer.from(`tessera-admin:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&scope=tessera%3Aadmin',
      });
      const token = ((await tok.json()) as { access_token: string }).access_token;
      assert.equal((await call(adminUrl(again), 'GET', '/admin/audit', { token })).json.items.at(-1).action, 'client.bootstrap');
      await again.stop();
      // `tessera audit` reads the same log from the database.
      const cli = await tessera(['audit', '--config', cfg.path, '--json']);
      assert.equal(cli.code, 0, cli.stderr);
      const entries = JSON.parse(cli.stdout) as { action: string; actor_client_id: string; after: Record<string, unknown> }[];
      assert.equal(entries.at(-1)!.action, 'client.bootstrap');
      assert.equal(entries.at(-1)!.actor_client_id, 'tessera');
      assert.ok(!cli.stdout.includes(secret));
      const table = await tessera(['audit', '--config', cfg.path, '--limit', '1']);
      assert.match(table.stdout, /^SEQ\s+TIME\s+ACTOR\s+ACTION\s+ID\n/);
      assert.equal((await tessera(['audit', '--config', cfg.path, '--limit', '0'])).code, 2);
    });

    it('several instances starting together on one database make one admin client, printed by one', async () => {
      const db = await fresh();
      const cfg = writeInstanceConfig({ database: db.url });
      cleanup.push(() => cfg.remove());
      const servers = await Promise.all([spawnServer(cfg.path), spawnServer(cfg.path), spawnServer(cfg.path)]);
      for (const s of servers) cleanup.push(() => s.stop());
      await new Promise((r) => setTimeout(r, 1000));
      const printed = servers.filter((s) => SECRET_LINE.test(s.output()));
      assert.equal(printed.length, 1, servers.map((s) => s.output().slice(-500)).join('\n---\n'));
      const list = await tessera(['client', 'list', '--config', cfg.path, '--json']);
      assert.equal((JSON.parse(list.stdout) as { client_id: string; scope: string }[]).filter((c) => c.scope.includes('tessera:admin') && c.client_id !== 'tessera-console').length, 1);
    });

    it('admin_bootstrap: false makes no client and prints nothing; admin: false has no admin listener', async () => {
      const db = await fresh();
      const { srv } = await start({ database: db.url, admin_bootstrap: false });
      await settle(srv, false);
      assert.doesNotMatch(srv.output(), /client_secret:/);
      const off = await start({ database: (await fresh()).url, admin: false });
      await settle(off.srv, false);
      assert.doesNotMatch(off.srv.output(), /client_secret:|"admin_url":"http/);
      const list = await tessera(['client', 'list', '--config', off.cfg.path, '--json']);
      assert.deepEqual((JSON.parse(list.stdout) as { client_id: string }[]).filter((c) => c.client_id === 'tessera-admin'), []);
    });
  });
}
