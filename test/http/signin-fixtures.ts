// The clients and users of the code-flow tests, and authorization codes made the way the
// authorization endpoint makes them (core/authorization-code.ts), through the server's store.
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { issueAuthorizationCode, type AuthorizationCodeInput } from '../../src/core/authorization-code.js';
import type { TestServer } from '../helpers/server.js';

export const CODE_SECRET = 'code-secret-0123456789abcdefghijklmnopqrstu';
export const ALICE = 'alice-password-0123';
export const REDIRECT = 'https://rp.example/cb';
export const NATIVE_REDIRECT = 'http://127.0.0.1:8123/cb';

const confidential = (client_id: string, extra: Record<string, unknown> = {}) => ({
  client_id, client_secret: CODE_SECRET, grant_types: ['authorization_code', 'refresh_token'],
  redirect_uris: [REDIRECT], scope: 'openid profile email offline_access read', ...extra,
});

export const signinConfig = {
  clients: [
    confidential('web'),
    confidential('web-opaque', { access_token_format: 'opaque' }),
    confidential('web-es', { id_token_signed_response_alg: 'ES256' }),
    confidential('other'),
    confidential('two-uris', { redirect_uris: [REDIRECT, 'https://rp.example/other'] }),
    confidential('short', { access_token_ttl: 1 }),
    { client_id: 'native', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], redirect_uris: [NATIVE_REDIRECT], scope: 'openid profile' },
    { client_id: 'native-plain', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], redirect_uris: [NATIVE_REDIRECT], scope: 'openid', allow_plain_pkce: true },
    { client_id: 'pw', client_secret: CODE_SECRET, grant_types: ['password', 'refresh_token'], scope: 'openid profile email read' },
  ],
  users: [
    {
      username: 'alice', password: ALICE, email: 'alice@example.test', email_verified: true, name: 'Alice Liddell',
      given_name: 'Alice', family_name: 'Liddell', picture: 'https://img.example/alice.png', locale: 'en-GB',
    },
    { username: 'bob', password: 'bob-password-0123' },
    { username: 'dora', password: 'dora-password-0123', disabled: true },
  ],
};

export const now = () => Math.floor(Date.now() / 1000);

export interface CodeOptions extends Partial<AuthorizationCodeInput> {
  username?: string;
  verifier?: string | null;
  ttl?: number;
  /** When the code was made (default: now). */
  at?: number;
}

/** An S256 challenge for `verifier`, as a client computes it (RFC 7636 §4.2). */
export const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** OIDC Core §3.1.3.6 at_hash, computed here independently of the server's code. */
export const atHash = (accessToken: string) => createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');

/**
 * A code for alice (or `username`) to client `web` (or `client_id`) with an S256 challenge
 * of `verifier` (null: no challenge). Returns the code and what the exchange needs.
 */
export async function makeCode(srv: TestServer, o: CodeOptions = {}) {
  const store = srv.tessera.store;
  const { username = 'alice', verifier = client.randomPKCECodeVerifier(), ttl = 60, at = now(), ...fields } = o;
  const user = await store.users.getByUsername(username);
  const input: AuthorizationCodeInput = {
    client_id: 'web', user_id: user?.id ?? 'no-such-user', redirect_uri: REDIRECT, redirect_uri_given: true, scope: 'openid profile email',
    resource: null, code_challenge: verifier === null ? null : s256(verifier), code_challenge_method: verifier === null ? null : 'S256',
    nonce: client.randomNonce(), auth_time: at - 5, acr: null, sid: `sid-${client.randomState()}`,
    ...fields,
  };
  const code = await issueAuthorizationCode(store.codes, input, ttl, at);
  return { code, input, verifier: verifier ?? undefined };
}

/** An openid-client relying party for `clientId` on this server (http on loopback allowed). */
export async function relyingParty(srv: TestServer, clientId: string, metadata: Partial<client.ClientMetadata> = {}) {
  const auth = clientId.startsWith('native') ? client.None() : client.ClientSecretBasic(CODE_SECRET);
  const config = await client.discovery(new URL(srv.url), clientId, metadata, auth, { execute: [client.allowInsecureRequests] });
  // Verifies the id_token's signature against the JWKS too (OIDC Core §3.1.3.7 step 6).
  client.enableNonRepudiationChecks(config);
  return config;
}

/** The URL the browser comes back to with the code (RFC 6749 §4.1.2, RFC 9207 iss). */
export const callback = (srv: TestServer, code: string, state: string, redirect = REDIRECT) =>
  new URL(`${redirect}?${new URLSearchParams({ code, state, iss: srv.tessera.config.issuer })}`);

/** The token request an attacker (or a sloppy client) sends by hand. */
export const exchangeForm = (code: string, extra: Record<string, string | undefined> = {}) => {
  const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT };
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete form[k]; else form[k] = v;
  return form;
};
