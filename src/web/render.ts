// A tiny template renderer of our own (no engine dependency): `{{name}}` is a variable,
// escaped for text and for quoted attributes alike; `{{m:id}}` is a message from
// messages.ts, placed at compile time (and escaped too; a message may itself hold
// `{{name}}` variables). Only an Html value, built by this module, is inserted as is.
// Templates are compiled once at start: rendering is string concatenation.
import { readFileSync } from 'node:fs';
import { messages, type MessageId } from './messages.js';

/** Markup that is already safe (a rendered template). */
export class Html {
  constructor(readonly value: string) {}
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text and attribute-value escaping (OWASP XSS prevention rules 1 and 2, quoted attributes). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

export type Value = string | number | Html | null | undefined;
export type Vars = Record<string, Value>;
export type Template = (vars: Vars) => Html;

const TOKEN = /\{\{\s*([a-zA-Z_][\w]*)\s*\}\}/g;

function escapeKeepingVars(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    out += escapeHtml(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

export function compile(source: string, name = 'template'): Template {
  const withMessages = source.replace(/\{\{m:([\w]+)\}\}/g, (_all, id: string) => {
    if (!Object.hasOwn(messages, id)) throw new Error(`${name}: unknown message ${id}`);
    return escapeKeepingVars(messages[id as MessageId]);
  });
  const parts: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const m of withMessages.matchAll(TOKEN)) {
    parts.push(withMessages.slice(last, m.index));
    names.push(m[1]!);
    last = m.index + m[0].length;
  }
  parts.push(withMessages.slice(last));
  return (vars) => {
    let out = parts[0]!;
    for (let i = 0; i < names.length; i++) {
      const v = vars[names[i]!];
      if (v === undefined && !Object.hasOwn(vars, names[i]!)) throw new Error(`${name}: no value for ${names[i]}`);
      out += (v instanceof Html ? v.value : v === null || v === undefined ? '' : escapeHtml(String(v))) + parts[i + 1]!;
    }
    return new Html(out);
  };
}

/** Several rendered pieces as one. */
export function join(items: readonly Html[]): Html {
  return new Html(items.map((h) => h.value).join(''));
}

/** The templates folder: beside this module (src/web/templates), or the source's from dist/. */
function templatesDir(): URL {
  for (const rel of ['./templates/', '../../src/web/templates/']) {
    const u = new URL(rel, import.meta.url);
    try { readFileSync(new URL('layout.html', u)); return u; } catch { /* next */ }
  }
  throw new Error('sign-in page templates not found (src/web/templates)');
}

const dir = templatesDir();

export function loadTemplate(file: string): Template {
  return compile(readFileSync(new URL(file, dir), 'utf8'), file);
}

export function loadAsset(file: string): string {
  return readFileSync(new URL(file, dir), 'utf8');
}
