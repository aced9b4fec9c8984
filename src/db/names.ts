/**
 * Who a row of a list belongs to, by name: the lists keep their own queries (and their indexes), and
 * the page's customer and service ids are resolved afterwards in one query each, by primary key. A
 * page is at most 500 rows, so this costs one indexed lookup per page, whatever the list's filter.
 */
import { dialectSql } from './dialect.js';
import type { SqlClient } from './sql.js';

export interface Owner {
  customerId: number;
  customerName: string;
}

export type NameLookup = ReturnType<typeof nameLookup>;

export function nameLookup(sql: SqlClient) {
  const d = dialectSql(sql.dialect);
  const customers = sql.prepare<{ id: number; name: string }>(`select id, name from customers where id in (${d.idList})`);
  const services = sql.prepare<{ id: number; customerId: number; customerName: string }>(
    `select s.id, s.customer_id as "customerId", c.name as "customerName" from services s join customers c on c.id = s.customer_id where s.id in (${d.idList})`,
  );
  const subscribers = sql.prepare<{ planId: number; n: number }>(
    `select plan_id as "planId", count(*) as "n" from services where status = 'active' and plan_id in (${d.idList}) group by plan_id`,
  );
  const unique = (ids: readonly (number | null | undefined)[]) => [...new Set(ids.filter((i): i is number => typeof i === 'number'))];
  return {
    /** Customer names by id; a deleted customer is absent. */
    async customers(ids: readonly (number | null | undefined)[]): Promise<Map<number, string>> {
      const list = unique(ids);
      if (list.length === 0) return new Map();
      return new Map((await customers.all(JSON.stringify(list))).map((r) => [r.id, r.name]));
    },
    /** Active services per plan (a plan without any is absent). */
    async activeSubscribers(planIds: readonly number[]): Promise<Map<number, number>> {
      const list = unique(planIds);
      if (list.length === 0) return new Map();
      return new Map((await subscribers.all(JSON.stringify(list))).map((r) => [r.planId, Number(r.n)]));
    },
    /** The customer each service belongs to; a deleted service is absent. */
    async services(ids: readonly (number | null | undefined)[]): Promise<Map<number, Owner>> {
      const list = unique(ids);
      if (list.length === 0) return new Map();
      return new Map((await services.all(JSON.stringify(list))).map((r) => [r.id, { customerId: r.customerId, customerName: r.customerName }]));
    },
  };
}
