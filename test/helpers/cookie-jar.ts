// A minimal browser for black-box tests of the sign-in pages: fetch without following
// redirects, a cookie jar (name → value, from Set-Cookie), and reading forms out of HTML.
export interface Page {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
  setCookies: string[];
}

export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string, readonly fetchImpl: typeof fetch = fetch) {}

  #cookieHeader(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  async #do(url: string, init: RequestInit): Promise<Page> {
    const abs = url.startsWith('http') ? url : `${this.base}${url}`;
    const res = await this.fetchImpl(abs, { ...init, redirect: 'manual', headers: { ...this.#cookieHeader(), ...(init.headers as Record<string, string> | undefined) } });
    const setCookies = res.headers.getSetCookie();
    for (const c of setCookies) {
      const [pair, ...attrs] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, headers: res.headers, text: await res.text(), location: res.headers.get('location'), setCookies };
  }

  get(url: string): Promise<Page> {
    return this.#do(url, { method: 'GET' });
  }

  post(url: string, form: Record<string, string>): Promise<Page> {
    return this.#do(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  }
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The hidden inputs of the form with this id (name → value). */
export function formFields(html: string, formId: string): Record<string, string> {
  const start = html.indexOf(`id="${formId}"`);
  if (start === -1) throw new Error(`no form #${formId} in:\n${html.slice(0, 2000)}`);
  const end = html.indexOf('</form>', start);
  const body = html.slice(start, end);
  const out: Record<string, string> = {};
  for (const m of body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[unescape(m[1]!)] = unescape(m[2]!);
  return out;
}

/** The text inside the element with this id. */
export function textOf(html: string, id: string): string | null {
  const m = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(html);
  return m ? unescape(m[1]!) : null;
}
