// The OpenAPI 3.1 document of the admin API, generated from the routes as Fastify registers
// them: each route's JSON schema (params, querystring, body, responses) is the one Fastify
// validates and serialises with, so the document cannot drift from the code.
import type { FastifySchema, RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** OpenAPI operationId (unique) and summary; a route without one is left out of the document. */
    operationId?: string;
    summary?: string;
    tag?: string;
  }
}

interface Collected {
  method: string;
  url: string;
  schema: FastifySchema;
  operationId: string;
  summary: string;
  tag: string;
  auth: boolean;
}

/** `Client#` (Fastify's reference to a shared schema) → `#/components/schemas/Client`. */
function refs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(refs);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === '$id') continue;
    out[k] = k === '$ref' && typeof x === 'string' && x.endsWith('#') ? `#/components/schemas/${x.slice(0, -1)}` : refs(x);
  }
  return out;
}

type JsonObject = { properties?: Record<string, unknown>; required?: string[] };

const problemResponse = (description: string) => ({
  description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export class OpenApiCollector {
  readonly operations: Collected[] = [];
  /** Every route Fastify registered (method and URL), documented or not. */
  readonly registered: { method: string; url: string; documented: boolean }[] = [];

  constructor(private readonly shared: readonly { $id: string }[]) {}

  /** An onRoute hook. HEAD (added by Fastify for each GET) is not an operation of its own. */
  onRoute = (r: RouteOptions): void => {
    const methods = (Array.isArray(r.method) ? r.method : [r.method]).filter((m) => m !== 'HEAD');
    const cfg = r.config as { operationId?: string; summary?: string; tag?: string; adminAuth?: boolean; console?: boolean } | undefined;
    // The web console's pages (admin/console) are HTML for people, not operations of the API.
    if (cfg?.console === true) return;
    for (const method of methods) {
      const documented = cfg?.operationId !== undefined;
      this.registered.push({ method, url: r.url, documented });
      if (!documented) continue;
      this.operations.push({
        method, url: r.url, schema: r.schema ?? {}, operationId: cfg!.operationId!, summary: cfg?.summary ?? '',
        tag: cfg?.tag ?? 'admin', auth: cfg?.adminAuth !== false,
      });
    }
  };

  document(version: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const op of this.operations) {
      const path = op.url.replace(/:(\w+)/g, '{$1}');
      const s = op.schema as { params?: JsonObject; querystring?: JsonObject; body?: unknown; response?: Record<string, unknown> };
      const parameters = [
        ...Object.entries(s.params?.properties ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema: refs(schema) })),
        ...Object.entries(s.querystring?.properties ?? {}).map(([name, schema]) => ({
          name, in: 'query', required: (s.querystring?.required ?? []).includes(name), schema: refs(schema),
        })),
      ];
      const responses: Record<string, unknown> = {};
      for (const [code, schema] of Object.entries(s.response ?? {})) {
        const sc = schema as { description?: string; type?: string };
        responses[code] = code === '204' || sc.type === 'null'
          ? { description: sc.description ?? 'No content' }
          : { description: sc.description ?? 'OK', content: { 'application/json': { schema: refs(schema) } } };
      }
      if (op.auth) {
        responses['401'] = problemResponse('No, or an invalid, expired or revoked access token');
        responses['403'] = problemResponse('The access token lacks the tessera:admin scope');
      }
      responses['default'] = problemResponse('An error (RFC 9457 problem details)');
      (paths[path] ??= {})[op.method.toLowerCase()] = {
        operationId: op.operationId, summary: op.summary, tags: [op.tag],
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(s.body ? { requestBody: { required: true, content: { 'application/json': { schema: refs(s.body) } } } } : {}),
        responses,
        ...(op.auth ? {} : { security: [] }),
      };
    }
    const schemas: Record<string, unknown> = {};
    for (const sch of this.shared) schemas[sch.$id] = refs(sch);
    return {
      openapi: '3.1.0',
      info: { title: 'Tessera admin API', version },
      jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
      paths,
      components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An access token with the tessera:admin scope' } } },
      security: [{ bearer: [] }],
    };
  }
}
