// Access-token formats as strategies: no grant knows which one a client uses.
import type { SigningKey } from '../keys.js';
import type { ClaimProfile } from '../profiles/index.js';
import type { NewAccess } from '../store.js';
import type { TokenFormat } from '../types.js';
import { jwtFormat } from './jwt.js';
import { opaqueFormat } from './opaque.js';

export interface MintInput {
  claims: Record<string, unknown>;
  profile: ClaimProfile;
  key: SigningKey | undefined;
  jti: string;
  clientId: string;
  userId: string | null;
  scope: string;
  familyId: string | null;
  iat: number;
  exp: number;
}

export interface Minted {
  token: string;
  /** What to store; null when nothing needs remembering (a JWT outside any family). */
  record: NewAccess | null;
}

export interface AccessTokenFormat {
  /** Whether minting needs a signing key. */
  signed: boolean;
  mint(input: MintInput): Minted | Promise<Minted>;
}

export const formats: Record<TokenFormat, AccessTokenFormat> = { jwt: jwtFormat, opaque: opaqueFormat };
