/**
 * What billing, dunning, prepaid and caps ask of the network. The implementation (src/nas/actions.ts)
 * changes the service's state, sends Disconnect or CoA requests to the NAS of each open session and
 * records every step in the action log; callers only say what and why.
 */
import type { LocalText } from '../lib/errors.js';

export interface ActionRequest {
  /** Why, in words an operator reads in the action log ("invoice 2026-0042 overdue", "kick"). */
  reason: string;
  /**
   * The same reason by catalogue key (`reason.action.*`) and values, so the action log shows it in
   * its reader's language; absent for a reason typed by hand. `said(key, english, values)` gives both.
   */
  reasonMessage?: { readonly key: string; readonly values?: Readonly<Record<string, string | number>> } | undefined;
  /** Who: `admin:3`, `token:5`, `system:dunning`, `system:prepaid`, `system:caps`. */
  by: string;
  /**
   * For suspend only: how the network treats the suspended service (a billing profile's choice).
   * Default: the plan's mode, else `[radius] suspended_mode`.
   */
  mode?: 'reject' | 'walled-garden' | undefined;
}

/** A request's reason from its catalogue message: the English text and the key together. */
export function because(m: LocalText): Pick<ActionRequest, 'reason' | 'reasonMessage'> {
  return { reason: m.text, reasonMessage: m.values ? { key: m.key, values: m.values } : { key: m.key } };
}

export interface ActionSummary {
  serviceId: number;
  /** One entry per session acted on (empty when the service had no open session). */
  actions: { id: number; kind: 'disconnect' | 'coa'; sessionId: string; outcome: string }[];
}

export interface ServiceControl {
  /** Status to suspended (with a service_suspensions row) and its sessions cut (or moved to the walled garden). */
  suspend(serviceId: number, req: ActionRequest): Promise<ActionSummary>;
  /** Status back to active; a CoA or Disconnect only where the suspension used a walled garden. */
  resume(serviceId: number, req: ActionRequest): Promise<ActionSummary>;
  /** Cut every open session of the service (kick, prepaid expiry, deletion); the status is unchanged. */
  disconnect(serviceId: number, req: ActionRequest): Promise<ActionSummary>;
  /**
   * Send each open session the rate the service should have now (plan change, a data-cap tier crossed,
   * a cap reset) by CoA, with Disconnect as the fallback when the NAS refuses.
   */
  refreshRate(serviceId: number, req: ActionRequest): Promise<ActionSummary>;
}
