// The OpenAPI 3.1 document at /admin/openapi.json: it covers every route the admin listener
// registered, and holds together structurally (paths, methods, unique operationIds, path
// parameters declared, every $ref resolving).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { call } from './helpers.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** RFC 6901 JSON Pointer inside the document. */
function resolve(doc: unknown, ref: string): unknown {
  assert.ok(ref.startsWith('#/'), `local $ref: ${ref}`);
  return ref.slice(2).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), doc);
}

function refsIn(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => refsIn(x, out));
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref') out.push(String(x));
      else refsIn(x, out);
    }
  }
  return out;
}

describe('admin OpenAPI document', () => {
  let srv: TestServer;
  let doc: any;
  before(async () => {
    srv = await startTestServer('sqlite');
    const r = await call(srv.adminUrl!, 'GET', '/admin/openapi.json');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    doc = r.json;
  });
  after(async () => { await srv.close(); });

  it('is OpenAPI 3.1 with info, paths, components and a bearer security scheme', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.title, 'Tessera admin API');
    assert.match(doc.info.version, /^\d+\.\d+\.\d+/);
    assert.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', description: 'An access token with the tessera:admin scope' });
    assert.deepEqual(doc.security, [{ bearer: [] }]);
    assert.ok(Object.keys(doc.paths).length >= 15);
  });

  it('documents every route the admin listener registered (only /metrics is left out)', () => {
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${path}`);
    }
    const registered = srv.adminApp!.openapi.registered;
    assert.ok(registered.length >= documented.size);
    for (const r of registered) {
      const key = `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`;
      if (r.url === '/metrics') continue;
      assert.ok(documented.has(key), `${key} is in the document`);
    }
    assert.equal(documented.size, registered.filter((r) => r.url !== '/metrics').length, 'nothing documented that is not served');
  });

  it('holds together: methods, unique operationIds, path parameters, responses, $refs', () => {
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      assert.match(path, /^\/admin\//);
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries<any>(ops)) {
        assert.ok(METHODS.includes(method), `${method} ${path}`);
        assert.match(op.operationId, /^[a-zA-Z]+$/);
        assert.ok(!ids.has(op.operationId), `operationId ${op.operationId} is unique`);
        ids.add(op.operationId);
        assert.ok(op.summary.length > 0);
        const pathParams = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name);
        assert.deepEqual(pathParams.sort(), [...templated].sort(), `${method} ${path} declares its path parameters`);
        for (const p of op.parameters ?? []) {
          assert.ok(['path', 'query'].includes(p.in));
          assert.equal(typeof p.schema, 'object');
          if (p.in === 'path') assert.equal(p.required, true);
        }
        assert.ok(Object.keys(op.responses).some((c) => /^2\d\d$/.test(c)), `${method} ${path} has a success response`);
        for (const [code, res] of Object.entries<any>(op.responses)) {
          assert.ok(code === 'default' || /^[1-5]\d\d$/.test(code));
          assert.equal(typeof res.description, 'string');
        }
        if (op.requestBody) assert.ok(op.requestBody.content['application/json'].schema);
      }
    }
    const refs = refsIn(doc);
    assert.ok(refs.length > 20);
    for (const ref of refs) assert.ok(resolve(doc, ref) !== undefined, `${ref} resolves`);
    // No Fastify-only reference syntax left behind.
    assert.doesNotMatch(JSON.stringify(doc), /"\$id"|[A-Za-z]#"/);
  });

  it('is generated from the same schemas that validate requests', async () => {
    const create = doc.paths['/admin/clients'].post;
    assert.equal(create.requestBody.content['application/json'].schema.$ref, '#/components/schemas/ClientCreate');
    const schema = doc.components.schemas.ClientCreate;
    assert.equal(schema.additionalProperties, false);
    assert.ok(!('client_secret' in schema.properties), 'a secret is never an input: it is generated');
    assert.ok(!('client_secret_hash' in doc.components.schemas.Client.properties));
    assert.ok(!('password_hash' in doc.components.schemas.User.properties));
    const list = doc.paths['/admin/users'].get.parameters.map((p: any) => p.name).sort();
    assert.deepEqual(list, ['cursor', 'disabled', 'limit', 'q']);
    assert.equal(doc.paths['/admin/openapi.json'].get.security.length, 0, 'the document itself needs no token');
  });
});
