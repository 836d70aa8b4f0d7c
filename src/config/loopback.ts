/**
 * localhost, 127.0.0.0/8 or ::1 (bracketed or not, as URL.hostname gives it): traffic there
 * never leaves the machine. The issuer rule (RFC 8414 §2), `serve --dev`, and the http
 * exception for redirect and web URIs (RFC 8252 §7.3) all use it.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
