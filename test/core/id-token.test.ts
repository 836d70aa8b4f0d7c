import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { atHash, idTokenAlg, idTokenClaims } from '../../src/core/id-token.js';
import type { Client, User } from '../../src/core/types.js';

const client = { client_id: 'rp', id_token_signed_response_alg: null } as Client;
const user = { id: 'user-1' } as User;

describe('id_token (OIDC Core §2)', () => {
  it('claims of a code exchange; nonce, acr and sid only when there is one', () => {
    const full = idTokenClaims({
      issuer: 'https://as', client, user, accessToken: 'at', iat: 1000, ttl: 300,
      signin: { sid: 's-1', auth_time: 900, acr: 'urn:x', nonce: 'n' },
    });
    assert.deepEqual(full, {
      iss: 'https://as', sub: 'user-1', aud: 'rp', azp: 'rp', iat: 1000, exp: 1300, auth_time: 900,
      nonce: 'n', acr: 'urn:x', sid: 's-1', at_hash: atHash('at'),
    });
    const bare = idTokenClaims({ issuer: 'https://as', client, user, accessToken: 'at', iat: 1000, ttl: 300, signin: { sid: null, auth_time: 900, acr: null, nonce: null } });
    assert.deepEqual(Object.keys(bare).sort(), ['at_hash', 'aud', 'auth_time', 'azp', 'exp', 'iat', 'iss', 'sub']);
  });

  it('at_hash: the left 128 bits of SHA-256, base64url (§3.1.3.6)', () => {
    const token = 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y';
    assert.equal(atHash(token), createHash('sha256').update(token).digest().subarray(0, 16).toString('base64url'));
    assert.equal(atHash(token).length, 22);
  });

  it('RS256 unless the client registered ES256', () => {
    assert.equal(idTokenAlg(client), 'RS256');
    assert.equal(idTokenAlg({ ...client, id_token_signed_response_alg: 'ES256' }), 'ES256');
  });
});
