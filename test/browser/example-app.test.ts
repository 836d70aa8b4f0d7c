// The README's "sign in a person" step, clicked through in Chromium: a dev-mode Tessera (the
// fixtures of `npm start`), the example relying party started with the command the dev banner
// prints, and a person pressing Sign in, typing alice's printed password, allowing the
// consent, seeing the id_token claims and userinfo, pressing Refresh and Sign out.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { EXAMPLE_APP } from '../../src/dev/fixtures.js';
import { devBanner, devSecret } from '../../src/dev/index.js';
import { useBrowser } from '../helpers/browser.js';
import { freePort } from '../helpers/redis.js';
import { SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';
import { navigation, screenshot, signIn } from './setup.js';

const browser = useBrowser();
const ROOT = new URL('../..', import.meta.url).pathname;


/** Runs the banner's `… npm run example` line (npm's script, i.e. node examples/relying-party/server.mjs) with PORT set. */
async function startExample(bannerLine: string, port: number): Promise<{ url: string; child: ChildProcess; output(): string }> {
  const m = /^((?:[A-Z_]+=\S+ )+)npm run example$/.exec(bannerLine);
  assert.ok(m, `the banner's example command: ${bannerLine}`);
  const env = Object.fromEntries(m[1]!.trim().split(' ').map((kv) => kv.split('=', 2) as [string, string]));
  const child = spawn('npm', ['run', '--silent', 'example'], { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += String(d); });
  child.stderr!.on('data', (d: Buffer) => { out += String(d); });
  const deadline = Date.now() + 20_000;
  while (!out.includes('Example app on')) {
    if (child.exitCode !== null) throw new Error(`the example exited ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) { process.kill(-child.pid!, 'SIGTERM'); throw new Error(`the example did not start: ${out}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}`, child, output: () => out };
}

for (const backend of BACKENDS) {
  describe(`the example relying party against a dev-mode server, in Chromium (${backend})`, () => {
    let srv: TestServer;
    let example: Awaited<ReturnType<typeof startExample>>;
    let banner: string;
    before(async () => {
      srv = await startTestServer(backend, {}, { dev: true });
      banner = devBanner(srv.tessera.config, srv.url, SECRET_KEY, srv.tessera.kept);
      const line = banner.split('\n').find((l) => l.endsWith('npm run example'));
      assert.ok(line, banner);
      // The registered port, as in the README; when something else holds it, another one: a
      // loopback redirect may use any port (RFC 8252 §7.3), but post_logout_redirect_uris
      // match exactly, so then the sign-out stays on Tessera's signed-out page.
      example = await startExample(line, await freePort(Number(new URL(EXAMPLE_APP.url).port)));
    });
    after(async () => {
      // npm and the node it started: the process group this test made (detached).
      if (example && example.child.exitCode === null) { process.kill(-example.child.pid!, 'SIGTERM'); await once(example.child, 'exit'); }
      await srv?.close();
    });

    it('Sign in → alice / printed password → Allow → claims and userinfo → Refresh → Sign out', async () => {
      const alicePassword = devSecret(SECRET_KEY)('alice').slice(0, 16);
      assert.ok(banner.includes(`alice / ${alicePassword}`), 'the banner prints the password typed below');
      const page = await (await browser.context()).newPage();
      /** The example shows what went wrong in #error. */
      const noError = async () => {
        if (await page.locator('#error').count()) assert.fail(`the example says: ${await page.locator('#error').textContent()}`);
      };
      await page.goto(example.url);
      await page.locator('#sign-in').click();
      await page.locator('#login-form').waitFor();
      assert.equal(new URL(page.url()).origin, srv.url);
      await signIn(page, 'alice', alicePassword);
      await page.locator('#consent-form').waitFor();
      assert.match((await page.locator('#consent-client').textContent()) ?? '', /Example app/);
      await navigation(page, /^\/$/, () => page.locator('#consent-allow').click());
      assert.equal(new URL(page.url()).origin, example.url);
      await noError();
      await page.locator('#claims').waitFor();
      const claims = await page.locator('#claims').textContent();
      assert.match(claims!, new RegExp(`iss${srv.url.replace(/[.:/]/g, '\\$&')}`));
      assert.match(claims!, /audexample-app/);
      const userinfo = (await page.locator('#userinfo').textContent())!;
      assert.match(userinfo, /emailalice@example\.test/);
      assert.match(userinfo, /nameAlice Dev/);
      assert.match((await page.locator('#welcome').textContent())!, /Alice Dev/);
      if (backend === BACKENDS[0]) await screenshot(page, 'example-app');

      await page.locator('#refresh').click();
      await page.waitForFunction(() => document.querySelector('#refresh-count')?.textContent === '1');
      await noError();

      await page.locator('#sign-out').click();
      if (example.url === EXAMPLE_APP.url) {
        await page.waitForURL(`${example.url}/`);
        await page.locator('#sign-in').waitFor();
      } else {
        await page.waitForURL((u) => u.origin === srv.url);
        await page.goto(example.url);
      }
      // Signed out of Tessera too: Sign in asks for the password again.
      await page.locator('#sign-in').click();
      await page.locator('#login-form').waitFor();
    });
  });
}
