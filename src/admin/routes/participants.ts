// /admin/participants: the organisations users belong to (participant_code on a user, and
// the HCX dialect's claims). Input goes through validateParticipant, as the config file's.
import type { FastifyInstance } from 'fastify';
import { validateParticipant } from '../../config/validate.js';
import type { Participant } from '../../core/types.js';
import { participantFromConfig } from '../../entities.js';
import type { Tessera } from '../../runtime.js';
import { recordChange } from '../audit.js';
import { matches, paginate } from '../pagination.js';
import { conflict, notFound } from '../problem.js';
import { idParam, noContent, page, pageQuery, ref } from '../schemas.js';

const params = idParam('participant_code');
type ByCode = { Params: { participant_code: string } };
const cfg = (operationId: string, summary: string) => ({ operationId, summary, tag: 'participants' });

export function participantRoutes(app: FastifyInstance, t: Tessera): void {
  const find = async (code: string): Promise<Participant> => {
    const p = await t.store.participants.get(code);
    if (!p) throw notFound('participant', code);
    return p;
  };

  app.post<{ Body: Record<string, unknown> }>('/admin/participants', {
    config: cfg('createParticipant', 'Create a participant'),
    schema: { body: ref('ParticipantCreate'), response: { 201: ref('Participant') } },
  }, async (req, reply) => {
    const input = validateParticipant(req.body, '');
    if (await t.store.participants.get(input.participant_code)) throw conflict(`a participant with participant_code ${JSON.stringify(input.participant_code)} exists`);
    const p = participantFromConfig(input, null);
    await t.store.participants.upsert(p);
    await recordChange(t, req, { action: 'participant.create', resource: 'participant', id: p.participant_code, after: p });
    reply.code(201).header('location', `/admin/participants/${encodeURIComponent(p.participant_code)}`);
    return p;
  });

  app.get<{ Querystring: { limit: number; cursor?: string; q?: string } }>('/admin/participants', {
    config: cfg('listParticipants', 'List participants, by participant_code'),
    schema: { querystring: pageQuery({ q: { type: 'string', maxLength: 255, description: 'substring of participant_code or name' } }), response: { 200: page('Participant') } },
  }, async (req) => {
    const { limit, cursor, q } = req.query;
    const all = (await t.store.participants.list()).filter((p) => matches(q, p.participant_code, p.name));
    return paginate(all, (p) => p.participant_code, limit, cursor);
  });

  app.get<ByCode>('/admin/participants/:participant_code', {
    config: cfg('getParticipant', 'One participant'), schema: { params, response: { 200: ref('Participant') } },
  }, async (req) => find(req.params.participant_code));

  app.patch<ByCode & { Body: { name?: string; roles?: string[] } }>('/admin/participants/:participant_code', {
    config: cfg('updateParticipant', 'Change a participant\'s name or roles'),
    schema: { params, body: ref('ParticipantPatch'), response: { 200: ref('Participant') } },
  }, async (req) => {
    const before = await find(req.params.participant_code);
    const input = validateParticipant({ participant_code: before.participant_code, name: before.name, roles: before.roles, ...req.body }, '');
    const next = participantFromConfig(input, before);
    await t.store.participants.upsert(next);
    await recordChange(t, req, { action: 'participant.update', resource: 'participant', id: next.participant_code, before, after: next });
    return next;
  });

  app.delete<ByCode>('/admin/participants/:participant_code', {
    config: cfg('deleteParticipant', 'Delete a participant'), schema: { params, response: { 204: noContent } },
  }, async (req, reply) => {
    const before = await find(req.params.participant_code);
    if (!(await t.store.participants.delete(before.participant_code))) throw notFound('participant', before.participant_code);
    await recordChange(t, req, { action: 'participant.delete', resource: 'participant', id: before.participant_code, before });
    return reply.code(204).send();
  });
}
