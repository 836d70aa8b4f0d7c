// How a console page is registered: signed-in (context.ts), framed by the layout (html.ts)
// with the nav entry it belongs to, and a notice after a change (from a fixed list: the
// query string names one, it is never shown as given). Actions on a resource are a table of
// admin API calls, one POST route for them all.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import { one, type Ctx, type Form } from './context.js';
import { NAV, layout, type Html } from './html.js';

export const NOTICES = {
  saved: 'Saved.', disabled: 'Disabled.', enabled: 'Enabled.', unlocked: 'Unlocked.', deleted: 'Deleted.', created: 'Created.',
  rotated: 'A new key was added.', password: 'The password was set; the user\'s sessions ended.', revoked: 'Revoked.',
} as const;
export type Notice = keyof typeof NOTICES;

export class Redirect {
  constructor(readonly to: string) {}
}

type Handler<R extends RouteGenericInterface> = (ctx: Ctx, req: FastifyRequest<R>) => Promise<Html | Redirect>;
type ContextOf = (req: FastifyRequest, reply: FastifyReply) => Promise<Ctx | null>;

export const CONSOLE_ROUTE = { adminAuth: false, console: true } as const;

export class Pages {
  constructor(private readonly context: ContextOf) {}

  redirect(to: string, notice: Notice): Redirect {
    return new Redirect(`${to}${to.includes('?') ? '&' : '?'}done=${notice}`);
  }

  #route<R extends RouteGenericInterface>(app: FastifyInstance, method: 'GET' | 'POST', url: string, title: string, h: Handler<R>): void {
    const here = [...NAV].reverse().find(([href]) => url === href || (href !== '/admin/' && url.startsWith(href)))?.[0];
    app.route({
      method, url, config: CONSOLE_ROUTE,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const ctx = await this.context(req, reply);
        if (!ctx) return reply;
        const out = await h(ctx, req as FastifyRequest<R>);
        if (out instanceof Redirect) return reply.code(303).header('location', out.to).send();
        const done = (req.query as Record<string, unknown> | undefined)?.done;
        const notice = typeof done === 'string' && Object.hasOwn(NOTICES, done) ? NOTICES[done as Notice] : undefined;
        const refresh = url === '/admin/' ? 5 : undefined;
        return reply.type('text/html; charset=utf-8').send(layout({
          title, here, who: { username: ctx.session.username, csrf: ctx.csrf }, ...(notice ? { notice } : {}), ...(refresh ? { refresh } : {}),
        }, out));
      },
    });
  }

  get<R extends RouteGenericInterface = RouteGenericInterface>(app: FastifyInstance, url: string, title: string, h: Handler<R>): void {
    this.#route(app, 'GET', url, title, h);
  }

  post<R extends RouteGenericInterface = RouteGenericInterface>(app: FastifyInstance, url: string, title: string, h: Handler<R>): void {
    this.#route(app, 'POST', url, title, h);
  }
}

export interface Action {
  method: 'POST' | 'DELETE';
  notice: Notice;
  /** After it, go to the list (the resource is gone). */
  toList?: boolean;
}

/** POST /admin/console/<kind>/:id/<action> → <method> <api>/:id[/<action>] (DELETE: the resource itself). */
export function actionRoutes(app: FastifyInstance, pages: Pages, kind: string, api: string, actions: Record<string, Action>): void {
  for (const [name, a] of Object.entries(actions)) {
    pages.post<{ Params: { id: string } }>(app, `/admin/console/${kind}/:id/${name}`, name, async (ctx, req) => {
      const id = encodeURIComponent(req.params.id);
      const f = req.body as Form;
      // A destructive action's form has a required checkbox; refused here too without it.
      if (a.method === 'DELETE' && one(f, 'confirm') !== 'yes') return new Redirect(`/admin/console/${kind}/${id}`);
      await ctx.api(a.method, a.method === 'DELETE' ? `${api}/${id}` : `${api}/${id}/${name}`);
      return pages.redirect(a.toList ? `/admin/console/${kind}` : `/admin/console/${kind}/${id}`, a.notice);
    });
  }
}
