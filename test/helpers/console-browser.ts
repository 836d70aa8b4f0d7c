// Headless Chromium for the console's browser test, driven by playwright-core: Debian's
// chromium (TESSERA_CHROMIUM overrides the path), never a browser build of Playwright's own.
// A missing Chromium fails the test with how to install it: it is never skipped silently.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname;

export function chromiumPath(): string {
  const path = process.env.TESSERA_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  if (!path || !existsSync(path)) {
    throw new Error('Chromium is not installed: the browser tests need it. `apt-get install -y chromium` (as root; .ci/run does this), or set TESSERA_CHROMIUM.');
  }
  return path;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(), headless: true,
    // Root (CI, containers) cannot use Chromium's user-namespace sandbox; /dev/shm may be small.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-dev-shm-usage'],
  });
}
