// RFC 6749 §4.3: resource owner password credentials. The error for an unknown user and
// for a wrong password is the same, and takes the same time (a dummy argon2 verify).
import { invalidGrant, invalidRequest } from '../errors.js';
import { verifyAgainstDummy, verifyPassword } from '../password.js';
import { grantScope } from '../scope.js';
import { fingerprint } from '../secrets.js';
import type { UserRepo } from '../store.js';
import type { Grant } from './index.js';
import { checkResource } from './resource.js';

export const INVALID_CREDENTIALS = 'invalid username or password';

export interface PasswordPorts {
  users: Pick<UserRepo, 'getByUsername'>;
}

export const passwordGrant = ({ users }: PasswordPorts): Grant => ({
  type: 'password',
  params: ['username', 'password', 'scope', 'resource'],
  async handle({ client, params }) {
    const { username, password } = params;
    if (!username) throw invalidRequest('username is required');
    if (password === undefined) throw invalidRequest('password is required');
    const user = await users.getByUsername(username);
    const ok = user ? await verifyPassword(user.password_hash, password) : await verifyAgainstDummy(password);
    if (!user || !ok) {
      // Never the presented username in the log: it may be a mistyped password.
      throw invalidGrant(INVALID_CREDENTIALS, user ? `wrong password for user id ${user.id}` : `unknown username ${fingerprint(username)}`, 'invalid_user_credentials');
    }
    // Judged after the password, with the same answer: a disabled account is not revealed.
    if (user.disabled) throw invalidGrant(INVALID_CREDENTIALS, `user id ${user.id} is disabled`, 'invalid_user_credentials');
    const scope = grantScope(params.scope, client.scope, { forUser: true });
    return { user, scope, resource: checkResource(client, params.resource), mayRefresh: true };
  },
});
