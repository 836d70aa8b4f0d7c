// The metadata documents (RFC 8414 §2, OIDC Discovery 1.0 §3): openid-client discovers the
// server from them, they describe the code flow, and every endpoint they list is there.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { signinConfig } from './signin-fixtures.js';

/** Endpoints another part of the sign-in builds (the authorization endpoint, logout). */

describe('discovery', () => {
  let srv: TestServer;
  let doc: Record<string, unknown>;
  before(async () => {
    srv = await startTestServer('sqlite', signinConfig);
    doc = await (await fetch(`${srv.url}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
  });
  after(async () => { await srv.close(); });

  it('openid-client discovers the server, under both paths the same document', async () => {
    const config = await client.discovery(new URL(srv.url), 'web', undefined, undefined, { execute: [client.allowInsecureRequests] });
    const m = config.serverMetadata();
    assert.equal(m.issuer, srv.url);
    assert.equal(m.userinfo_endpoint, `${srv.url}/oauth2/userinfo`);
    assert.deepEqual(doc, await (await fetch(`${srv.url}/.well-known/oauth-authorization-server`)).json());
  });

  it('describes the code flow and OpenID Connect as built', () => {
    const iss = srv.url;
    assert.equal(doc.authorization_endpoint, `${iss}/oauth2/authorize`);
    assert.equal(doc.end_session_endpoint, `${iss}/oauth2/logout`);
    assert.deepEqual(doc.response_types_supported, ['code']);
    assert.deepEqual(doc.response_modes_supported, ['query', 'form_post']);
    assert.deepEqual(doc.grant_types_supported, ['authorization_code', 'client_credentials', 'password', 'refresh_token']);
    assert.deepEqual(doc.code_challenge_methods_supported, ['S256', 'plain']);
    assert.deepEqual(doc.subject_types_supported, ['public']);
    assert.deepEqual(doc.id_token_signing_alg_values_supported, ['RS256', 'ES256']);
    assert.deepEqual(doc.scopes_supported, ['openid', 'profile', 'email', 'offline_access']);
    assert.deepEqual(doc.prompt_values_supported, ['none', 'login', 'consent']);
    assert.equal(doc.authorization_response_iss_parameter_supported, true);
    for (const k of ['claims_parameter_supported', 'request_parameter_supported', 'request_uri_parameter_supported']) assert.equal(doc[k], false, k);
    for (const c of ['sub', 'iss', 'auth_time', 'acr', 'sid', 'nonce', 'email', 'email_verified', 'name', 'preferred_username', 'picture']) {
      assert.ok((doc.claims_supported as string[]).includes(c), c);
    }
    assert.equal(new Set(doc.claims_supported as string[]).size, (doc.claims_supported as string[]).length, 'no claim listed twice');
  });

  it('every endpoint it lists answers (not 404)', async () => {
    const endpoints = Object.entries(doc).filter(([k]) => k.endsWith('_endpoint') || k === 'jwks_uri');
    assert.ok(endpoints.length >= 7, endpoints.map(([k]) => k).join(' '));
    for (const [name, url] of endpoints) {
      assert.ok(typeof url === 'string' && url.startsWith(`${srv.url}/`), `${name}: ${String(url)}`);
      const status = (await fetch(url)).status;
      assert.notEqual(status, 404, `${name} ${url}`);
    }
  });
});
