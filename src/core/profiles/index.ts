// Claim profiles: what a client's access token carries and the defaults it gets.
// A client's `profile` field selects one (absent = standard RFC 9068); each dialect's claim
// set is listed here, so no grant knows about any dialect.
import type { Client, Participant, SigningAlg, TokenFormat, User } from '../types.js';
import { apkProfile } from './apk.js';
import { hcxProfile } from './hcx.js';
import { oProfile } from './o.js';
import { standardProfile } from './standard.js';

export interface ClaimContext {
  issuer: string;
  client: Client;
  user: User | null;
  participant: Participant | null;
  scope: string;
  aud: string;
  jti: string;
  iat: number;
  exp: number;
  /** Set for tokens issued with a refresh token: the session (family) they belong to. */
  familyId: string | null;
}

export interface ClaimProfile {
  /** JWT `typ` header (RFC 9068 §2.1 asks for at+jwt). */
  typ: string;
  /** Scope granted when the client asked for none and has none registered. */
  defaultScope?: string;
  /** Signing algorithm when the client does not name one. */
  defaultAlg?: SigningAlg;
  /** Whether the user's participant must be loaded for the claims. */
  needsParticipant?: boolean;
  /** Access-token format a client of this profile gets when its config names none. */
  defaultFormat?: TokenFormat;
  claims(ctx: ClaimContext): Record<string, unknown>;
}

// `v1` has no profile of its own: its clients get the standard claims.
const profiles = new Map<string, ClaimProfile>([
  ['standard', standardProfile], ['apk', apkProfile], ['hcx', hcxProfile], ['o', oProfile],
]);

export function profileFor(client: Client): ClaimProfile {
  return (client.profile && profiles.get(client.profile)) || standardProfile;
}

/** The access-token format for a client whose config names none (config validation). */
export function defaultFormatFor(profile: string | undefined): TokenFormat {
  return (profile && profiles.get(profile)?.defaultFormat) || 'jwt';
}
