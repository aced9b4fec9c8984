/**
 * What the prepaid stores share: the transaction and audit record every one of them writes with,
 * and service_notices, the record that makes a notice or a cut-off happen once (the prepaid expiry
 * and the data-cap notices both keep it).
 */
import { auditWriter } from '../audit.js';
import type { Db } from '../client.js';

export function prepaidBase(db: Db) {
  const c = db.$client;
  return {
    /** One IMMEDIATE transaction on the shared connection: a call inside another store's is a savepoint of it. */
    transaction<T>(fn: () => T): T {
      return c.transaction(fn).immediate();
    },
    audit: auditWriter(db),
  };
}

export function serviceNotices(db: Db) {
  const c = db.$client;
  const noticeKeys = c.prepare(`select key from service_notices where service_id = ? and key like ? escape '\\'`);
  const markNotice = c.prepare(`insert into service_notices (service_id, key, at) values (?, ?, ?) on conflict do nothing`);
  const unmarkNotice = c.prepare(`delete from service_notices where service_id = ? and key = ?`);
  return {
    /** Keys done for a service that start with `prefix`. */
    noticeKeys: (serviceId: number, prefix: string) =>
      (noticeKeys.all(serviceId, `${prefix.replace(/[\\%_]/g, (m) => `\\${m}`)}%`) as { key: string }[]).map((r) => r.key),
    /** Records a notice or action as done; false when it was done already. */
    markNotice: (serviceId: number, key: string, at: string) => markNotice.run(serviceId, key, at).changes > 0,
    unmarkNotice: (serviceId: number, key: string) => void unmarkNotice.run(serviceId, key),
  };
}
