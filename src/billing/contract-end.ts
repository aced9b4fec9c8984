/**
 * What follows, after commit, when the daily run closes contracts whose last day has passed: RADIUS
 * drops its cached rows, so the next login is refused, and their live sessions are cut as a
 * deletion's are. One Disconnect per service; a NAS that does not answer is reported, never retried
 * here (the login is refused anyway).
 */
import { rowsOf, type Change, type Topic } from '../lib/topic.js';
import { because, type ServiceControl } from '../nas/control.js';
import { said } from '../lib/errors.js';

export interface ContractsClosedOptions {
  control: Pick<ServiceControl, 'disconnect'>;
  changes: Topic<Change>;
  onError?: ((err: unknown, context: Record<string, unknown>) => void) | undefined;
}

export function contractsClosedHandler(opts: ContractsClosedOptions): (serviceIds: number[]) => void {
  return (serviceIds) => {
    opts.changes.publish(rowsOf('service', serviceIds));
    for (const id of serviceIds) {
      opts.control.disconnect(id, { ...because(said('reason.action.contractEnded', 'contract ended')), by: 'system:billing' })
        .catch((err: unknown) => opts.onError?.(err, { serviceId: id }));
    }
  };
}
