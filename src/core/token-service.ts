// The token endpoint as one readable function (RFC 6749 §3.2):
// the lockout gate → authenticate the client → admit it (rate limit) → look up the grant →
// the grant decides → mint (and, for a sign-in with `openid`, the id_token) → persist in one
// transaction → return what the caller (standard route or dialect) shapes into a response.
import { randomUUID } from 'node:crypto';
import type { PresentedCredentials } from './client-auth/index.js';
import { invalidGrant, invalidRequest, unauthorizedClient, unsupportedGrantType } from './errors.js';
import { formats } from './formats/index.js';
import { buildGrants, type Grant, type GrantOutcome, type Params } from './grants/index.js';
import { mintIdToken } from './id-token.js';
import type { KeyManager } from './keys.js';
import { profileFor } from './profiles/index.js';
import { gracePeriod, type SuccessorSeal } from './rotation.js';
import { heldScope } from './scope.js';
import { hashToken, randomToken } from './secrets.js';
import type { Consume, IssueWrite, Store } from './store.js';
import { authenticateGuarded, counted, lockSubject, noThrottle, tokenSubject, type LockSubject, type Throttle } from './throttle.js';
import type { Client, GrantType, SigningAlg, User } from './types.js';

export interface CoreSettings {
  issuer: string;
  access_token_ttl: number;
  refresh_token_ttl: number;
  refresh_token_idle_ttl?: number | undefined;
  refresh_token_grace_period?: number | undefined;
  signing_alg: SigningAlg;
  /** OIDC Core §2 id_token lifetime (seconds). */
  id_token_ttl: number;
}

export interface TokenEvents {
  issued?(e: { grant: GrantType; client_id: string; format: string }): void;
}

/** Lets an authenticated client in, or throws (a rate limit's 429), before its grant does any work. */
export type ClientAdmission = (client: Client) => Promise<void>;

export interface TokenRequest {
  params: Params;
  credentials: PresentedCredentials;
  /** The client's IP: failures are counted per IP too (core/throttle.ts). */
  ip: string;
  /** A dialect may pin the grant instead of reading grant_type. */
  grantType?: string;
  /** A dialect's extra requirement on the user, checked before anything is issued. */
  checkUser?: (user: User | null, client: Client) => Promise<void> | void;
}

export interface TokenResult {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  refresh_expires_in?: number;
  /** OIDC Core §3.1.3.3: for a browser sign-in with `openid` in scope. */
  id_token?: string;
  grant_type: GrantType;
  client: Client;
  user: User | null;
  claims: Record<string, unknown>;
  family_id: string | null;
  issued_at: number;
}

export class TokenService {
  readonly #grants: ReadonlyMap<string, Grant>;

  constructor(
    private readonly store: Store,
    private readonly keys: KeyManager,
    private readonly seal: SuccessorSeal,
    private readonly settings: CoreSettings,
    private readonly events: TokenEvents = {},
    private readonly throttle: Throttle = noThrottle,
    private readonly admit: ClientAdmission = async () => {},
  ) {
    this.#grants = buildGrants({ users: store.users, tokens: store.tokens, codes: store.codes, seal });
  }

