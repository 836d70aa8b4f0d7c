// GET /admin/audit: the admin changes, newest first, from the audit_log table.
import type { FastifyInstance } from 'fastify';
import type { Tessera } from '../../runtime.js';
import { auditJson } from '../audit.js';
import { decodeCursor, encodeCursor } from '../pagination.js';
import { badField } from '../problem.js';
import { page, pageQuery } from '../schemas.js';

export function auditRoutes(app: FastifyInstance, t: Tessera): void {
  app.get<{ Querystring: { limit: number; cursor?: string } }>('/admin/audit', {
    config: { operationId: 'listAudit', summary: 'Admin changes, newest first', tag: 'audit' },
    schema: { querystring: pageQuery(), response: { 200: page('AuditEntry') } },
  }, async (req) => {
    const { limit, cursor } = req.query;
    let before: number | undefined;
    if (cursor !== undefined) {
      before = Number(decodeCursor(cursor));
      if (!Number.isSafeInteger(before) || before < 1) throw badField('querystring:/cursor', 'is not a cursor this API returned');
    }
    const rows = await t.store.audit.list(limit + 1, before);
    const items = rows.slice(0, limit);
    return { items: items.map(auditJson), next_cursor: rows.length > limit ? encodeCursor(String(items.at(-1)!.seq)) : null };
  });
}
