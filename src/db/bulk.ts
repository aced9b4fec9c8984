import { systemClock, type Clock } from '../lib/clock.js';
import { said, TollgateError } from '../lib/errors.js';
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
  const checkPlan = async (planId: number): Promise<void> => {
    if (knownPlans.has(planId)) return;
    if (!(await planExists.get(planId))) throw new TollgateError('invalid_input', said('fault.noPlan', `plan ${planId} does not exist`, { id: String(planId) }), 'planId');
    knownPlans.add(planId);
  };
  const serviceValues = (r: SubscriberImport) => {
    const s = normalizeService(r);
    return {
      plan_id: r.planId, username: r.username, password_enc: box.seal(r.password), status: r.status ?? 'active', start_date: r.startDate,
      mac_address: text(s.macAddress), static_ip: text(s.staticIp), ipv6_prefix: text(s.ipv6Prefix), delegated_ipv6_prefix: text(s.delegatedIpv6Prefix),
      simultaneous_use: r.simultaneousUse ?? 1, expires_at: text(s.expiresAt),
    };
  };
  const serviceConstraints = { username: 'username', services_status_ck: 'status', services_simultaneous_ck: 'simultaneousUse' };
  if (sql.dialect === 'postgres') {
    // A statement per thousand rows, not two per row: over a network each statement is a round
    // trip, which made a million subscribers take seven minutes.
    const customers = sql.prepare<{ id: number }>(`with c as (insert into customers (name, email, phone, created_at, updated_at)
        select name, email, phone, cast(? as text), cast(? as text) from json_to_recordset(?::json) as x(n int, name text, email text, phone text) order by n
        returning id)
      select id from c order by id`);
    const services = sql.prepare<{ first: number | null; n: number }>(`with s as (insert into services (customer_id, plan_id, username, password_enc, status,
        start_date, mac_address, static_ip, ipv6_prefix, delegated_ipv6_prefix, simultaneous_use, expires_at, created_at, updated_at)
        select customer_id, plan_id, username, password_enc, status, start_date, mac_address, static_ip, ipv6_prefix, delegated_ipv6_prefix,
          simultaneous_use, expires_at, cast(? as text), cast(? as text)
        from json_to_recordset(?::json) as x(n int, customer_id bigint, plan_id bigint, username text, password_enc text, status text, start_date text,
          mac_address text, static_ip text, ipv6_prefix text, delegated_ipv6_prefix text, simultaneous_use integer, expires_at text) order by n
        returning id)
      select min(id) as "first", count(*) as "n" from s`);
    return bulkIndexed(sql, async () => {
      let n = 0;
      let first: number | null = null;
      let chunk: SubscriberImport[] = [];
      const flush = async (): Promise<void> => {
        if (chunk.length === 0) return;
        const values = [];
        for (const r of chunk) {
          await checkPlan(r.planId);
          values.push(serviceValues(r));
        }
        // Identity values are drawn in the order the rows are inserted (order by n): the i-th
        // smallest new id is the i-th row's customer.
        const ids = await customers.all(at, at, JSON.stringify(chunk.map((r, i) => ({ n: i, name: r.customerName, email: r.email ?? null, phone: r.phone ?? null }))));
        let made: { first: number | null; n: number } | undefined;
        try {
          made = await services.get(at, at, JSON.stringify(values.map((v, i) => ({ n: i, customer_id: ids[i]!.id, ...v }))));
        } catch (e) {
          constraintError(e, serviceConstraints);
        }
        first ??= made?.first ?? null;
        n += made?.n ?? 0;
        chunk = [];
      };
      for (const r of rows) {
        chunk.push(r);
        if (chunk.length === 1000) await flush();
      }
      await flush();
      await insertAudit.run(at, actor.id, actor.ip ?? null, 'import', 'service', null, JSON.stringify({ services: n, firstServiceId: first }));
      return { customers: n, services: n, firstServiceId: first };
    });
  }
  // The search index is brought up to date once at the end, not row by row (see search.ts).
  return bulkIndexed(sql, async () => {
    let n = 0;
    let first: number | null = null;
    for (const r of rows) {
      await checkPlan(r.planId);
      const v = serviceValues(r);
      const customer = await insertCustomer.get(r.customerName, r.email ?? null, r.phone ?? null, at, at);
      let serviceId: number;
      try {
        const service = await insertService.get(
          customer!.id, v.plan_id, v.username, v.password_enc, v.status, v.start_date, v.mac_address, v.static_ip, v.ipv6_prefix,
          v.delegated_ipv6_prefix, v.simultaneous_use, v.expires_at, at, at,
        );
        serviceId = service!.id;
      } catch (e) {
        constraintError(e, serviceConstraints);
      }
      first ??= serviceId;
      n++;
    }
    await insertAudit.run(at, actor.id, actor.ip ?? null, 'import', 'service', null, JSON.stringify({ services: n, firstServiceId: first }));
    return { customers: n, services: n, firstServiceId: first };
  });
}
