// Refresh-token rotation when the same token is presented more than once (RFC 9700
// §4.14.2). One set of rules for every store, judged here from what the store recorded when
// the token was consumed (its `used_at`, its successor's hash and, in a grace period, the
// successor itself, encrypted):
//
//  1. Grace period (`refresh_token_grace_period` > 0): until `successor_until`, the rotated
//     token gets the SAME successor again with a fresh access token, so the family stays
//     one chain. If that successor has itself been rotated already, the chain has moved on:
//     reuse (rule 3).
//  2. Race: a presentation that loses to a rotation at most RACE_WINDOW_SECONDS old, whose
//     successor has not been used yet, is a concurrent request, not a replay: invalid_grant,
//     the family is kept and the winner's token keeps working.
//  3. Reuse: anything else revokes the family: the token leaked.
//
// A presentation that read the token unused but lost the consume (another request rotated
// it in between) is judged again on a fresh read, so both stores answer the same however
// the requests interleave (core/token-service.ts).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { invalidGrant } from './errors.js';
import { hashToken } from './secrets.js';
import type { TokenRepo } from './store.js';
import type { Client, RefreshRecord } from './types.js';

/**
 * Seconds (whole, so 2 to 3 in real time) in which a presentation that lost to a rotation is
 * taken for a concurrent request. Long enough for a burst of parallel requests on a loaded
 * server; short enough that a later replay still revokes.
 */
export const RACE_WINDOW_SECONDS = 2;

/** Upper bound of `refresh_token_grace_period`: the successor is kept decryptable this long at most. */
export const MAX_GRACE_PERIOD = 300;

/** The grace period that applies to a client's rotations: its own, else the top-level one. */
export function gracePeriod(client: Client, settings: { refresh_token_grace_period?: number | undefined }): number {
  return client.refresh_token_grace_period ?? settings.refresh_token_grace_period ?? 0;
}

/**
 * Encrypts a successor refresh token for the grace period: AES-256-GCM under a key derived
 * from the secret key (HKDF, RFC 5869, its own label: not the signing-key encryption key),
 * bound to the consumed token's hash, so a value copied to another row does not decrypt.
 */
export class SuccessorSeal {
  readonly #key: Buffer;
  constructor(secretKey: string) {
    this.#key = Buffer.from(hkdfSync('sha256', secretKey, '', 'tessera refresh successor v1', 32));
  }
  seal(successor: string, parentHash: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#key, iv).setAAD(Buffer.from(parentHash));
    const body = Buffer.concat([c.update(successor, 'utf8'), c.final()]);
    return `v1.${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url')}`;
  }
  /** null when it does not decrypt (another secret key, another row, tampering). */
  open(sealed: string, parentHash: string): string | null {
    if (!sealed.startsWith('v1.')) return null;
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    if (raw.length < 29) return null;
    try {
      const d = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12)).setAAD(Buffer.from(parentHash));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}

/** A grace-period replay: the successor to hand out again, and its record. */
export interface Reissue {
  token: string;
  record: RefreshRecord;
}

/**
 * Judges a presentation of a token that has already been rotated (`rt.used_at` set, family
 * not revoked): the successor again (rule 1), or invalid_grant after revoking the family
 * (rule 3) or not (rule 2).
 */
export async function judgeRotated(rt: RefreshRecord, now: number, tokens: Pick<TokenRepo, 'findRefresh' | 'revokeFamily'>, seal: SuccessorSeal): Promise<Reissue> {
  const successor = rt.successor_hash === null ? null : await tokens.findRefresh(rt.successor_hash);
  const chainMovedOn = successor !== null && successor.used_at !== null;
  if (!chainMovedOn && rt.successor_enc !== null && rt.successor_until !== null && now <= rt.successor_until && successor) {
    const token = seal.open(rt.successor_enc, rt.hash);
    if (token !== null && hashToken(token) === successor.hash) return { token, record: successor };
  }
  if (!chainMovedOn && rt.used_at !== null && now - rt.used_at <= RACE_WINDOW_SECONDS) {
    throw invalidGrant('refresh token has already been used', `lost a concurrent rotation of family ${rt.family_id}; family kept`);
  }
  // RFC 9700 §4.14.2: reuse of a rotated token means it leaked; kill the family.
  await tokens.revokeFamily(rt.family_id, now);
  throw invalidGrant('refresh token has already been used', `reuse detected, family ${rt.family_id} revoked`);
}
