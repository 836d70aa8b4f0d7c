// Scope rules, RFC 6749 §3.3: a space-delimited, order-free set of case-sensitive strings.
import { invalidScope } from './errors.js';

export function parseScope(s: string | undefined | null): string[] {
  if (!s) return [];
  return [...new Set(s.split(' ').filter((x) => x.length > 0))];
}

/**
 * Scopes a client may hold only for itself, never in a token that acts for a user:
 * `introspection` lets a token's holder read other tokens of its client (RFC 7662 §4), which
 * would tell a user about other users' sessions.
 */
export const CLIENT_ONLY_SCOPES: ReadonlySet<string> = new Set(['introspection']);

/** The admin API's scope (src/admin): never granted by dynamic registration. */
export const ADMIN_SCOPE = 'tessera:admin';

/**
 * Scopes a token acting for a user carries only when the user holds the role of the same
 * name: a client allowed `tessera:admin` (the console) must not make every user an admin.
 */
export const ROLE_GATED_SCOPES: ReadonlySet<string> = new Set([ADMIN_SCOPE]);

/**
 * `scope` without the role-gated scopes `user` does not hold: left out when the client did
 * not name them (RFC 6749 §3.3 lets the server narrow the scope), invalid_scope when it did.
 */
export function heldScope(scope: string, user: { roles: readonly string[] } | null, asked: string | undefined): string {
  if (!user) return scope;
  const granted = parseScope(scope);
  const unheld = granted.filter((s) => ROLE_GATED_SCOPES.has(s) && !user.roles.includes(s));
  if (unheld.length === 0) return scope;
  if (parseScope(asked).some((s) => unheld.includes(s))) throw invalidScope(`scope ${unheld[0]} is only granted to users holding the role ${unheld[0]}`);
  return granted.filter((s) => !unheld.includes(s)).join(' ');
}

/**
 * The scope to grant: a subset of `allowed` when asked (anything outside it is
 * invalid_scope), all of `allowed` when nothing was asked. For a token acting for a user,
 * client-only scopes are left out by default and refused when asked for.
 */
export function grantScope(requested: string | undefined, allowed: string, opts: { forUser?: boolean } = {}): string {
  const allowedSet = new Set(parseScope(allowed));
  if (opts.forUser) for (const s of CLIENT_ONLY_SCOPES) allowedSet.delete(s);
  const asked = parseScope(requested);
  if (requested !== undefined && asked.length === 0 && requested.trim() !== '') {
    throw invalidScope('scope is malformed');
  }
  if (asked.length === 0) return [...allowedSet].join(' ');
  const outside = asked.filter((s) => !allowedSet.has(s));
  if (outside.length > 0) {
    const clientOnly = opts.forUser && outside.some((s) => CLIENT_ONLY_SCOPES.has(s));
    throw invalidScope(clientOnly
      ? 'scope not allowed in a token issued for a user: introspection'
      : `scope not allowed for this client: ${outside.slice(0, 5).join(' ')}`);
  }
  return asked.join(' ');
}

/** RFC 3986-ish scope token syntax from RFC 6749 §3.3: %x21 / %x23-5B / %x5D-7E. */
export function isValidScopeToken(s: string): boolean {
  return /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s);
}
