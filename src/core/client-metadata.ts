// The one table of client metadata. Config validation (config/validate.ts), the stored
// entity (entities.ts), the row mapping and column list (store/rows.ts), the CLI's options
// and output (cli/commands/client.ts), dynamic registration (RFC 7591, http/routes/register.ts)
// and the test fixtures are all derived from it: a new client field is one entry here (and
// its column in a migration). Names are RFC 7591 §2 / OIDC Registration §2 where one exists.
import { MAX_GRACE_PERIOD } from './rotation.js';
import {
  AUTH_METHODS, CLIENT_PROFILES, GRANT_TYPES, ID_TOKEN_ALGS, INTROSPECT_SCOPES, SIGNING_ALGS, TOKEN_FORMATS,
  type Client,
} from './types.js';

/** How a value is read, checked and stored. */
export type FieldKind =
  | { type: 'string' }
  /** An https web page or image (http on loopback). */
  | { type: 'url' }
  /** A space/comma separated scope list, stored space-separated (RFC 6749 §3.3). */
  | { type: 'scope' }
  /** A list of strings, stored as JSON text. */
  | { type: 'list'; values?: readonly string[] }
  /** A list of redirect URIs (RFC 6749 §3.1.2, RFC 8252 §7), stored as JSON text. */
  | { type: 'redirect_uris' }
  /** Stored as 0/1. */
  | { type: 'bool' }
  | { type: 'int'; min: number; max: number }
  | { type: 'enum'; values: readonly string[] };

export interface FieldSpec {
  kind: FieldKind;
  /** The stored value when neither config, CLI nor registration gives one. */
  default: unknown;
  /** The CLI option (`--name <value>`; switches for bool; repeatable for redirect URIs). */
  flag: string;
  help: string;
  /**
   * RFC 7591 §2: whether a dynamically registered client may set it. Privileged fields
   * (trust, token lifetimes, dialect behaviour) are the operator's: a registration request
   * naming one is refused with invalid_client_metadata (RFC 7591 §3.2.2), never silently
   * granted.
   */
  registrable: boolean;
  /** Printed by `client show` and `client list --json` (all of them today; kept for a secret-like field). */
  show: boolean;
}

const DAY = 86_400;

/**
 * Every operator-settable field of a client except client_id and client_secret (which have
 * rules of their own: VSCHAR, generation, hashing). Order: the order of `client show`.
 */
export const CLIENT_METADATA = {
  client_name: { kind: { type: 'string' }, default: null, flag: '--name', help: 'client_name, shown on the consent page', registrable: true, show: true },
  grant_types: { kind: { type: 'list', values: GRANT_TYPES }, default: null, flag: '--grant-types', help: 'grant_types, comma or space separated (default: client_credentials; public: password refresh_token)', registrable: true, show: true },
  scope: { kind: { type: 'scope' }, default: '', flag: '--scope', help: 'scopes the client may ask for', registrable: true, show: true },
  token_endpoint_auth_method: { kind: { type: 'enum', values: AUTH_METHODS }, default: null, flag: '--auth-method', help: 'token_endpoint_auth_method: client_secret_basic|client_secret_post|none', registrable: true, show: true },
  access_token_format: { kind: { type: 'enum', values: TOKEN_FORMATS }, default: null, flag: '--format', help: 'access_token_format: jwt|opaque', registrable: false, show: true },
  access_token_ttl: { kind: { type: 'int', min: 1, max: 365 * DAY }, default: null, flag: '--access-token-ttl', help: 'access_token_ttl in seconds (default: the top-level value)', registrable: false, show: true },
  refresh_token_ttl: { kind: { type: 'int', min: 1, max: 3650 * DAY }, default: null, flag: '--refresh-token-ttl', help: 'refresh_token_ttl in seconds (default: the top-level value)', registrable: false, show: true },
  audience: { kind: { type: 'string' }, default: null, flag: '--audience', help: 'audience of its access tokens', registrable: false, show: true },
  access_token_signing_alg: { kind: { type: 'enum', values: SIGNING_ALGS }, default: null, flag: '--alg', help: 'access_token_signing_alg: ES256|RS256|PS256|EdDSA', registrable: false, show: true },
  resources: { kind: { type: 'list' }, default: [], flag: '--resources', help: 'RFC 8707 resource indicators it may ask for', registrable: false, show: true },
  profile: { kind: { type: 'enum', values: CLIENT_PROFILES }, default: null, flag: '--profile', help: 'dialect profile: apk|hcx|o|v1', registrable: false, show: true },
  introspect: { kind: { type: 'enum', values: INTROSPECT_SCOPES }, default: 'own', flag: '--introspect', help: 'tokens it may introspect: own (default: its own, and access tokens naming it in aud) | all (a gateway)', registrable: false, show: true },
  refresh_token_idle_ttl: { kind: { type: 'int', min: 1, max: 3650 * DAY }, default: null, flag: '--refresh-token-idle-ttl', help: 'refresh_token_idle_ttl in seconds (default: the top-level value)', registrable: false, show: true },
  refresh_token_grace_period: { kind: { type: 'int', min: 0, max: MAX_GRACE_PERIOD }, default: null, flag: '--refresh-token-grace-period', help: `refresh_token_grace_period: 0-${MAX_GRACE_PERIOD} (default: the top-level value)`, registrable: false, show: true },
  disabled: { kind: { type: 'bool' }, default: false, flag: '--disabled', help: 'disabled: its credentials are refused and its tokens read inactive', registrable: false, show: true },
  redirect_uris: { kind: { type: 'redirect_uris' }, default: [], flag: '--redirect-uri', help: 'a redirect URI of the code flow (repeat for more)', registrable: true, show: true },
  post_logout_redirect_uris: { kind: { type: 'redirect_uris' }, default: [], flag: '--post-logout-redirect-uri', help: 'where logout may send the browser back to (repeat for more)', registrable: true, show: true },
  first_party: { kind: { type: 'bool' }, default: false, flag: '--first-party', help: 'the operator\'s own application: no consent page', registrable: false, show: true },
  allow_plain_pkce: { kind: { type: 'bool' }, default: false, flag: '--allow-plain-pkce', help: 'accept code_challenge_method=plain (RFC 7636 §4.2)', registrable: false, show: true },
  id_token_signed_response_alg: { kind: { type: 'enum', values: ID_TOKEN_ALGS }, default: null, flag: '--id-token-alg', help: 'id_token_signed_response_alg: RS256 (default)|ES256', registrable: true, show: true },
  logo_uri: { kind: { type: 'url' }, default: null, flag: '--logo-uri', help: 'logo_uri, shown on the consent page', registrable: true, show: true },
  client_uri: { kind: { type: 'url' }, default: null, flag: '--client-uri', help: 'client_uri: the client\'s home page', registrable: true, show: true },
  policy_uri: { kind: { type: 'url' }, default: null, flag: '--policy-uri', help: 'policy_uri: its privacy policy', registrable: true, show: true },
  tos_uri: { kind: { type: 'url' }, default: null, flag: '--tos-uri', help: 'tos_uri: its terms of service', registrable: true, show: true },
} as const satisfies Record<string, FieldSpec>;

