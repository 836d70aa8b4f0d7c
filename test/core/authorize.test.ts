// The framework-free parts of the authorization endpoint: redirect URI matching (RFC 6749
// §3.1.2.3, RFC 8252 §7.3), prompt/max_age/consent decisions (OIDC Core §3.1.2.1), and the
// response parameters (RFC 9207).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, matchRedirectUri, parsePrompt, queryRedirect, responseParams, type AuthorizationRequest } from '../../src/core/authorize.js';
import { OAuthError } from '../../src/core/errors.js';
import type { Client } from '../../src/core/types.js';

describe('matchRedirectUri', () => {
  it('is an exact string match, except the port of a loopback redirect', () => {
    const reg = ['https://a.example/cb', 'http://127.0.0.1/cb', 'http://localhost:3000/x?y=1', 'http://[::1]:80/v6'];
    assert.ok(matchRedirectUri('https://a.example/cb', reg));
    for (const u of ['https://a.example/cb/', 'https://a.example/CB', 'https://a.example/cb?', 'https://a.example:443/cb', 'HTTPS://a.example/cb']) assert.ok(!matchRedirectUri(u, reg), u);
    assert.ok(matchRedirectUri('http://127.0.0.1:51234/cb', reg));
    assert.ok(matchRedirectUri('http://127.0.0.1/cb', reg));
    assert.ok(matchRedirectUri('http://localhost:9/x?y=1', reg));
    assert.ok(matchRedirectUri('http://[::1]:7/v6', reg));
    for (const u of ['http://127.0.0.1:5/cb/', 'http://localhost:5/cb', 'http://127.0.0.1:5@evil.example/cb', 'http://127.0.0.1.evil.example/cb', 'http://[::1]:7/cb', 'http://localhost:9/x?y=2', 'https://127.0.0.1:5/cb']) {
      assert.ok(!matchRedirectUri(u, reg), u);
    }
  });
});

const client = (o: Partial<Client> = {}) => ({ client_id: 'c', first_party: false, ...o }) as Client;
const request = (o: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  client_id: 'c', redirect_uri: 'https://a.example/cb', redirect_uri_given: true, response_mode: 'query', scope: 'openid read', state: null, nonce: null,
  code_challenge: null, code_challenge_method: null, resource: null, prompt: [], max_age: null, login_hint: null, ...o,
});
const NOW = 1_700_000_000;
const base = { client: client(), authTime: NOW - 100, consented: 'openid read', justAuthenticated: false, justConsented: false, now: NOW };

describe('decide', () => {
  it('login when nobody is signed in, or prompt=login, or the sign-in is older than max_age; not right after signing in', () => {
    assert.equal(decide({ ...base, request: request(), authTime: null }).next, 'login');
    assert.equal(decide({ ...base, request: request({ prompt: ['login'] }) }).next, 'login');
    assert.equal(decide({ ...base, request: request({ prompt: ['login'] }), justAuthenticated: true }).next, 'issue');
    assert.equal(decide({ ...base, request: request({ max_age: 99 }) }).next, 'login');
    assert.equal(decide({ ...base, request: request({ max_age: 100 }) }).next, 'issue');
    assert.equal(decide({ ...base, request: request({ max_age: 0 }), authTime: NOW }).next, 'login');
    assert.equal(decide({ ...base, request: request({ max_age: 0 }), authTime: NOW, justAuthenticated: true }).next, 'issue');
  });
  it('consent unless remembered for every scope, or first-party; prompt=consent always asks', () => {
    assert.equal(decide({ ...base, request: request(), consented: null }).next, 'consent');
    assert.equal(decide({ ...base, request: request({ scope: 'openid read email' }) }).next, 'consent');
    assert.equal(decide({ ...base, request: request({ scope: 'read' }) }).next, 'issue');
    assert.equal(decide({ ...base, request: request({ prompt: ['consent'] }) }).next, 'consent');
    assert.equal(decide({ ...base, request: request(), consented: null, client: client({ first_party: true }) }).next, 'issue');
  });
  it('prompt=none turns each page into an error for the client', () => {
    const none = request({ prompt: ['none'] });
    const e1 = decide({ ...base, request: none, authTime: null });
    assert.ok(e1.next === 'error' && e1.error.code === 'login_required');
    const e2 = decide({ ...base, request: none, consented: null });
    assert.ok(e2.next === 'error' && e2.error.code === 'consent_required');
    assert.equal(decide({ ...base, request: none }).next, 'issue');
  });
});

describe('parsePrompt', () => {
  it('none alone; known values only', () => {
    assert.deepEqual(parsePrompt('login consent'), ['login', 'consent']);
    assert.deepEqual(parsePrompt(undefined), []);
    assert.deepEqual(parsePrompt('select_account'), []);
    assert.throws(() => parsePrompt('none consent'), /invalid_request/);
    assert.throws(() => parsePrompt('maybe'), /invalid_request/);
  });
});

describe('response parameters', () => {
  it('iss always, state when sent, appended to an existing query', () => {
    assert.equal(queryRedirect('https://a.example/cb?x=1', responseParams('https://i.example', 's 1', { code: 'abc' })), 'https://a.example/cb?x=1&code=abc&state=s%201&iss=https%3A%2F%2Fi.example');
    assert.equal(queryRedirect('https://a.example/cb', responseParams('https://i.example', null, { error: new OAuthError('access_denied', 'no') })), 'https://a.example/cb?error=access_denied&error_description=no&iss=https%3A%2F%2Fi.example');
  });
});
