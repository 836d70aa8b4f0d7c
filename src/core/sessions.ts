// Security events end sessions (RFC 9700 §4.14.2 "in case of a security event, such as a
// password change"): disabling a client, disabling a user or changing a user's password
// ends what was issued before it. Two mechanisms work together:
// - what the store holds (refresh families, opaque access tokens) is revoked there;
// - the client or user records `tokens_not_before`, and every token issued earlier reads
//   inactive. That reaches the JWTs the server never stored (client_credentials tokens,
//   password-grant tokens of a client without refresh_token), and keeps tokens dead when
//   the client or user is enabled again.
// A user's browser sessions (the hosted login) end with them.
// Deleting a client or a user needs no cut-off: a token whose owner is gone reads inactive.
import type { Store } from './store.js';
import type { Client, EpochSeconds, User } from './types.js';

/** A token's client or user (null: gone). May a token it was issued at `iat` still be used? */
export function ownerAccepts(owner: Pick<Client | User, 'disabled' | 'tokens_not_before'> | null, iat: EpochSeconds): boolean {
  // Whole seconds, as `iat`: a token of the very second of the change stays valid, since a
  // sign-in with the new password right after it must work.
  return owner !== null && !owner.disabled && (owner.tokens_not_before === null || iat >= owner.tokens_not_before);
}

/**
 * Saves a client (CLI, config file); disabling it ends its sessions. Returns how many
 * families and access tokens were revoked.
 */
export async function saveClient(store: Store, next: Client, previous: Client | null, at: EpochSeconds): Promise<number> {
  const ends = next.disabled && previous !== null && !previous.disabled;
  await store.clients.upsert(ends ? { ...next, tokens_not_before: at } : next);
  return ends ? store.tokens.revokeClientTokens(next.client_id, at) : 0;
}

/**
 * Deletes a user (CLI, a dev fixture removed at start) and revokes its refresh families at
 * once, so its refresh tokens fail in the store too. Returns how many families were revoked,
 * or null when there was no such user.
 */
export async function deleteUser(store: Store, user: User, at: EpochSeconds): Promise<number | null> {
  if (!(await store.users.delete(user.username))) return null;
  await store.sessions.endForUser(user.id, at);
  return store.tokens.revokeUserFamilies(user.id, at);
}

/**
 * Saves a user (CLI, config file); a new password or disabling ends its sessions, whatever
 * path the change came by. Returns the stored user and how many families were revoked.
 */
export async function saveUser(store: Store, next: User, previous: User | null, at: EpochSeconds): Promise<{ user: User; revoked: number }> {
  const ends = previous !== null && (next.password_hash !== previous.password_hash || (next.disabled && !previous.disabled));
  const user = await store.users.upsert(ends ? { ...next, tokens_not_before: at } : next);
  // Browser sessions end too: the hosted login must ask for the new password.
  if (ends) await store.sessions.endForUser(user.id, at);
  return { user, revoked: ends ? await store.tokens.revokeUserFamilies(user.id, at) : 0 };
}
