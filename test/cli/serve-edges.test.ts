// What a new user hits when starting and stopping `tessera serve` (issue 10, rough edges 1-4):
// the issuer follows --port, start-up mistakes are one line with exit 2, and SIGTERM ends the
// process within the deadline even when stdout is a closed pipe.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseEnv, CLI_SECRET_KEY } from '../helpers/cli.js';
import { freePort } from '../helpers/redis.js';

const env = (dir: string) => ({ ...baseEnv, TESSERA_SECRET_KEY: CLI_SECRET_KEY, TESSERA_DATABASE: `sqlite:${join(dir, 't.db')}`, TESSERA_DATA_DIR: dir });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUp(url: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try { if ((await fetch(url)).ok) return; } catch { /* not yet */ }
    if (Date.now() > until) throw new Error(`${url} did not come up`);
    await sleep(100);
  }
}

describe('serve: start-up', () => {
  it('without an issuer in the config, the issuer and metadata follow --port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-edges-'));
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', String(port)], { env: env(dir), stdio: 'ignore' });
    try {
      await waitUp(`http://127.0.0.1:${port}/healthz`);
      const doc = await (await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`)).json() as Record<string, string>;
      assert.equal(doc.issuer, `http://127.0.0.1:${port}`);
      assert.equal(doc.token_endpoint, `http://127.0.0.1:${port}/oauth2/token`);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a port in use, a bad port and --tls without --dev are each one line on stderr with exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-edges-'));
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const cases: [string[], RegExp][] = [
        [['serve', '--port', String(port)], new RegExp(`^tessera: 127\\.0\\.0\\.1:${port} is already in use`)],
        [['serve', '--port', 'eighty'], /^tessera: --port must be a whole number from 0 to 65535/],
        [['serve', '--port', '70000'], /^tessera: config: port: must be a whole number from 0 to 65535/],
        [['serve', '--tls'], /^tessera: --tls is for --dev/],
      ];
      for (const [args, line] of cases) {
        const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const c = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: env(dir) });
          let stderr = '';
          c.stderr.on('data', (d: Buffer) => { stderr += String(d); });
          c.on('exit', (code) => resolve({ code, stderr }));
        });
        assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
        assert.equal(run.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, line);
      }
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('serve: stopping', () => {
  it('SIGTERM ends the process within the deadline when stdout is a closed pipe', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-edges-'));
    const port = await freePort();
    // --dev: its banner is written to stdout after the reader is gone, as `npm start | head` does.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--dev', '--port', String(port)], {
      env: { ...env(dir), TESSERA_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.stdout!.destroy();
    const exited = new Promise<number>((r) => child.on('exit', () => r(Date.now())));
    try {
      await waitUp(`http://127.0.0.1:${port}/healthz`);
      // Logging into the closed pipe neither crashes nor stalls it.
      for (let i = 0; i < 50; i++) assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      const t0 = Date.now();
      child.kill('SIGTERM');
      const t1 = await Promise.race([exited, sleep(15_000).then(() => 0)]);
      assert.ok(t1 > 0 && t1 - t0 <= 11_500, `still running ${Date.now() - t0} ms after SIGTERM`);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SIGTERM to the shell that `npm start` runs the script in stops the server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-edges-'));
    const port = await freePort();
    const script = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    // npm runs `sh -c SCRIPT` and forwards SIGTERM to that shell; the server must not outlive it.
    const command = script.replace('node bin/tessera.js', `${JSON.stringify(process.execPath)} --import tsx src/cli/main.ts`) + ` --port ${port}`;
    // Its own process group, so a server left behind by a failing run is killed too.
    const sh = spawn('sh', ['-c', command], { env: env(dir), stdio: 'ignore', detached: true });
    try {
      await waitUp(`http://127.0.0.1:${port}/healthz`);
      sh.kill('SIGTERM');
      const until = Date.now() + 12_000;
      let up = true;
      while (up && Date.now() < until) {
        try { await fetch(`http://127.0.0.1:${port}/healthz`); await sleep(200); } catch { up = false; }
      }
      assert.equal(up, false, 'the server still answers after npm\'s shell got SIGTERM');
    } finally {
      try { process.kill(-sh.pid!, 'SIGKILL'); } catch { /* already gone */ }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