  async issue(req: TokenRequest): Promise<TokenResult> {
    const grantType = req.grantType ?? req.params.grant_type;
    // RFC 6749 §4.3.2: one gate for every key this request could fail against, before any
    // secret or password is hashed; a locked key answers 429 even to the right password.
    const presentedId = req.credentials.client_id;
    const grant = grantType ? this.#grants.get(grantType) : undefined;
    const user = grantType === 'password' && req.params.username ? [lockSubject.user(req.params.username)] : [];
    const token = grant?.presentsCredential && presentedId ? [lockSubject.token(presentedId)] : [];
    const client = await authenticateGuarded(
      { throttle: this.throttle, clients: this.store.clients, ip: req.ip, alsoLocks: [...token, ...user] }, req.credentials,
    );
    await this.admit(client);
    if (!grantType) throw invalidRequest('grant_type is required');
    if (!grant) throw unsupportedGrantType(`grant_type ${JSON.stringify(grantType.slice(0, 64))} is not supported`);
    // RFC 6749 §5.2 unauthorized_client: the client may not use this grant.
    if (!client.grant_types.includes(grant.type)) throw unauthorizedClient(`client may not use the ${grant.type} grant`);
    // A refresh that read its token unused but lost the consume to a concurrent rotation is
    // judged once more on a fresh read: its successor again in a grace period, else
    // invalid_grant (core/rotation.ts). So the answer does not depend on how the requests
    // interleaved, nor on the store.
    const result = (await this.#attempt(client, grant, req, user)) ?? (await this.#attempt(client, grant, req, user));
    // Lost twice (RFC 9700 §4.14.2): a refresh token works once. (A code that lost is
    // judged a replay on the second pass, which throws.)
    if (!result) throw invalidGrant('refresh token has already been used', 'lost the rotation race twice');
    this.events.issued?.({ grant: grant.type, client_id: client.client_id, format: client.access_token_format });
    return result;
  }

  /** One pass from the grant's decision to the persisted write; null when the consume lost. */
  async #attempt(client: Client, grant: Grant, req: TokenRequest, user: readonly LockSubject[]): Promise<TokenResult | null> {
    const now = Math.floor(Date.now() / 1000);
    const ip = lockSubject.ip(req.ip);
    const guessedToken = grant.presentsCredential ? tokenSubject(client) : [];
    const decided = await counted(this.throttle, { invalid_user_credentials: [...user, ip], unknown_token: [...guessedToken, ip] },
      () => grant.handle({ client, params: req.params, now }));
    // Role-gated scopes (the admin scope) only for users who hold the role (core/scope.ts).
    const outcome: GrantOutcome = { ...decided, scope: heldScope(decided.scope, decided.user, req.params.scope) };
    this.throttle.succeeded([...user, ...guessedToken]);
    if (req.checkUser) await req.checkUser(outcome.user, client);

    const profile = profileFor(client);
    const alg = client.access_token_signing_alg ?? profile.defaultAlg ?? this.settings.signing_alg;
    const format = formats[client.access_token_format];
    const key = format.signed ? this.keys.currentSync(alg) ?? (await this.keys.current(alg)) : undefined;
    const participant = profile.needsParticipant && outcome.user?.participant_code
      ? await this.store.participants.get(outcome.user.participant_code)
      : null;

    const withRefresh = outcome.mayRefresh && client.grant_types.includes('refresh_token');
    const { rotated, reissued } = outcome;
    // RFC 9700 §4.14.2: the absolute lifetime counts from the original grant, not from the
    // last rotation; the idle one from this use. A successor handed out again keeps its own.
    const idleTtl = client.refresh_token_idle_ttl ?? this.settings.refresh_token_idle_ttl;
    const refreshExp = reissued?.record.expires_at ?? Math.min(
      (rotated?.family_created_at ?? now) + (client.refresh_token_ttl ?? this.settings.refresh_token_ttl),
      idleTtl === undefined ? Infinity : now + idleTtl,
    );
    if (withRefresh && refreshExp <= now) throw invalidGrant('refresh token has expired');
    // A sign-in's grant always gets a family, so that its tokens can be revoked together
    // (a replayed code, logout) even when no refresh token is issued.
    const familyId = (rotated ?? reissued?.record)?.family_id ?? (withRefresh || outcome.family ? randomUUID() : null);
    const ttl = client.access_token_ttl ?? this.settings.access_token_ttl;
    const jti = randomUUID();
    const exp = now + ttl;
    const claims = profile.claims({
      issuer: this.settings.issuer, client, user: outcome.user, participant, scope: outcome.scope,
      aud: outcome.resource ?? client.audience ?? this.settings.issuer, jti, iat: now, exp, familyId,
    });
    // Whatever the profile, a token of a refresh family names it: that is how revoking the
    // family (or reusing a rotated refresh token) reaches unstored JWTs (core/inspect.ts).
    if (familyId !== null && claims.sid === undefined) claims.sid = familyId;
    const minted = await format.mint({
      claims, profile, key, jti, clientId: client.client_id, userId: outcome.user?.id ?? null,
      scope: outcome.scope, familyId, iat: now, exp,
    });

    const fresh = withRefresh && !reissued ? randomToken(32) : undefined;
    const refreshToken = reissued?.token ?? fresh;
    // RFC 6749 §6: a narrower scope (or a resource, RFC 8707 §2.2) asked at refresh shapes
    // this access token only; the new refresh token keeps the grant of the one it replaces.
    const granted = rotated ?? { scope: outcome.scope, resource: outcome.resource };
    const consume = rotated ? this.#consume(client, rotated.hash, fresh, now) : outcome.consume ? { ...outcome.consume, family_id: familyId } : undefined;
    const write: IssueWrite = {
      ...(consume ? { consume } : {}),
      ...(familyId && !rotated && !reissued ? { family: { id: familyId, client_id: client.client_id, user_id: outcome.user?.id ?? null, created_at: now, ...outcome.family } } : {}),
      ...(fresh && familyId ? {
        refresh: {
          hash: hashToken(fresh), family_id: familyId, client_id: client.client_id,
          user_id: outcome.user?.id ?? null, scope: granted.scope, resource: granted.resource,
          expires_at: refreshExp, created_at: now,
        },
      } : {}),
      ...(minted.record ? { access: minted.record } : {}),
    };
    // A new family without a refresh token (a code exchange by a client that may not
    // refresh) holds only its access token: a JWT gets a row too, so the purge removes the
    // family with it once it expires (ops/purge.ts) instead of keeping it for ever.
    if (write.family && !write.refresh && !write.access && familyId) {
      write.access = {
        id: jti, format: 'jwt', family_id: familyId, client_id: client.client_id, user_id: outcome.user?.id ?? null,
        scope: outcome.scope, claims: '{}', expires_at: exp, created_at: now,
      };
    }
    // The id_token is signed (off the event loop) while the write runs; it is handed out
    // only if the write committed.
    const signing = this.#idToken(client, outcome, minted.token, now);
    signing.catch(() => {}); // awaited below; a failed write must not leave it unhandled
    // A client_credentials JWT writes nothing: no transaction at all on that hot path.
    const ok = Object.keys(write).length === 0 || (await this.store.tokens.persistIssue(write, now));
    if (!ok) return null;
    const idToken = await signing;
    return {
      access_token: minted.token,
      token_type: 'Bearer',
      expires_in: ttl,
      scope: outcome.scope,
      ...(refreshToken ? { refresh_token: refreshToken, refresh_expires_in: refreshExp - now } : {}),
      ...(idToken ? { id_token: idToken } : {}),
      grant_type: grant.type,
      client,
      user: outcome.user,
      claims,
      family_id: familyId,
      issued_at: now,
    };
  }

  /** OIDC Core §3.1.3.3, §12.2: an id_token about the sign-in behind the grant, bound to the access token (at_hash). */
  async #idToken(client: Client, outcome: GrantOutcome, accessToken: string, now: number): Promise<string | undefined> {
    if (!outcome.signin || !outcome.user) return undefined;
    return mintIdToken(this.keys, {
      issuer: this.settings.issuer, client, user: outcome.user, signin: outcome.signin, accessToken, iat: now, ttl: this.settings.id_token_ttl,
    });
  }

  /**
   * Rotation: consume the presented token, recording its successor's hash and, in a grace
   * period, the successor itself encrypted until the period ends (core/rotation.ts).
   */
  #consume(client: Client, hash: string, successor: string | undefined, now: number): Consume {
    if (successor === undefined) return { kind: 'refresh_token', hash };
    const grace = gracePeriod(client, this.settings);
    return {
      kind: 'refresh_token', hash,
      successor: {
        hash: hashToken(successor),
        enc: grace > 0 ? this.seal.seal(successor, hash) : null,
        until: grace > 0 ? now + grace : null,
      },
    };
  }
}
