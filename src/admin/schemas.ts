// The JSON schemas of the admin API's resources, shared by the routes (Fastify validates
// requests and serialises responses with them) and the OpenAPI document (openapi.ts).
// Response schemas list what may be sent: a field not listed (a secret's hash) is never
// serialised, whatever the handler returns.
import { AUTH_METHODS, CLIENT_PROFILES, GRANT_TYPES, ID_TOKEN_ALGS, INTROSPECT_SCOPES, SIGNING_ALGS, TOKEN_FORMATS } from '../core/types.js';

// PostgreSQL text cannot hold NUL: refused here as a 400, not met there as a 500.
const NO_NUL = '^[^\\u0000]*$';
const str = { type: 'string', pattern: NO_NUL } as const;
const nstr = { type: ['string', 'null'] } as const;
const nint = { type: ['integer', 'null'] } as const;
const time = { type: 'integer', description: 'epoch seconds' } as const;
const ntime = { type: ['integer', 'null'], description: 'epoch seconds' } as const;
const strs = { type: 'array', items: str } as const;
const bool = { type: 'boolean' } as const;
const enumOf = (values: readonly string[], nullable = false) => (nullable ? { enum: [...values, null] } : { type: 'string', enum: [...values] });
const ttl = (max: number) => ({ type: 'integer', minimum: 1, maximum: max });

/** The writable client metadata (RFC 7591 names, as the config file); validated again by validateClient. */
const clientWritable = {
  client_name: str, grant_types: { type: 'array', items: enumOf(GRANT_TYPES) }, scope: str,
  token_endpoint_auth_method: enumOf(AUTH_METHODS), access_token_format: enumOf(TOKEN_FORMATS),
  access_token_ttl: ttl(31_536_000), refresh_token_ttl: ttl(315_360_000), audience: str,
  access_token_signing_alg: enumOf(SIGNING_ALGS), resources: strs, profile: enumOf(CLIENT_PROFILES),
  introspect: enumOf(INTROSPECT_SCOPES), refresh_token_idle_ttl: ttl(315_360_000),
  refresh_token_grace_period: { type: 'integer', minimum: 0 }, redirect_uris: strs, post_logout_redirect_uris: strs,
  first_party: bool, allow_plain_pkce: bool, id_token_signed_response_alg: enumOf(ID_TOKEN_ALGS),
  logo_uri: str, client_uri: str, policy_uri: str, tos_uri: str,
} as const;

const userWritable = {
  email: str, email_verified: bool, name: str, given_name: str, family_name: str, picture: str, locale: str,
  roles: strs, participant_code: str,
} as const;

export const SHARED_SCHEMAS = [
  {
    $id: 'Problem', type: 'object', description: 'RFC 9457 problem details',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: str, title: str, status: { type: 'integer' }, detail: str, instance: str,
      errors: { type: 'array', items: { type: 'object', required: ['pointer', 'detail'], properties: { pointer: str, detail: str } } },
    },
  },
  {
    $id: 'Client', type: 'object',
    properties: {
      client_id: str, ...clientWritable, client_name: nstr, access_token_ttl: nint, refresh_token_ttl: nint, audience: nstr,
      access_token_signing_alg: enumOf(SIGNING_ALGS, true), profile: enumOf(CLIENT_PROFILES, true),
      refresh_token_idle_ttl: nint, refresh_token_grace_period: nint, id_token_signed_response_alg: enumOf(ID_TOKEN_ALGS, true),
      logo_uri: nstr, client_uri: nstr, policy_uri: nstr, tos_uri: nstr,
      managed_by: { ...nstr, description: 'null: the operator\'s; otherwise Tessera keeps it and refuses changes here' },
      disabled: bool, locked_until: ntime, created_at: time, updated_at: time,
    },
  },
  {
    $id: 'ClientWithSecret', type: 'object', description: 'A client and its new secret, shown this once',
    properties: { client: { $ref: 'Client#' }, client_secret: str },
  },
  {
    $id: 'ClientCreate', type: 'object', additionalProperties: false,
    properties: { client_id: { type: 'string', minLength: 1, maxLength: 255, pattern: NO_NUL }, ...clientWritable, disabled: bool },
  },
  { $id: 'ClientPatch', type: 'object', additionalProperties: false, minProperties: 1, properties: clientWritable },
  {
    $id: 'User', type: 'object',
    properties: {
      id: str, username: str, ...userWritable, email: nstr, name: nstr, given_name: nstr, family_name: nstr, picture: nstr,
      locale: nstr, participant_code: nstr, managed_by: nstr, disabled: bool, locked_until: ntime, created_at: time, updated_at: time,
    },
  },
  {
    $id: 'UserCreate', type: 'object', additionalProperties: false, required: ['username', 'password'],
    properties: { username: { type: 'string', minLength: 1, maxLength: 255, pattern: NO_NUL }, password: { type: 'string', minLength: 1, maxLength: 1024 }, ...userWritable, disabled: bool },
  },
  { $id: 'UserPatch', type: 'object', additionalProperties: false, minProperties: 1, properties: userWritable },
  {
    $id: 'Session', type: 'object', description: 'A refresh token family: one grant and the tokens descended from it',
    properties: { id: str, client_id: str, created_at: time, auth_time: ntime },
  },
  {
    $id: 'Participant', type: 'object',
    properties: { participant_code: str, name: nstr, roles: strs, created_at: time, updated_at: time },
  },
  {
    $id: 'ParticipantCreate', type: 'object', additionalProperties: false, required: ['participant_code'],
    properties: { participant_code: { type: 'string', minLength: 1, maxLength: 255, pattern: NO_NUL }, name: str, roles: strs },
  },
  { $id: 'ParticipantPatch', type: 'object', additionalProperties: false, minProperties: 1, properties: { name: str, roles: strs } },
  {
    $id: 'Key', type: 'object',
    properties: {
      kid: str, alg: enumOf(SIGNING_ALGS), created_at: time, activates_at: time, retired_at: ntime,
      status: { type: 'string', enum: ['current', 'next', 'retired'], description: 'current: signs now; next: published, signs from activates_at; retired: published until its tokens expire' },
    },
  },
  {
    $id: 'AuditEntry', type: 'object',
    properties: {
      seq: { type: 'integer' }, at: time, actor_client_id: str, actor_user_id: nstr, action: str, resource: str, resource_id: str,
      before: { type: ['object', 'null'], additionalProperties: true }, after: { type: ['object', 'null'], additionalProperties: true },
      request_id: nstr, ip: nstr,
    },
  },
] as const;

/** `limit` and `cursor` of every list, and the page wrapper of its response. */
export const pageQuery = (extra: Record<string, unknown> = {}) => ({
  type: 'object', additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
    cursor: { type: 'string', maxLength: 1024, pattern: NO_NUL, description: 'next_cursor of the previous page' },
    ...extra,
  },
});
export const page = (ref: string) => ({
  type: 'object', required: ['items', 'next_cursor'],
  properties: { items: { type: 'array', items: { $ref: `${ref}#` } }, next_cursor: { ...nstr, description: 'null on the last page' } },
});

export const idParam = (name: string) => ({
  type: 'object', required: [name], properties: { [name]: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } },
});
export const ref = (id: string, description?: string) => ({ $ref: `${id}#`, ...(description ? { description } : {}) });
export const noContent = { type: 'null', description: 'Done' } as const;
