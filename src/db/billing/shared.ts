/**
 * What the billing stores share: row helpers, and the part every store offers (its transaction, the
 * audit record, the customer check), so a service handed only one store can still do a whole change.
 */
import type { Actor } from '../crud.js';
import { auditRecorder } from '../audit.js';
import { Conditions } from '../conditions.js';
import type { SqlClient } from '../sql.js';

export type Row = Record<string, unknown>;

/** SQLite returns booleans as 0/1, PostgreSQL as true/false; rows built in memory may hold either. */
export const bool = (v: unknown): boolean => v === 1 || v === true;

/** A list of ids as one parameter, for `in (${dialectSql(…).idList})`. */
export const ids = (list: readonly number[]): string => JSON.stringify(list);

export interface PeriodFilter {
  customerId?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** A customer and a date range, the filters every billing list and export takes. */
export function periodWhere(dateCol: string, customerCol: string, f: PeriodFilter): Conditions {
  return new Conditions().when(f.customerId, `${customerCol} = ?`).when(f.from, `${dateCol} >= ?`).when(f.to, `${dateCol} <= ?`);
}

export type BillingBase = ReturnType<typeof billingBase>;

export function billingBase(sql: SqlClient) {
  const audit = auditRecorder(sql);
  const customerExists = sql.prepare(`select 1 as found from customers where id = ?`);
  return {
    /**
     * Runs `fn` as one serialized write transaction (SqlClient.transaction). Every store's calls in it
     * join it through the async context, so a change that writes through several stores is one
     * transaction whichever store opens it; a call inside an open one is a savepoint of it.
     */
    transaction<T>(fn: () => Promise<T>): Promise<T> {
      return sql.transaction(fn);
    },
    async audit(actor: Actor, at: string, action: string, entity: string, entityId: number | string, after: unknown): Promise<void> {
      await audit(actor, at, action, entity, entityId, undefined, after);
    },
    async customerExists(id: number): Promise<boolean> {
      return (await customerExists.get(id)) !== undefined;
    },
  };
}
