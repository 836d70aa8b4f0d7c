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

const repeated = (key: string) => invalidRequest(`parameter ${JSON.stringify(key.slice(0, 64))} is repeated`);

function setOnce(out: Record<string, string>, key: string, value: string): void {
  if (Object.hasOwn(out, key)) throw repeated(key);
  out[key] = checkNul(key, value);
}

/** No OAuth parameter contains NUL, and PostgreSQL text cannot hold one: refuse it here. */
function checkNul(key: string, value: string): string {
  if (key.includes('\u0000') || value.includes('\u0000')) {
    throw invalidRequest(`parameter ${JSON.stringify(key.replace(/\u0000/g, '').slice(0, 64))} contains a NUL character`);
  }
  return value;
}

/** A lone UTF-16 surrogate: JSON's \uXXXX escapes can make one; no URL or UTF-8 can carry it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `s` is Unicode text: no lone UTF-16 surrogate (String.prototype.isWellFormed). */
export const isUnicodeText = (s: string): boolean => !LONE_SURROGATE.test(s);

/** Refuses a JSON string that is not Unicode text (encodeURIComponent of it throws: a 500). */
function wellFormed(key: string, value: string): string {
  if (!isUnicodeText(key) || !isUnicodeText(value)) {
    throw invalidRequest(`parameter ${JSON.stringify(key.slice(0, 64))} is not valid Unicode (a lone surrogate)`);
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
  // JSON.parse keeps the last of two equal keys silently; a repeated parameter is refused
  // in JSON as in a form (RFC 6749 §3.2).
  const dup = repeatedTopLevelKey(text);
  if (dup !== undefined) throw repeated(dup);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(doc)) {
    if (v === null || v === '') continue;
    if (typeof v === 'string') out[k] = checkNul(k, wellFormed(k, v));
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else throw invalidRequest(`parameter ${JSON.stringify(k.slice(0, 64))} must be a string`);
  }
  return out;
}

/**
 * The first key that occurs twice in the top-level object of `text`, which is valid JSON
 * (JSON.parse accepted it). Only strings at depth 1 followed by `:` are keys; each is
 * decoded with JSON.parse, so `"\u0073cope"` and `"scope"` are the same key.
 */
function repeatedTopLevelKey(text: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) { // "
      let end = i + 1;
      while (text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
      if (depth === 1) {
        let next = end + 1;
        while (/[ \t\n\r]/.test(text[next] ?? '')) next++;
        if (text[next] === ':') {
          const key = JSON.parse(text.slice(i, end + 1)) as string;
          if (seen.has(key)) return key;
          seen.add(key);
        }
      }
      i = end;
    } else if (c === 0x7b || c === 0x5b) depth++; // { [
    else if (c === 0x7d || c === 0x5d) depth--; // } ]
  }
  return undefined;
}

/**
 * RFC 6749 §3.2: no parameter more than once, counting the query string and the body
 * together. A query parameter without a value counts as omitted, as in the body.
 */
export function rejectQueryBodyRepeats(query: unknown, body: Record<string, string>): void {
  if (!query || typeof query !== 'object') return;
  for (const [key, value] of Object.entries(query)) {
    if (value !== '' && Object.hasOwn(body, key)) {
      throw invalidRequest(`parameter ${JSON.stringify(key.slice(0, 64))} is sent both in the query string and in the body`);
    }
  }
}

/**
 * The query string and path parameters hold no NUL either (checkNul does it for bodies):
 * PostgreSQL text cannot store one, so a NUL client_id or nonce was a 500 from the store.
 */
export function rejectNulParams(...sources: unknown[]): void {
  for (const src of sources) {
    if (!src || typeof src !== 'object') continue;
    for (const [key, value] of Object.entries(src)) {
      for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') checkNul(key, v);
    }
  }
}

/** The parsed body of a request: our parsers always give a string map (or nothing). */
export function bodyParams(body: unknown): Record<string, string> {
  return (body && typeof body === 'object' ? body : Object.create(null)) as Record<string, string>;
}
