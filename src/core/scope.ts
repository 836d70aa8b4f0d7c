// Scope rules, RFC 6749 §3.3: a space-delimited, order-free set of case-sensitive strings.
import { invalidScope } from './errors.js';

export function parseScope(s: string | undefined | null): string[] {
  if (!s) return [];
  return [...new Set(s.split(' ').filter((x) => x.length > 0))];
}

/**
 * The scope to grant: a subset of `allowed` when asked (anything outside it is
 * invalid_scope), all of `allowed` when nothing was asked.
 */
export function grantScope(requested: string | undefined, allowed: string): string {
  const allowedSet = new Set(parseScope(allowed));
  const asked = parseScope(requested);
  if (requested !== undefined && asked.length === 0 && requested.trim() !== '') {
    throw invalidScope('scope is malformed');
  }
  if (asked.length === 0) return [...allowedSet].join(' ');
  const outside = asked.filter((s) => !allowedSet.has(s));
  if (outside.length > 0) {
    throw invalidScope(`scope not allowed for this client: ${outside.slice(0, 5).join(' ')}`);
  }
  return asked.join(' ');
}

/** RFC 3986-ish scope token syntax from RFC 6749 §3.3: %x21 / %x23-5B / %x5D-7E. */
export function isValidScopeToken(s: string): boolean {
  return /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s);
}
