/**
 * Acting on a service's live sessions (suspend, resume, disconnect) and the action log of every
 * CoA-Request and Disconnect-Request sent.
 */
import type { FastifyInstance } from 'fastify';
import { nameLookup } from '../../db/names.js';
import { withServiceOwners } from '../names.js';
import type { SqlClient } from '../../db/sql.js';
import { actionStore, type NasActionRow } from '../../db/actions.js';
import { notFound, said, type LocalText } from '../../lib/errors.js';
import { because, type ServiceControl } from '../../nas/control.js';
import { withReasonCode } from '../reasons.js';
import { parseErrorMessage } from '../../nas/action-errors.js';
import { ActionBody, ActionQuery, ActionSummarySchema, NasAction } from '../nas-schemas.js';
import { IdParams, pageOf, ProblemSchema } from '../schemas.js';

export { ActionSummarySchema, NasAction };

export interface ActionRoutesOptions {
  sql: SqlClient;
  control: ServiceControl;
}

/** The reasons the action log and audit give a suspend or resume by hand (these routes, or a PATCH of the status). */
export const SUSPEND_REASON = said('reason.action.suspendedByHand', 'suspended by hand');
export const RESUME_REASON = said('reason.action.resumedByHand', 'resumed by hand');
const KICK_REASON = said('reason.action.kick', 'kick');

const errors = { 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };

/** An action as the API gives it: its reason's catalogue key and values beside the English text. */
function toApi(r: NasActionRow) {
  const { actor, request, checkAt: _checkAt, errorMessage, ...rest } = withReasonCode(r);
  return { ...rest, errorMessages: parseErrorMessage(errorMessage), by: actor, request: JSON.parse(request) as unknown };
}

export async function actionRoutes(app: FastifyInstance, opts: ActionRoutesOptions): Promise<void> {
  const store = actionStore(opts.sql);
  const names = nameLookup(opts.sql);
  const tags = ['services'];
  const act = (verb: 'suspend' | 'resume' | 'disconnect', summary: string, defaultReason: LocalText) =>
    app.post(`/api/v1/services/:id/${verb}`, { schema: { tags, summary, params: IdParams, body: ActionBody, response: { 200: ActionSummarySchema, ...errors } } }, async (req) => {
      const { id } = req.params as { id: number };
      // A reason typed by the admin is kept as written, in whatever language they wrote it.
      const typed = (req.body as { reason?: string } | null | undefined)?.reason;
      const by = req.actor?.id ?? 'anonymous';
      return opts.control[verb](id, { ...(typed === undefined ? because(defaultReason) : { reason: typed }), by });
    });
  act('suspend', 'Suspend a service: status suspended, its sessions cut (or moved to the walled garden); answers once the NAS has answered', SUSPEND_REASON);
  act('resume', 'Resume a suspended service; sessions in the walled garden are cut so the customer logs in again at the full rate', RESUME_REASON);
  act('disconnect', 'Disconnect every open session of the service (kick); the status is unchanged', KICK_REASON);

  app.get('/api/v1/actions', { schema: { tags: ['sessions'], summary: 'The action log: every CoA-Request and Disconnect-Request, newest first', querystring: ActionQuery, response: { 200: pageOf(NasAction), ...errors } } }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string; serviceId?: number; nasId?: number; outcome?: NasActionRow['outcome']; kind?: NasActionRow['kind'] };
    const page = await store.listActions(q, q.limit, q.cursor);
    return { items: await withServiceOwners(names, page.items.map(toApi)), next: page.next };
  });
  app.get('/api/v1/actions/:id', { schema: { tags: ['sessions'], summary: 'One action', params: IdParams, response: { 200: NasAction, ...errors } } }, async (req) => {
    const { id } = req.params as { id: number };
    const row = await store.action(id);
    if (!row) throw notFound('action', id);
    return toApi(row);
  });
}
