// `workers: 2`: two processes on one port and one database; /metrics sums them; SIGTERM
// stops every worker and the primary exits 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeDatabase } from '../helpers/stores.js';
import { basic, postForm, SECRET_KEY } from '../helpers/server.js';
import { SECRETS, standardConfig } from './fixtures.js';

describe('workers (node:cluster)', () => {
  it('serves from several processes, aggregates metrics, stops on SIGTERM', async () => {
    const db = await makeDatabase('sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cluster-'));
    const cfg = join(dir, 'tessera.yaml');
    // A fixed free-ish port: workers share the primary's handle, so port 0 would work too,
    // but the test must know the URL before the first worker logs.
    const port = 20000 + Math.floor(Math.random() * 20000);
    writeFileSync(cfg, JSON.stringify({ port, admin_port: port + 1, workers: 2, database: db.url, data_dir: dir, secret_key: SECRET_KEY, log_level: 'info', ...standardConfig }));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', cfg], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TESSERA_LOG_LEVEL: 'info' },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += String(c); });
    child.stderr.on('data', (c: Buffer) => { out += String(c); });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => { if (out.includes('tessera ready (cluster)')) { clearInterval(timer); resolve(); } }, 50);
        void exited.then((code) => { clearInterval(timer); reject(new Error(`exited ${code}: ${out}`)); });
      });
      const url = `http://127.0.0.1:${port}`;
      // connection: close makes every request a new connection, which the primary hands to
      // the workers in turn (round-robin), so both must serve some.
      const N = 16;
      for (let i = 0; i < N; i++) {
        const r = await postForm(`${url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('svc', SECRETS.svc), connection: 'close' });
        assert.equal(r.status, 200, r.text);
      }
      // Each worker logs its pid on every request line; the logger writes asynchronously.
      const perPid = new Map<number, number>();
      for (let tries = 0; tries < 100; tries++) {
        perPid.clear();
        for (const line of out.split('\n')) {
          const m = /"pid":(\d+).*"path":"\/oauth2\/token"/.exec(line);
          if (m) perPid.set(Number(m[1]), (perPid.get(Number(m[1])) ?? 0) + 1);
        }
        if ([...perPid.values()].reduce((a, b) => a + b, 0) >= N) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(perPid.size, 2, `requests served by two worker processes: ${JSON.stringify([...perPid])}`);
      assert.ok([...perPid.values()].every((n) => n > 0));
      // The primary sums every worker's counter: one worker's share alone would be < N.
      // On the admin listener (metrics_listener: admin, the default), shared by the workers too.
      const metrics = await (await fetch(`http://127.0.0.1:${port + 1}/metrics`, { headers: { connection: 'close' } })).text();
      const issued = /tessera_tokens_issued_total\{grant_type="client_credentials",client_id="svc",format="jwt"\} (\d+)/.exec(metrics);
      assert.equal(Number(issued?.[1]), N, metrics);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, out.slice(-1500));
    } finally {
      child.kill('SIGKILL');
      await db.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
