// Headless Chromium for the browser tests (test/browser/*), driven by playwright-core: Debian's
// chromium (TESSERA_CHROMIUM overrides the path), never a browser build of Playwright's own.
// One browser per test file (useBrowser registers before/after), a fresh context per test
// (no cookies shared between tests).
//
// A missing Chromium fails the tests with a message saying how to install it: the suite
// must be able to fail, so the browser tests are never skipped silently.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export type { Browser, BrowserContext, Page };

/** Where the docs' screenshots go (committed; the tests overwrite them). */
export const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname;

/** The Chromium executable: TESSERA_CHROMIUM, else `chromium` / `chromium-browser` on PATH. */
export function chromiumPath(): string {
  const env = process.env.TESSERA_CHROMIUM;
  if (env) {
    if (!existsSync(env)) throw new Error(`TESSERA_CHROMIUM=${env} does not exist`);
    return env;
  }
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of ['chromium', 'chromium-browser']) {
    for (const dir of dirs) if (existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(
    'Chromium is not installed: the browser tests (test/browser/*) need it. Install Debian\'s package with '
    + '`apt-get install -y chromium` (as root; .ci/run does this), or set TESSERA_CHROMIUM to a Chromium executable.',
  );
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root (CI, containers) cannot use Chromium's user-namespace sandbox; /dev/shm may be small.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-dev-shm-usage'],
  });
}

/**
 * One browser for the calling test file. `context()` opens a fresh context (its own cookie
 * jar) that is closed when the file ends, if the test did not close it.
 */
export function useBrowser(): { browser(): Browser; context(): Promise<BrowserContext>; page(): Promise<Page> } {
  let browser: Browser | undefined;
  const open: BrowserContext[] = [];
  before(async () => { browser = await launchBrowser(); });
  after(async () => {
    await Promise.all(open.map((c) => c.close().catch(() => {})));
    await browser?.close();
  });
  const context = async () => {
    if (!browser) throw new Error('the browser is not started (useBrowser() registers a before hook)');
    const c = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    c.setDefaultTimeout(15_000);
    open.push(c);
    return c;
  };
  return {
    browser: () => browser!,
    context,
    page: async () => (await context()).newPage(),
  };
}

/**
 * Records every request the context makes and aborts any to another origin than `allowed`:
 * an open redirect would show as a recorded, aborted request (there is no network here).
 */
export async function guardOrigins(ctx: BrowserContext, allowed: string[]): Promise<{ foreign: string[] }> {
  const foreign: string[] = [];
  const ok = new Set(allowed.map((u) => new URL(u).origin));
  await ctx.route('**/*', async (route) => {
    const url = route.request().url();
    if (ok.has(new URL(url).origin)) return route.continue();
    foreign.push(url);
    return route.abort('blockedbyclient');
  });
  return { foreign };
}
