/**
 * A service's status to or from suspended by `PATCH /api/v1/services/{id}` is the same operation as
 * `POST /api/v1/services/{id}/suspend` and `/resume` (ServiceControl): the service_suspensions row opened
 * or closed with the status and its audit row, the RADIUS cache dropped, the live sessions acted on.
 * So the suspension history (billing's suspended days, dunning, "why offline") does not depend on which
 * of the two an operator used.
 */
import type { FastifyRequest } from 'fastify';
import { assertSuspendable } from '../../db/actions.js';
import type { ServiceControl } from '../../nas/control.js';
import { RESUME_REASON, SUSPEND_REASON } from './actions.js';
import type { CrudRoutes } from './crud.js';

/**
 * What a status change by PATCH is: `suspend` (to suspended), `resume` (suspended to active), or null
 * (a plain column change: to ended, proposal or free, or no change).
 */
export function suspensionStep(from: unknown, to: unknown): 'suspend' | 'resume' | null {
  if (to === undefined || to === from) return null;
  if (to === 'suspended') return 'suspend';
  if (from === 'suspended' && to === 'active') return 'resume';
  return null;
}

/**
 * The services PATCH's `splitPatch`: a suspend or resume step goes through `control` (after the other
 * fields are written); a suspension the suspend route would refuse (a proposal or ended service) is
 * refused before anything is written.
 */
export function serviceStatusPatch(control: ServiceControl): NonNullable<CrudRoutes['splitPatch']> {
  return (before: Record<string, unknown>, patch: Record<string, unknown>, req: FastifyRequest) => {
    const step = suspensionStep(before.status, patch.status);
    if (step === null) return undefined;
    const id = before.id as number;
    if (step === 'suspend') assertSuspendable(id, String(before.status));
    const { status: _status, ...rest } = patch;
    const by = req.actor?.id ?? 'anonymous';
    return {
      rest,
      then: () => (step === 'suspend' ? control.suspend(id, { reason: SUSPEND_REASON, by }) : control.resume(id, { reason: RESUME_REASON, by })),
    };
  };
}
