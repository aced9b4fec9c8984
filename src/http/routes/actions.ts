/**
 * Acting on a service's live sessions (suspend, resume, disconnect) and the action log of every
 * CoA-Request and Disconnect-Request sent.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { Db } from '../../db/client.js';
import { actionStore, type NasActionRow } from '../../db/actions.js';
import { TollgateError } from '../../lib/errors.js';
import type { ServiceControl } from '../../nas/control.js';
import { IdParams, ListQuery, pageOf, ProblemSchema } from '../schemas.js';

export interface ActionRoutesOptions {
  db: Db;
  control: ServiceControl;
}

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Id = Type.Integer({ minimum: 1 });
const Instant = Type.String({ format: 'date-time' });
const Outcome = Type.Union(
  ['pending', 'acked', 'nak', 'timeout', 'failed', 'confirmed', 'unconfirmed'].map((o) => Type.Literal(o)),
  {
    description:
      'pending: in flight; acked: the NAS said yes, accounting has not confirmed it yet; nak: refused (see errorCause); timeout: no answer; failed: could not be sent; confirmed: accounting showed the Stop (Disconnect) or a packet after the ACK (CoA); unconfirmed: ACKed, retried once, never confirmed',
  },
);
const Kind = Type.Union([Type.Literal('disconnect'), Type.Literal('coa')]);

export const ActionSummarySchema = Type.Object({
  serviceId: Id,
  actions: Type.Array(Type.Object({ id: Id, kind: Kind, sessionId: Type.String({ description: 'Acct-Session-Id' }), outcome: Outcome })),
});

export const NasAction = Type.Object({
  id: Id,
  kind: Kind,
  reason: Type.String(),
  by: Type.String({ description: 'who asked: token:5, admin:3, system:dunning...' }),
  serviceId: Nullable(Id),
  sessionId: Nullable(Type.Integer({ description: 'the radius session record (GET /api/v1/sessions)' })),
  acctSessionId: Type.String(),
  username: Type.String(),
  nasId: Nullable(Id),
  target: Nullable(Type.String({ description: 'ip:port the request went to' })),
  request: Type.Object(
    {
      session: Type.Object({}, { additionalProperties: true, description: 'userName, acctSessionId, framedIpAddress, nasIpAddress as sent' }),
      attributes: Type.Array(Type.Array(Type.Union([Type.String(), Type.Number()])), { description: 'what a CoA changed: [name, value] pairs' }),
    },
    { description: 'the request as sent, besides Event-Timestamp and Message-Authenticator' },
  ),
  outcome: Outcome,
  errorCause: Nullable(Type.Integer({ description: 'RFC 5176 Error-Cause of a NAK' })),
  errorCauseName: Nullable(Type.String()),
  error: Nullable(Type.String()),
  attempts: Type.Integer({ description: 'transmissions in all, retransmissions and the confirmation retry included' }),
  retries: Type.Integer({ description: 'confirmation retries (0 or 1)' }),
  via: Type.Union([Type.Literal('coa'), Type.Literal('routeros')]),
  fallbackOf: Nullable(Type.Integer({ description: 'the NAKed CoA this Disconnect falls back from' })),
  createdAt: Instant,
  answeredAt: Nullable(Instant),
  confirmedAt: Nullable(Instant),
  updatedAt: Instant,
});

const ActionQuery = Type.Object(
  {
    ...ListQuery.properties,
    serviceId: Type.Optional(Id),
    nasId: Type.Optional(Id),
    outcome: Type.Optional(Outcome),
    kind: Type.Optional(Kind),
  },
  { additionalProperties: false },
);

const ActionBody = Type.Union([
  Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'why, as the action log shows it' })) }, { additionalProperties: false }),
  Type.Null(),
]);

/** The reasons the action log and audit give a suspend or resume by hand (these routes, or a PATCH of the status). */
export const SUSPEND_REASON = 'suspended by hand';
export const RESUME_REASON = 'resumed by hand';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };

function toApi(r: NasActionRow) {
  const { actor, request, checkAt: _checkAt, ...rest } = r;
  return { ...rest, by: actor, request: JSON.parse(request) as unknown };
}

export async function actionRoutes(app: FastifyInstance, opts: ActionRoutesOptions): Promise<void> {
  const store = actionStore(opts.db);
  const tags = ['services'];
  const act = (verb: 'suspend' | 'resume' | 'disconnect', summary: string, defaultReason: string) =>
    app.post(`/api/v1/services/:id/${verb}`, { schema: { tags, summary, params: IdParams, body: ActionBody, response: { 200: ActionSummarySchema, ...errors } } }, async (req) => {
      const { id } = req.params as { id: number };
      const reason = (req.body as { reason?: string } | null | undefined)?.reason ?? defaultReason;
      const by = req.actor?.id ?? 'anonymous';
      return opts.control[verb](id, { reason, by });
    });
  act('suspend', 'Suspend a service: status suspended, its sessions cut (or moved to the walled garden); answers once the NAS has answered', SUSPEND_REASON);
  act('resume', 'Resume a suspended service; sessions in the walled garden are cut so the customer logs in again at the full rate', RESUME_REASON);
  act('disconnect', 'Disconnect every open session of the service (kick); the status is unchanged', 'kick');

  app.get('/api/v1/actions', { schema: { tags: ['sessions'], summary: 'The action log: every CoA-Request and Disconnect-Request, newest first', querystring: ActionQuery, response: { 200: pageOf(NasAction), ...errors } } }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string; serviceId?: number; nasId?: number; outcome?: NasActionRow['outcome']; kind?: NasActionRow['kind'] };
    const page = store.listActions(q, q.limit, q.cursor);
    return { items: page.items.map(toApi), next: page.next };
  });
  app.get('/api/v1/actions/:id', { schema: { tags: ['sessions'], summary: 'One action', params: IdParams, response: { 200: NasAction, ...errors } } }, async (req) => {
    const { id } = req.params as { id: number };
    const row = store.action(id);
    if (!row) throw new TollgateError('not_found', `action ${id} does not exist`);
    return toApi(row);
  });
}
