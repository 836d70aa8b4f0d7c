// HTTPS when tls_cert and tls_key are set: the issuer and metadata use https.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { selfSignedCertificate } from '../../src/cli/tls.js';
import { startTestServer } from '../helpers/server.js';

function get(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += String(c); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

describe('TLS', () => {
  it('serves HTTPS with the configured certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-tls-'));
    const { cert, key } = await selfSignedCertificate('127.0.0.1');
    writeFileSync(join(dir, 'cert.pem'), cert);
    writeFileSync(join(dir, 'key.pem'), key);
    const srv = await startTestServer('sqlite', { tls_cert: join(dir, 'cert.pem'), tls_key: join(dir, 'key.pem') });
    try {
      assert.match(srv.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const r = await get(`${srv.url}/.well-known/oauth-authorization-server`, cert);
      assert.equal(r.status, 200);
      assert.equal(JSON.parse(r.body).token_endpoint, `${srv.url}/oauth2/token`);
    } finally {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
