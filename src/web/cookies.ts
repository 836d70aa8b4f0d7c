// The two cookies of the sign-in pages: the session (its value a random token the store
// knows by hash) and the CSRF cookie (random; forms carry an HMAC of it, web/seal.ts). Both
// HttpOnly, SameSite=Lax, Path=/; over https Secure and the __Host- prefix (RFC 6265bis
// §4.1.3.2: no Domain, so no sibling host can set or read them).
import type { FastifyReply, FastifyRequest } from 'fastify';

export type CookieName = 'session' | 'csrf';

export function cookieName(name: CookieName, secure: boolean): string {
  return `${secure ? '__Host-' : ''}tessera_${name}`;
}

/** The value of one cookie from the Cookie header (RFC 6265 §5.4); a repeated name: the first. */
export function readCookie(req: FastifyRequest, name: CookieName, secure: boolean): string | undefined {
  return cookieValue(req, cookieName(name, secure), /^[A-Za-z0-9_-]{1,200}$/);
}

/** The first cookie named `name` (RFC 6265 §5.4), if its value is of the `shape` expected. */
export function cookieValue(req: FastifyRequest, name: string, shape: RegExp): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      return shape.test(v) ? v : undefined;
    }
  }
  return undefined;
}

/** Adds a Set-Cookie; `maxAge` null: a browser-session cookie; 0: delete it. */
export function setCookie(reply: FastifyReply, name: CookieName, value: string, secure: boolean, maxAge: number | null): void {
  const attrs = [`${cookieName(name, secure)}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (secure) attrs.push('Secure');
  if (maxAge !== null) attrs.push(`Max-Age=${maxAge}`);
  const prev = reply.getHeader('set-cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  reply.header('set-cookie', [...list, attrs.join('; ')]);
}
