// Browser sessions of the hosted login: a random cookie value the store knows only by its
// hash, and a public `sid` (OIDC Front-Channel Logout §2.1) that codes, families and
// id_tokens name. Sign-in always makes a new one (no session fixation); sign-out ends it
// and revokes the refresh families bound to it.
import { hashToken, randomToken } from './secrets.js';
import type { BrowserSessionRepo, Store } from './store.js';
import type { BrowserSession, EpochSeconds, User } from './types.js';

export interface SignedIn {
  session: BrowserSession;
  user: User;
}

/**
 * The live session a cookie value names, with its user. A session whose user is gone or
 * disabled, or which began before the user's tokens_not_before (a password change), counts
 * as none: a security event signs the browser out as it ends the tokens.
 */
export async function currentSession(store: Pick<Store, 'sessions' | 'users'>, cookie: string | undefined, now: EpochSeconds): Promise<SignedIn | null> {
  if (!cookie || cookie.length > 200) return null;
  const session = await store.sessions.get(hashToken(cookie), now);
  if (!session) return null;
  const user = await store.users.getById(session.user_id);
  if (!user || user.disabled) return null;
  if (user.tokens_not_before !== null && session.auth_time < user.tokens_not_before) return null;
  return { session, user };
}

/** A new session for `user` signed in now; returns the cookie value (never stored) and the session. */
export async function startSession(sessions: Pick<BrowserSessionRepo, 'create'>, user: User, ttl: number, now: EpochSeconds): Promise<{ cookie: string; session: BrowserSession }> {
  const cookie = randomToken(32);
  const session: BrowserSession = {
    id_hash: hashToken(cookie), sid: randomToken(16), user_id: user.id, auth_time: now, acr: null,
    created_at: now, expires_at: now + ttl, ended_at: null,
  };
  await sessions.create({ id_hash: session.id_hash, sid: session.sid, user_id: session.user_id, auth_time: now, acr: null, created_at: now, expires_at: session.expires_at });
  return { cookie, session };
}

/**
 * Sign-out (OIDC RP-Initiated Logout §3): the session ends and the refresh families issued
 * in it are revoked (a grant with offline_access is not bound to it and survives).
 */
export async function endSession(store: Pick<Store, 'sessions' | 'tokens'>, sid: string, now: EpochSeconds): Promise<void> {
  await store.sessions.end(sid, now);
  await store.tokens.revokeSessionFamilies(sid, now);
}
