// Storage ports: the narrow interfaces the core needs. Adapters (src/store/*) implement
// them once per database; test/store/contract.test.ts runs one suite against each.
import type {
  AccessRecord,
  AuditEntry,
  AuthorizationCodeRecord,
  BrowserSession,
  Client,
  Consent,
  EpochSeconds,
  FamilyRecord,
  Participant,
  RefreshRecord,
  StoredKey,
  User,
} from './types.js';

export interface ClientRepo {
  get(clientId: string): Promise<Client | null>;
  list(): Promise<Client[]>;
  /** Create or replace by client_id; keeps created_at of an existing row. */
  upsert(client: Client): Promise<void>;
  /** Create only: false (and nothing written) when the client_id is taken, even by a racing writer. */
  create(client: Client): Promise<boolean>;
  delete(clientId: string): Promise<boolean>;
  /**
   * Writes `locked_until` (the lockout, an operator's unlock): a time never shortens a later
   * one already stored (instances may count apart); null clears it. False: no such client.
   */
  setLock(clientId: string, until: EpochSeconds | null): Promise<boolean>;
  /** Records a use (last_used_at) of a registered client: its idle expiry counts from it. */
  touch(clientId: string, at: EpochSeconds): Promise<void>;
  /**
   * Registered clients (managed_by `registration`) due for removal: unused since before
   * `idleBefore` (never used: created before it), or whose secret expired before `expiredBefore`.
   * At most `limit` ids; ClientRepo.delete removes each with its tokens.
   */
  expiredRegistrations(idleBefore: EpochSeconds, expiredBefore: EpochSeconds, limit: number): Promise<string[]>;
}

/** An initial access token (RFC 7591 §3): the operator's permission to register a client. */
export interface RegistrationToken {
  /** Public id, for `registration token list|revoke`; never the token. */
  id: string;
  /** SHA-256 of the token (core/secrets.ts hashToken). */
  hash: string;
  created_at: EpochSeconds;
  expires_at: EpochSeconds;
  /** Registrations it allows; null: any number until it expires. */
  max_uses: number | null;
  uses: number;
}

export interface RegistrationTokenRepo {
  insert(t: Omit<RegistrationToken, 'uses'>): Promise<void>;
  list(): Promise<RegistrationToken[]>;
  /** Revoke; true if it existed. */
  delete(id: string): Promise<boolean>;
  /** A token usable at `now` (unexpired, uses left), without using it. */
  find(hash: string, now: EpochSeconds): Promise<RegistrationToken | null>;
  /** Uses it once, atomically: false when expired or used up meanwhile (a race). */
  consume(hash: string, now: EpochSeconds): Promise<boolean>;
  /** One purge batch: tokens expired before `before`. */
  purge(before: EpochSeconds, limit: number): Promise<number>;
}

export interface UserRepo {
  getById(id: string): Promise<User | null>;
  getByUsername(username: string): Promise<User | null>;
  list(): Promise<User[]>;
  /** Create or replace by username; keeps id and created_at of an existing row. */
  upsert(user: User): Promise<User>;
  delete(username: string): Promise<boolean>;
  /** As ClientRepo.setLock; returns the user's id, or null when there is no such user. */
  setLock(username: string, until: EpochSeconds | null): Promise<string | null>;
}

export interface ParticipantRepo {
  get(code: string): Promise<Participant | null>;
  list(): Promise<Participant[]>;
  upsert(p: Participant): Promise<void>;
  delete(code: string): Promise<boolean>;
}

export interface KeyRepo {
  /** All keys, oldest first. */
  list(): Promise<StoredKey[]>;
  insert(key: StoredKey): Promise<void>;
  /**
   * Mark every key of `alg` other than `exceptKid` that has no retirement time yet as
   * retired at `at` (the successor's activation, possibly in the future).
   */
  retireOthers(alg: string, exceptKid: string, at: EpochSeconds): Promise<void>;
  /**
   * Retire one key at `at` (it stops signing then, and stays published until its tokens
   * expire); a key already retired earlier keeps its time. False: no such key.
   */
  retire(kid: string, at: EpochSeconds): Promise<boolean>;
  /** Remove retired keys whose tokens have all expired (retired_at < before). */
  deleteRetiredBefore(before: EpochSeconds): Promise<number>;
}

export interface NewFamily {
  id: string;
  client_id: string;
  user_id: string | null;
  created_at: EpochSeconds;
  /** Browser sign-in context (FamilyRecord); omitted: null. */
  sid?: string | null;
  auth_time?: EpochSeconds | null;
  acr?: string | null;
}

export type NewRefresh = Omit<
  RefreshRecord, 'used_at' | 'successor_hash' | 'successor_enc' | 'successor_until' | 'family_revoked_at' | 'family_created_at' | 'user'
>;
export type NewAccess = Omit<AccessRecord, 'revoked_at' | 'family_revoked_at'>;

/** What may be presented only once, stored by hash (device codes would join here). */
export type ConsumableKind = 'refresh_token' | 'authorization_code';

/**
 * Use up a one-time credential: only succeeds if it is still unused (and, for a refresh
 * token, its family not revoked). This is what makes concurrent presentations of the same
 * token produce exactly one success (RFC 9700 §4.14.2).
 */
export interface Consume {
  kind: ConsumableKind;
  hash: string;
  /**
   * Refresh rotation: the token that replaces it. Its hash is always kept (a presentation
   * after the successor was itself rotated is reuse); during a grace period the token
   * itself, encrypted, until `until` (core/rotation.ts).
   */
  successor?: { hash: string; enc: string | null; until: EpochSeconds | null };
  /** Authorization code: the family its tokens are issued in, revoked if the code is replayed. */
  family_id?: string | null;
}