export type MetadataField = keyof typeof CLIENT_METADATA;
export const METADATA_FIELDS = Object.keys(CLIENT_METADATA) as MetadataField[];

/**
 * What Tessera keeps about a client that is not metadata: the secret's verifier, who keeps
 * it, lockout and revocation state, times, and the state of a dynamically registered client.
 */
export const CLIENT_STATE_FIELDS = [
  'client_secret_hash', 'managed_by', 'tokens_not_before', 'locked_until', 'created_at', 'updated_at',
  'client_secret_expires_at', 'registration_access_token_hash', 'last_used_at',
] as const;
export type StateField = (typeof CLIENT_STATE_FIELDS)[number];

// Compile-time: Client = client_id + the table + the state fields, no more, no less.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameKeys: Same<keyof Client, 'client_id' | MetadataField | StateField> = true;
void sameKeys;

/** Fields a registration request (RFC 7591 §2) may carry; the rest are the operator's. */
export const REGISTRABLE_FIELDS = METADATA_FIELDS.filter((k) => CLIENT_METADATA[k].registrable);

/**
 * State columns the upsert writes. `locked_until` and `last_used_at` are left out on purpose:
 * they have their own narrow writes (ClientRepo.setLock, ClientRepo.touch), and applying the
 * config file again must not reset them.
 */
export const CLIENT_STATE_COLUMNS = CLIENT_STATE_FIELDS.filter((k) => k !== 'locked_until' && k !== 'last_used_at');

/** The field's default, a fresh copy for a list (an entity never shares the table's array). */
export function defaultValue(k: MetadataField): unknown {
  const d: unknown = CLIENT_METADATA[k].default;
  return Array.isArray(d) ? [...(d as unknown[])] : d;
}

/** A value for every field that differs from its default: the round-trip tests use it. */
export function nonDefaultValue(k: MetadataField): unknown {
  const spec: FieldSpec = CLIENT_METADATA[k];
  const kind = spec.kind;
  switch (kind.type) {
    case 'string': return `${k}-value`;
    case 'url': return `https://app.example/${k}`;
    case 'scope': return 'read write';
    case 'list': return kind.values ? [kind.values[1]!, kind.values[0]!] : [`https://${k}.example/a`, `https://${k}.example/b`];
    case 'redirect_uris': return [`https://app.example/${k}/cb`, 'http://127.0.0.1/cb'];
    case 'bool': return !spec.default;
    case 'int': return kind.min + 1;
    case 'enum': return kind.values.find((v) => v !== spec.default && v !== 'client_secret_basic' && v !== 'jwt' && v !== 'RS256') ?? kind.values[0];
  }
}
