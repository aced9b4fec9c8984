import { systemClock, type Clock } from '../lib/clock.js';
import { TollgateError } from '../lib/errors.js';
import type { SecretBox } from '../lib/secretbox.js';
import type { Db } from './client.js';
import type { Actor } from './crud.js';
import { constraintError } from './crud.js';
import { normalizeService, type ServiceInput } from './repos.js';
import { bulkIndexed } from './search.js';

/** One subscriber of a bulk import: a new customer and its service. */
export interface SubscriberImport extends Omit<ServiceInput, 'customerId'> {
  customerName: string;
  email?: string | null;
  phone?: string | null;
}

export interface ImportResult {
  customers: number;
  services: number;
  firstServiceId: number | null;
}

/**
 * Creates many customers with one service each in a single transaction: what a migration from
 * another system (or a benchmark) needs, where one API call per subscriber would take minutes.
 * Rows are validated and passwords sealed exactly as the service API does; the whole import is one
 * audit record (the per-row audit of the API would double the write volume for no reader). Any bad
 * row aborts the whole import, so a half-imported customer base cannot happen.
 */
export function importSubscribers(db: Db, box: SecretBox, rows: Iterable<SubscriberImport>, actor: Actor, clock: Clock = systemClock): ImportResult {
  const c = db.$client;
  const at = clock.now().toISOString();
  const planExists = c.prepare('select 1 from plans where id = ?').pluck();
  const insertCustomer = c.prepare(
    'insert into customers (name, email, phone, created_at, updated_at) values (?, ?, ?, ?, ?)',
  );
  const insertService = c.prepare(`insert into services (customer_id, plan_id, username, password_enc, status, start_date,
      mac_address, static_ip, ipv6_prefix, delegated_ipv6_prefix, simultaneous_use, expires_at, created_at, updated_at)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertAudit = c.prepare(
    'insert into audit_log (at, actor, actor_ip, action, entity, entity_id, before, after) values (?, ?, ?, ?, ?, ?, null, ?)',
  );
  const knownPlans = new Set<number>();
  // The search index is brought up to date once at the end, not row by row (see search.ts).
  return bulkIndexed(c, () => {
    let n = 0;
    let first: number | null = null;
    for (const r of rows) {
      if (!knownPlans.has(r.planId)) {
        if (!planExists.get(r.planId)) throw new TollgateError('invalid_input', `plan ${r.planId} does not exist`, 'planId');
        knownPlans.add(r.planId);
      }
      const s = normalizeService(r);
      const customerId = Number(insertCustomer.run(r.customerName, r.email ?? null, r.phone ?? null, at, at).lastInsertRowid);
      let serviceId: number;
      try {
        serviceId = Number(
          insertService.run(
            customerId, r.planId, s.username, box.seal(r.password), s.status ?? 'active', s.startDate,
            s.macAddress ?? null, s.staticIp ?? null, s.ipv6Prefix ?? null, s.delegatedIpv6Prefix ?? null,
            s.simultaneousUse ?? 1, s.expiresAt ?? null, at, at,
          ).lastInsertRowid,
        );
      } catch (e) {
        constraintError(e, { username: 'username', services_status_ck: 'status', services_simultaneous_ck: 'simultaneousUse' });
      }
      first ??= serviceId;
      n++;
    }
    insertAudit.run(at, actor.id, actor.ip ?? null, 'import', 'service', null, JSON.stringify({ services: n, firstServiceId: first }));
    return { customers: n, services: n, firstServiceId: first };
  });
}
