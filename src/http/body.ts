// Request bodies as flat string maps. RFC 6749 §3.2: parameters sent without a value are
// treated as omitted, and no parameter may be included more than once.
import { invalidRequest } from '../core/errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(buf: Buffer): string {
  try {
    return utf8.decode(buf);
  } catch {
    throw invalidRequest('request body is not valid UTF-8');
  }
}

function setOnce(out: Record<string, string>, key: string, value: string): void {
  if (Object.hasOwn(out, key)) throw invalidRequest(`parameter ${JSON.stringify(key.slice(0, 64))} is repeated`);
  out[key] = checkNul(key, value);
}

/** No OAuth parameter contains NUL, and PostgreSQL text cannot hold one: refuse it here. */
function checkNul(key: string, value: string): string {
  if (key.includes('\u0000') || value.includes('\u0000')) {
    throw invalidRequest(`parameter ${JSON.stringify(key.replace(/\u0000/g, '').slice(0, 64))} contains a NUL character`);
  }
  return value;
}

/** application/x-www-form-urlencoded (RFC 6749 Appendix B). */
export function parseForm(buf: Buffer): Record<string, string> {
  const text = decodeUtf8(buf);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (text.length === 0) return out;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawVal = eq === -1 ? '' : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      value = decodeURIComponent(rawVal.replace(/\+/g, ' '));
    } catch {
      throw invalidRequest('request body has malformed percent-encoding or invalid UTF-8');
    }
    if (value === '') continue; // §3.2: empty value = omitted
    setOnce(out, key, value);
  }
  return out;
}

/** application/json: one object whose values are strings (numbers and booleans are read as text). */
export function parseJson(buf: Buffer): Record<string, string> {
  const text = decodeUtf8(buf);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalidRequest('request body is not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidRequest('JSON body must be an object');
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(doc)) {
    if (v === null || v === '') continue;
    if (typeof v === 'string') out[k] = checkNul(k, v);
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else throw invalidRequest(`parameter ${JSON.stringify(k.slice(0, 64))} must be a string`);
  }
  return out;
}

/** The parsed body of a request: our parsers always give a string map (or nothing). */
export function bodyParams(body: unknown): Record<string, string> {
  return (body && typeof body === 'object' ? body : Object.create(null)) as Record<string, string>;
}
