// The lockout as the endpoints see it (RFC 6749 §4.3.2: the token endpoint MUST resist brute
// force; RFC 6819 §5.1.4.2.3): one gate before any credential is checked or hashed, then what
// failed and what succeeded. Counting, thresholds, back-off and where the state lives are the
// policy's (src/limits/policy.ts); the core only says who a request speaks for.
import { authenticateClient, requireConfidential, type PresentedCredentials } from './client-auth/index.js';
import { isOAuthError, type ErrorReason } from './errors.js';
import type { ClientRepo } from './store.js';
import type { Client } from './types.js';

export type LockKind = 'ip' | 'token' | 'client' | 'user';

/** What failures are counted against: a client IP, a client's presented tokens, a client_id, a username. */
export interface LockSubject {
  kind: LockKind;
  /** The raw identifier; the policy keys it by a fingerprint, never in clear. */
  id: string;
}

export const lockSubject = {
  ip: (ip: string): LockSubject => ({ kind: 'ip', id: ip }),
  /** Invalid refresh tokens and unknown introspected tokens, per presenting client. */
  token: (clientId: string): LockSubject => ({ kind: 'token', id: clientId }),
  client: (clientId: string): LockSubject => ({ kind: 'client', id: clientId }),
  user: (username: string): LockSubject => ({ kind: 'user', id: username }),
};

export interface Throttle {
  /** Refuses with throttled() (429 + Retry-After) while any subject is locked. No hashing, no user lookup's outcome. */
  gate(subjects: readonly LockSubject[]): Promise<void>;
  /** One failure against each subject; locks those past their threshold. */
  failed(subjects: readonly LockSubject[]): Promise<void>;
  /** A success: the subjects' failures are forgotten (callers never pass the IP). Not awaited. */
  succeeded(subjects: readonly LockSubject[]): void;
}

/** `lockout: false`. */
export const noThrottle: Throttle = { gate: async () => {}, failed: async () => {}, succeeded: () => {} };

/** Which failures count against whom: an OAuthError's stable reason → the subjects it counts against. */
export type Counts = Partial<Record<ErrorReason, readonly LockSubject[]>>;

/** Runs a check; an OAuthError whose reason is in `counts` is counted before it propagates. */
export async function counted<T>(throttle: Throttle, counts: Counts, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (e) {
    const subjects = isOAuthError(e) && e.reason !== undefined ? counts[e.reason] : undefined;
    if (subjects && subjects.length > 0) await throttle.failed(subjects);
    throw e;
  }
}

export interface GuardedAuth {
  throttle: Throttle;
  clients: ClientRepo;
  ip: string;
  /** Further locks the same gate checks: the username of a password grant, the client's token key. */
  alsoLocks?: readonly LockSubject[];
  /** RFC 7662 §2.1: introspection refuses public clients (not counted: no secret was guessed). */
  confidential?: boolean;
}

/**
 * Client authentication (RFC 6749 §2.3) behind the lockout: the gate runs before any secret
 * is hashed; a failure counts against the presented client_id (known or not, alike) and the
 * IP; a success forgets the client's failures.
 */
export async function authenticateGuarded(g: GuardedAuth, presented: PresentedCredentials): Promise<Client> {
  const ip = lockSubject.ip(g.ip);
  const client = presented.client_id ? [lockSubject.client(presented.client_id)] : [];
  await g.throttle.gate([ip, ...client, ...(g.alsoLocks ?? [])]);
  let authenticated: Client;
  try {
    authenticated = await authenticateClient(g.clients, presented);
  } catch (e) {
    if (isOAuthError(e) && e.reason === 'invalid_client_credentials') {
      // A public client has no secret to guess; counting against its id would only let
      // anyone lock out all its users (its id is public by nature).
      const isPublic = presented.client_id !== undefined && (await g.clients.get(presented.client_id))?.token_endpoint_auth_method === 'none';
      await g.throttle.failed(isPublic ? [ip] : [ip, ...client]);
    }
    throw e;
  }
  g.throttle.succeeded(client);
  return g.confidential ? requireConfidential(authenticated, presented) : authenticated;
}

/**
 * The token key of an authenticated client, for counting guessed tokens: none for a public
 * client, whose one key all its users share (anyone could lock them all out; its IPs are
 * still counted).
 */
export function tokenSubject(client: Client): LockSubject[] {
  return client.token_endpoint_auth_method === 'none' ? [] : [lockSubject.token(client.client_id)];
}