/** Everything one token response writes, persisted in ONE transaction. */
export interface IssueWrite {
  /** Consumed first: if it fails nothing is written and `persistIssue` returns false. */
  consume?: Consume;
  family?: NewFamily;
  refresh?: NewRefresh;
  access?: NewAccess;
}

export interface TokenRepo {
  /** Returns false (and writes nothing) when `consume` found nothing unused to consume. */
  persistIssue(write: IssueWrite, now: EpochSeconds): Promise<boolean>;
  findRefresh(hash: string): Promise<RefreshRecord | null>;
  findAccess(id: string): Promise<AccessRecord | null>;
  /** A refresh family by id: JWTs name theirs in `sid`, so revoking it reaches them. */
  findFamily(id: string): Promise<FamilyRecord | null>;
  /** Revoke a family: its refresh tokens and the access tokens issued from it. */
  revokeFamily(familyId: string, at: EpochSeconds): Promise<void>;
  /**
   * Revoke the families bound to a browser session (logout). A grant that asked for
   * `offline_access` is not bound to its session (its family's sid is null), so it survives.
   */
  revokeSessionFamilies(sid: string, at: EpochSeconds): Promise<number>;
  /** Revoke a user's families with one client (the user withdrew its consent); returns how many. */
  revokeUserClientFamilies(userId: string, clientId: string, at: EpochSeconds): Promise<number>;
  /**
   * A user's live sessions (admin API): families not revoked that still hold a refresh or
   * access token unexpired at `now`, newest first.
   */
  listUserFamilies(userId: string, now: EpochSeconds): Promise<FamilyRecord[]>;
  /** Revoke every family of a user (password change, deletion); returns how many. */
  revokeUserFamilies(userId: string, at: EpochSeconds): Promise<number>;
  /** Revoke every family and access token of a client (disabling it); returns how many rows. */
  revokeClientTokens(clientId: string, at: EpochSeconds): Promise<number>;
  /**
   * Revoke one access token. If the server holds no row for it (a client_credentials JWT),
   * `record` is inserted already revoked, so introspection answers inactive until expiry.
   */
  revokeAccess(id: string, at: EpochSeconds, record: NewAccess | null): Promise<void>;
  /**
   * One batch of the purge, in one short transaction: at most `limit` refresh tokens and at
   * most `limit` access tokens that expired before `before`, and the families left without
   * tokens by them. Returns how many tokens went; call again until it returns 0 (ops/purge.ts).
   * Revoked families and rotated refresh tokens are kept until they expire, so reuse is
   * still detected and introspection still answers inactive.
   */
  purgeExpired(before: EpochSeconds, limit: number): Promise<number>;
  /** Clear at most `limit` encrypted successors whose grace period ended before `before`; returns how many. */
  forgetSuccessors(before: EpochSeconds, limit: number): Promise<number>;
}

export type NewAuthorizationCode = Omit<AuthorizationCodeRecord, 'used_at' | 'family_id'>;

/** Authorization codes: written at the authorization endpoint, consumed through IssueWrite. */
export interface CodeRepo {
  insert(code: NewAuthorizationCode): Promise<void>;
  /** The code by hash, used or not (a used one is a replay: RFC 6749 §4.1.2). */
  find(hash: string): Promise<AuthorizationCodeRecord | null>;
  /** One purge batch: at most `limit` codes that expired before `before`. */
  purge(before: EpochSeconds, limit: number): Promise<number>;
}

export type NewBrowserSession = Omit<BrowserSession, 'ended_at'>;

/** Browser sign-in sessions (the hosted login), keyed by the hash of the cookie value. */
export interface BrowserSessionRepo {
  create(s: NewBrowserSession): Promise<void>;
  /** A live session: not ended and not expired at `now`. */
  get(idHash: string, now: EpochSeconds): Promise<BrowserSession | null>;
  getBySid(sid: string): Promise<BrowserSession | null>;
  /** End it (logout); true if it was live. */
  end(sid: string, at: EpochSeconds): Promise<boolean>;
  /** End every session of a user (password change, disabling); returns how many. */
  endForUser(userId: string, at: EpochSeconds): Promise<number>;
  /** A user's live sessions, newest first. */
  listForUser(userId: string, now: EpochSeconds): Promise<BrowserSession[]>;
  /** One purge batch: at most `limit` sessions expired or ended before `before`. */
  purge(before: EpochSeconds, limit: number): Promise<number>;
}

/** Remembered consent per user and client. */
export interface ConsentRepo {
  get(userId: string, clientId: string): Promise<Consent | null>;
  /** Add scopes to what the user allowed the client (kept ones stay). */
  grant(userId: string, clientId: string, scope: string, at: EpochSeconds): Promise<Consent>;
  /** Forget it; true if there was one. */
  revoke(userId: string, clientId: string): Promise<boolean>;
  listForUser(userId: string): Promise<Consent[]>;
}

export type NewAuditEntry = Omit<AuditEntry, 'seq'>;

/** The admin API's audit log: append-only, read newest first. */
export interface AuditRepo {
  append(entry: NewAuditEntry): Promise<void>;
  /** At most `limit` entries, newest first; `before`: only entries with a smaller seq (the cursor). */
  list(limit: number, before?: number): Promise<AuditEntry[]>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly clients: ClientRepo;
  readonly users: UserRepo;
  readonly participants: ParticipantRepo;
  readonly keys: KeyRepo;
  readonly tokens: TokenRepo;
  readonly codes: CodeRepo;
  readonly sessions: BrowserSessionRepo;
  readonly consents: ConsentRepo;
  readonly registrationTokens: RegistrationTokenRepo;
  readonly audit: AuditRepo;
  /** Apply pending versioned migrations; returns the versions applied now. */
  migrate(): Promise<number[]>;
  /** Throws when the database cannot be reached (GET /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
