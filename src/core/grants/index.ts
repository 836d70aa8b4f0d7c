// Grant registry: one file per grant, each exporting the same shape, keyed by grant type.
// Adding a grant is adding a file and a line here. Each grant is built from the few store
// ports it names (as fosite's per-flow storage interfaces), never from the whole Store.
import type { Reissue, SuccessorSeal } from '../rotation.js';
import type { CodeRepo, Consume, TokenRepo, UserRepo } from '../store.js';
import type { Client, GrantType, RefreshRecord, User } from '../types.js';
import { authorizationCodeGrant } from './authorization_code.js';
import { clientCredentialsGrant } from './client_credentials.js';
import { passwordGrant } from './password.js';
import { refreshTokenGrant } from './refresh_token.js';

export type Params = Readonly<Record<string, string>>;

export interface GrantInput {
  client: Client;
  params: Params;
  now: number;
}

/**
 * The browser sign-in behind a grant (OIDC Core §2): what an id_token says about it. With
 * `openid` in the granted scope the response carries an id_token (core/id-token.ts).
 */
export interface SignIn {
  /** The browser session (BrowserSession.sid), the id_token's `sid`; null: none to name. */
  sid: string | null;
  auth_time: number;
  acr: string | null;
  /** OIDC Core §3.1.2.1: only in the id_token of the code exchange, never on refresh (§12.2). */
  nonce: string | null;
}

/** What a grant decided: who the token is for and what it may do. */
export interface GrantOutcome {
  user: User | null;
  scope: string;
  /** RFC 8707 resource the token is bound to; becomes `aud`. */
  resource: string | null;
  /** Refresh rotation: the refresh token being exchanged, consumed in the issuing transaction. */
  rotated?: RefreshRecord;
  /** A grace-period replay: hand out this successor again, consume nothing (core/rotation.ts). */
  reissued?: Reissue;
  /**
   * Another one-time credential this exchange uses up (an authorization code), consumed in
   * the issuing transaction; the service records the new family on it.
   */
  consume?: Omit<Consume, 'family_id' | 'successor'>;
  /**
   * A new family is made even without a refresh token, carrying this sign-in context
   * (FamilyRecord): `sid` null when the grant must outlive the browser session.
   */
  family?: { sid: string | null; auth_time: number; acr: string | null };
  /** The sign-in an id_token is issued for (code exchange, refresh of such a grant). */
  signin?: SignIn;
  /** Whether this grant may come with a refresh token (never client_credentials). */
  mayRefresh: boolean;
}

export interface Grant {
  type: GrantType;
  /** Request parameters the grant reads, besides grant_type and client authentication. */
  params: readonly string[];
  /**
   * It presents a one-time credential (refresh token, code): an unknown one is a guess,
   * counted against the client's token key and the IP (core/throttle.ts).
   */
  presentsCredential?: true;
  handle(input: GrantInput): Promise<GrantOutcome>;
}

/** Everything grants may be built from; each takes the Pick of it it uses. */
export interface GrantPorts {
  users: UserRepo;
  tokens: TokenRepo;
  codes: CodeRepo;
  /** Opens a refresh token's successor kept for its grace period (core/rotation.ts). */
  seal: SuccessorSeal;
}

export function buildGrants(ports: GrantPorts): ReadonlyMap<string, Grant> {
  return new Map<string, Grant>(
    [authorizationCodeGrant(ports), clientCredentialsGrant(), passwordGrant(ports), refreshTokenGrant(ports)].map((g) => [g.type, g]),
  );
}
