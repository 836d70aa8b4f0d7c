// Grant registry: one file per grant, each exporting the same shape, keyed by grant type.
// Adding a grant is adding a file and a line here.
import type { Reissue, SuccessorSeal } from '../rotation.js';
import type { Store } from '../store.js';
import type { Client, GrantType, RefreshRecord, User } from '../types.js';
import { clientCredentialsGrant } from './client_credentials.js';
import { passwordGrant } from './password.js';
import { refreshTokenGrant } from './refresh_token.js';

export type Params = Readonly<Record<string, string>>;

export interface GrantInput {
  client: Client;
  params: Params;
  now: number;
  store: Store;
  /** Opens a refresh token's successor kept for its grace period (core/rotation.ts). */
  seal: SuccessorSeal;
}

/** What a grant decided: who the token is for and what it may do. */
export interface GrantOutcome {
  user: User | null;
  scope: string;
  /** RFC 8707 resource the token is bound to; becomes `aud`. */
  resource: string | null;
  /** Refresh rotation: the token being exchanged (consumed in the issuing transaction). */
  rotated?: RefreshRecord;
  /** A grace-period replay: hand out this successor again, consume nothing (core/rotation.ts). */
  reissued?: Reissue;
  /** Whether this grant may come with a refresh token (never client_credentials). */
  mayRefresh: boolean;
}

export interface Grant {
  type: GrantType;
  /** Request parameters the grant reads, besides grant_type and client authentication. */
  params: readonly string[];
  handle(input: GrantInput): Promise<GrantOutcome>;
}

export const grants: ReadonlyMap<string, Grant> = new Map<string, Grant>(
  [clientCredentialsGrant, passwordGrant, refreshTokenGrant].map((g) => [g.type, g]),
);
