// Branding from the config reaches every page: the product name in <title> and header, the
// logo with the product name as alt text, the colours as CSS custom properties.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.js';
import { authorizeUrl, signinEntities } from '../helpers/signin.js';

describe('sign-in page branding', () => {
  it('product name, logo and colours', async () => {
    const srv = await startTestServer('sqlite', {
      ...signinEntities,
      branding: { product_name: 'Acme <ID>', logo_url: 'https://cdn.acme.example/logo.svg', primary_color: '#aa0011', background_color: 'ivory' },
    });
    try {
      for (const path of [authorizeUrl({}), authorizeUrl({ client_id: 'nobody' }), '/account']) {
        const html = await (await fetch(`${srv.url}${path}`)).text();
        assert.match(html, /<title>[^<]+ – Acme &lt;ID&gt;<\/title>/, path);
        assert.match(html, /<img class="logo" src="https:\/\/cdn\.acme\.example\/logo\.svg" alt="Acme &lt;ID&gt;"/, path);
        assert.match(html, /<span class="product">Acme &lt;ID&gt;<\/span>/, path);
      }
      const css = await (await fetch(`${srv.url}/oauth2/assets/style.css`)).text();
      assert.match(css, /^:root \{ --primary: #aa0011; --background: ivory; \}/);
    } finally {
      await srv.close();
    }
  });
});
