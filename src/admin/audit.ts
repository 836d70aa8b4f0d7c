// The audit log of admin changes: one stored entry (AuditRepo, table audit_log) and one
// `event: audit` log line per change. Before and after are the resources' public shapes
// (no secret is in them); anything named like a secret is removed again here regardless.
import type { FastifyRequest } from 'fastify';
import type { AuditEntry } from '../core/types.js';
import type { Tessera } from '../runtime.js';

const SECRET_NAME = /secret|password|_hash$|private|_enc$/i;

/** A copy without any field named like a secret, at any depth. */
export function redact(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redact);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => !SECRET_NAME.test(k)).map(([k, x]) => [k, redact(x)]));
}

export interface Change {
  action: string;
  resource: AuditEntry['resource'];
  id: string;
  before?: unknown;
  after?: unknown;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(redact(v)));

/** Who: the request's actor (auth.ts), or `tessera` itself (the bootstrap). */
export async function recordChange(t: Pick<Tessera, 'store' | 'log'>, req: FastifyRequest | null, c: Change): Promise<void> {
  const entry = {
    at: Math.floor(Date.now() / 1000),
    actor_client_id: req?.actor?.client_id ?? 'tessera', actor_user_id: req?.actor?.user_id ?? null,
    action: c.action, resource: c.resource, resource_id: c.id, before: json(c.before), after: json(c.after),
    request_id: req ? String(req.id) : null, ip: req?.clientIp ?? null,
  };
  await t.store.audit.append(entry);
  t.log.info({ event: 'audit', ...entry, before: c.before === undefined ? null : redact(c.before), after: c.after === undefined ? null : redact(c.after) }, `admin: ${c.action} ${c.resource} ${c.id}`);
}

export const auditJson = (e: AuditEntry) => ({
  ...e, before: e.before === null ? null : JSON.parse(e.before) as unknown, after: e.after === null ? null : JSON.parse(e.after) as unknown,
});
