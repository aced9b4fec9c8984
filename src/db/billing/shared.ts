/**
 * What the billing stores share: row helpers, and the part every store offers (its transaction, the
 * audit record, the customer check), so a service handed only one store can still do a whole change.
 */
import type { Db } from '../client.js';
import type { Actor } from '../crud.js';
import { auditWriter } from '../audit.js';
import { Conditions } from '../conditions.js';

export type Row = Record<string, unknown>;

/** SQLite stores booleans as 0/1; rows built in memory may already hold true/false. */
export const bool = (v: unknown): boolean => v === 1 || v === true;

/** A list of ids as one parameter, for `in (select value from json_each(?))`. */
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

export function billingBase(db: Db) {
  const c = db.$client;
  const audit = auditWriter(db);
  const customerExists = c.prepare(`select 1 from customers where id = ?`);
  return {
    /**
     * Runs `fn` in one IMMEDIATE transaction (the write lock is taken up front, so no upgrade deadlock).
     * Every store runs it on the same connection, so a change that writes through several stores is
     * one transaction whichever store opens it; a call inside an open one is a savepoint of it.
     */
    transaction<T>(fn: () => T): T {
      return c.transaction(fn).immediate();
    },
    audit(actor: Actor, at: string, action: string, entity: string, entityId: number | string, after: unknown): void {
      audit(actor, at, action, entity, entityId, undefined, after);
    },
    customerExists(id: number): boolean {
      return customerExists.get(id) !== undefined;
    },
  };
}
