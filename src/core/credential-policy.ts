// What makes a password or a client secret acceptable, and which grant sets cannot work.
// The CLI (and the admin API) refuse a credential below the policy; the config file's
// entries are reported at start instead, since they may mirror an existing system's
// credentials that Tessera must accept unchanged (entities.ts).

export interface CredentialPolicy {
  /** NIST SP 800-63B-4 §3.1.1.2: at least 15 characters where a password alone signs in. */
  password_min_length: number;
  /** RFC 6749 §10.10: unguessable; 32 characters is 128 bits as hex, more as base64url. */
  client_secret_min_length: number;
}

export const DEFAULT_CREDENTIAL_POLICY: CredentialPolicy = { password_min_length: 15, client_secret_min_length: 32 };

/** Longest password accepted (NIST SP 800-63B-4: at least 64 must be allowed); argon2 cost does not grow with it. */
export const PASSWORD_MAX_LENGTH = 1024;

/** Why `password` is refused, or undefined. Length counts Unicode code points, as NIST asks. */
export function passwordProblem(password: string, policy: CredentialPolicy, username?: string): string | undefined {
  const length = [...password].length;
  if (length < policy.password_min_length) return `is ${length} character${length === 1 ? '' : 's'}; the password policy asks for at least ${policy.password_min_length} (credential_policy.password_min_length)`;
  if (length > PASSWORD_MAX_LENGTH) return `is longer than ${PASSWORD_MAX_LENGTH} characters`;
  if (username !== undefined && password.toLowerCase() === username.toLowerCase()) return 'must not be the username';
  return undefined;
}

export function secretProblem(secret: string, policy: CredentialPolicy): string | undefined {
  if (secret.length < policy.client_secret_min_length) {
    return `is ${secret.length} character${secret.length === 1 ? '' : 's'}; the secret policy asks for at least ${policy.client_secret_min_length} (credential_policy.client_secret_min_length); leave it out to have one generated`;
  }
  return undefined;
}

/** Grant sets that are valid but cannot do what they seem to: said out loud, not refused. */
export function grantSetProblems(c: { grant_types: readonly string[]; redirect_uris?: readonly string[] | undefined; scope?: string | undefined }): string[] {
  const g = new Set(c.grant_types);
  const out: string[] = [];
  // RFC 6749 §1.5: a refresh token is only ever issued by another grant.
  if (g.has('refresh_token') && !g.has('password') && !g.has('authorization_code')) {
    out.push('refresh_token is its only way to get a refresh token: add password or authorization_code, or it can never refresh');
  }
  if (g.size === 0) out.push('it has no grant type: it can get no token');
  if ((c.redirect_uris?.length ?? 0) > 0 && !g.has('authorization_code')) out.push('its redirect_uris are unused without the authorization_code grant');
  if (c.scope?.split(' ').includes('openid') && !g.has('authorization_code')) out.push('the openid scope gives an id_token only in the authorization_code flow, which it may not use');
  return out;
}
