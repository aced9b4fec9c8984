import { systemClock, type Clock } from '../lib/clock.js';
import { TollgateError } from '../lib/errors.js';
import type { SecretBox } from '../lib/secretbox.js';
import type { Actor } from './crud.js';
import { constraintError } from './crud.js';
import { normalizeService, type ServiceInput } from './repos.js';
import { bulkIndexed } from './search.js';
import type { SqlClient } from './sql.js';

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
export async function importSubscribers(sql: SqlClient, box: SecretBox, rows: Iterable<SubscriberImport>, actor: Actor, clock: Clock = systemClock): Promise<ImportResult> {
  const at = clock.now().toISOString();
  const planExists = sql.prepare('select 1 as "one" from plans where id = ?');
  const insertCustomer = sql.prepare<{ id: number }>(
    'insert into customers (name, email, phone, created_at, updated_at) values (?, ?, ?, ?, ?) returning id',
  );
  const insertService = sql.prepare<{ id: number }>(`insert into services (customer_id, plan_id, username, password_enc, status, start_date,
      mac_address, static_ip, ipv6_prefix, delegated_ipv6_prefix, simultaneous_use, expires_at, created_at, updated_at)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id`);
  const insertAudit = sql.prepare(
    'insert into audit_log (at, actor, actor_ip, action, entity, entity_id, before, after) values (?, ?, ?, ?, ?, ?, null, ?)',
  );
  const knownPlans = new Set<number>();
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  // The search index is brought up to date once at the end, not row by row (see search.ts).
  return bulkIndexed(sql, async () => {
    let n = 0;
    let first: number | null = null;
    for (const r of rows) {
      if (!knownPlans.has(r.planId)) {
        if (!(await planExists.get(r.planId))) throw new TollgateError('invalid_input', `plan ${r.planId} does not exist`, 'planId');
        knownPlans.add(r.planId);
      }
      const s = normalizeService(r);
      const customer = await insertCustomer.get(r.customerName, r.email ?? null, r.phone ?? null, at, at);
      let serviceId: number;
      try {
        const service = await insertService.get(
          customer!.id, r.planId, r.username, box.seal(r.password), r.status ?? 'active', r.startDate,
          text(s.macAddress), text(s.staticIp), text(s.ipv6Prefix), text(s.delegatedIpv6Prefix),
          r.simultaneousUse ?? 1, text(s.expiresAt), at, at,
        );
        serviceId = service!.id;
      } catch (e) {
        constraintError(e, { username: 'username', services_status_ck: 'status', services_simultaneous_ck: 'simultaneousUse' });
      }
      first ??= serviceId;
      n++;
    }
    await insertAudit.run(at, actor.id, actor.ip ?? null, 'import', 'service', null, JSON.stringify({ services: n, firstServiceId: first }));
    return { customers: n, services: n, firstServiceId: first };
  });
}
