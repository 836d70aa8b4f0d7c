// Reading a presented token back: which client, user, scope and expiry it has, and whether
// it is still active. Introspection (RFC 7662), revocation (RFC 7009) and the dialects'
// validation routes all use this one function.
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { looksLikeJwt } from './jwt.js';
import type { KeyManager } from './keys.js';
import { hashToken } from './secrets.js';
import { ownerAccepts } from './sessions.js';
import type { Store } from './store.js';
import type { TokenFormat, User } from './types.js';

export interface InspectedToken {
  kind: 'access_token' | 'refresh_token';
  format: TokenFormat | 'refresh';
  /** Store key: the hash for opaque and refresh tokens, the jti for JWTs. */
  id: string;
  active: boolean;
  client_id: string;
  user_id: string | null;
  scope: string;
  exp: number;
  iat: number;
  family_id: string | null;
  /** The JWT's verified claims, or the claims stored with an opaque token. */
  claims: Record<string, unknown>;
  /** The token's user, when it was read to judge an otherwise active token. */
  user?: User | null;
}

export class TokenInspector {
  constructor(
    private readonly store: Store,
    private readonly keys: KeyManager,
    /** Read at call time: the issuer may be settled only after listen (port 0). */
    private readonly settings: { readonly issuer: string },
  ) {}

  /** null: not a token this server issued (or a forged / malformed one). */
  async inspect(token: string, now = Math.floor(Date.now() / 1000)): Promise<InspectedToken | null> {
    if (token.length === 0 || token.length > 8192) return null;
    if (looksLikeJwt(token)) return this.#jwt(token, now);
    const hash = hashToken(token);
    const access = await this.store.tokens.findAccess(hash);
    if (access) {
      return this.#withOwners({
        kind: 'access_token', format: 'opaque', id: access.id, client_id: access.client_id, user_id: access.user_id,
        scope: access.scope, exp: access.expires_at, iat: access.created_at, family_id: access.family_id,
        claims: JSON.parse(access.claims) as Record<string, unknown>,
        active: access.revoked_at === null && access.family_revoked_at === null && access.expires_at > now,
      });
    }
    const rt = await this.store.tokens.findRefresh(hash);
    if (!rt) return null;
    return this.#withOwners({
      kind: 'refresh_token', format: 'refresh', id: rt.hash, client_id: rt.client_id, user_id: rt.user_id,
      scope: rt.scope, exp: rt.expires_at, iat: rt.created_at, family_id: rt.family_id, claims: {},
      active: rt.used_at === null && rt.family_revoked_at === null && rt.expires_at > now,
    }, rt.user);
  }

  /**
   * An active token stays active only while its client and user stand behind it: neither
   * gone, nor disabled, nor cut off after it was issued (core/sessions.ts). The client comes
   * through the client cache, so a client_credentials token costs no query here; a user
   * token costs one, unless the user came with the token.
   */
  async #withOwners(t: InspectedToken, user?: User | null): Promise<InspectedToken> {
    if (!t.active) return t;
    if (!ownerAccepts(await this.store.clients.get(t.client_id), t.iat)) return { ...t, active: false };
    if (t.user_id === null) return t;
    const owner = user !== undefined ? user : await this.store.users.getById(t.user_id);
    return { ...t, user: owner, active: ownerAccepts(owner, t.iat) };
  }

  /** Signature and issuer verified; an expired token still yields its payload. */
  async #verify(token: string): Promise<JWTPayload | null> {
    try {
      const { payload } = await jwtVerify(token, async (header) => {
        const key = header.kid ? await this.keys.byKidReloading(header.kid) : undefined;
        if (!key || key.alg !== header.alg) throw new joseErrors.JWKSNoMatchingKey();
        return key.publicKey;
      }, { issuer: this.settings.issuer, clockTolerance: 60 });
      return payload;
    } catch (e) {
      // jose checks the signature before the claims, so an expired token's payload is genuine.
      if (e instanceof joseErrors.JWTExpired) return e.payload;
      return null;
    }
  }

  async #jwt(token: string, now: number): Promise<InspectedToken | null> {
    // Expiry is judged here, so an expired token reads inactive rather than unknown.
    const payload = await this.#verify(token);
    if (!payload || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') return null;
    const row = await this.store.tokens.findAccess(payload.jti);
    let revoked = row !== null && (row.revoked_at !== null || row.family_revoked_at !== null);
    const sid = typeof payload.sid === 'string' ? payload.sid : null;
    if (!revoked && sid !== null) {
      // A family is purged only once all its refresh tokens expired; a JWT that outlives
      // its family (refresh ttl shorter than access ttl) reads inactive: fail closed.
      const family = await this.store.tokens.findFamily(sid);
      revoked = family === null || family.revoked_at !== null;
    }
    const clientId = String(payload.client_id ?? payload.clientId ?? payload.azp ?? '');
    return this.#withOwners({
      kind: 'access_token', format: 'jwt', id: payload.jti, client_id: clientId,
      user_id: row?.user_id ?? (payload.sub !== clientId ? payload.sub ?? null : null),
      scope: typeof payload.scope === 'string' ? payload.scope : '',
      exp: payload.exp, iat: payload.iat ?? 0, family_id: row?.family_id ?? sid,
      claims: payload as Record<string, unknown>,
      active: !revoked && payload.exp > now && (payload.nbf === undefined || payload.nbf <= now + 60),
    });
  }
}
