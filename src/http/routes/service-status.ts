/**
 * A service's status to or from suspended by `PATCH /api/v1/services/{id}` is the same operation as
 * `POST /api/v1/services/{id}/suspend` and `/resume` (ServiceControl): the service_suspensions row opened
 * or closed with the status and its audit row, the RADIUS cache dropped, the live sessions acted on.
 * So the suspension history (billing's suspended days, dunning, "why offline") does not depend on which
 * of the two an operator used. From suspended to ended, proposal or free closes the open suspension the
 * same way (with the status, in one transaction), without resume's RADIUS steps.
 */
import type { FastifyRequest } from 'fastify';
import { actionStore, assertSuspendable } from '../../db/actions.js';
import type { SqlClient } from '../../db/sql.js';
import { dateInZone } from '../../lib/calendar.js';
import { because, type ServiceControl } from '../../nas/control.js';
import { RESUME_REASON, SUSPEND_REASON } from './actions.js';
import type { CrudRoutes } from './crud.js';
import type { Clock } from '../../lib/clock.js';

/**
 * What a status change by PATCH is: `suspend` (to suspended), `resume` (suspended to active), or null
 * (a plain column change: between active, ended, proposal and free, or no change). From suspended to
 * ended, proposal or free is `leave` (see `leaveStep`), not a suspend or resume: null here.
 */
export function suspensionStep(from: unknown, to: unknown): 'suspend' | 'resume' | null {
  if (to === undefined || to === from) return null;
  if (to === 'suspended') return 'suspend';
  if (from === 'suspended' && to === 'active') return 'resume';
  return null;
}

/** From suspended to ended, proposal or free: the open suspension is closed with the status. */
export function leaveStep(from: unknown, to: unknown): boolean {
  return from === 'suspended' && (to === 'ended' || to === 'proposal' || to === 'free');
}

/** What the leave step needs: the database, the clock and the billing timezone (the suspension's end date). */
export interface LeaveSuspensionOptions {
  sql: SqlClient;
  clock: Clock;
  timezone: string;
}

export const LEAVE_REASON = 'status changed by hand';

/**
 * The services PATCH's `splitPatch`: a suspend or resume step goes through `control` (after the other
 * fields are written); a suspension the suspend route would refuse (a proposal or ended service) is
 * refused before anything is written. Leaving suspended for ended, proposal or free writes the status,
 * the end of the open suspension (the date resume would write) and an audit row in one transaction,
 * without resume's RADIUS steps: the services `afterUpdate` cuts the live sessions (build.ts).
 */
export function serviceStatusPatch(control: ServiceControl, leave: LeaveSuspensionOptions): NonNullable<CrudRoutes['splitPatch']> {
  const store = actionStore(leave.sql);
  return (before: Record<string, unknown>, patch: Record<string, unknown>, req: FastifyRequest) => {
    if (leaveStep(before.status, patch.status)) {
      const id = before.id as number;
      const status = patch.status as 'ended' | 'proposal' | 'free';
      const { status: _status, ...rest } = patch;
      const actor = { id: req.actor?.id ?? 'anonymous', ip: req.ip };
      return {
        rest,
        then: async () => {
          const now = leave.clock.now();
          return store.leaveSuspension(id, { status, at: now.toISOString(), today: dateInZone(now, leave.timezone), actor, reason: LEAVE_REASON });
        },
      };
    }
    const step = suspensionStep(before.status, patch.status);
    if (step === null) return undefined;
    const id = before.id as number;
    if (step === 'suspend') assertSuspendable(id, String(before.status));
    const { status: _status, ...rest } = patch;
    const by = req.actor?.id ?? 'anonymous';
    return {
      rest,
      then: () => (step === 'suspend' ? control.suspend(id, { ...because(SUSPEND_REASON), by }) : control.resume(id, { ...because(RESUME_REASON), by })),
    };
  };
}
