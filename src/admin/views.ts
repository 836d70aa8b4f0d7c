// What the admin API shows of each entity: never a secret's hash, nor the internal cut-off
// times. Lists are the same shapes (schemas.ts).
import { currentLock } from '../cli/locks.js';
import type { Client, Participant, User } from '../core/types.js';
import { SHARED_SCHEMAS } from './schemas.js';

const writable = (id: string): string[] => Object.keys((SHARED_SCHEMAS.find((s) => s.$id === id) as { properties: object }).properties);
/** The client fields the API can set: the ClientCreate schema's. */
export const CLIENT_FIELDS = writable('ClientCreate').filter((k) => k !== 'client_id');
export const USER_FIELDS = writable('UserPatch');

export function clientView(c: Client) {
  const { client_secret_hash: _hash, tokens_not_before: _cutoff, ...shown } = c;
  return { ...shown, locked_until: currentLock(c.locked_until) };
}

export function userView(u: User) {
  const { password_hash: _hash, tokens_not_before: _cutoff, ...shown } = u;
  return { ...shown, locked_until: currentLock(u.locked_until) };
}

export const participantView = (p: Participant) => p;

/** A stored client as validateClient's input (nulls left out: the config's "unset"). */
export function clientInput(c: Client): Record<string, unknown> {
  const out: Record<string, unknown> = { client_id: c.client_id };
  for (const k of CLIENT_FIELDS) {
    const v = (c as unknown as Record<string, unknown>)[k];
    if (v !== null && v !== undefined) out[k] = v;
  }
  return out;
}
