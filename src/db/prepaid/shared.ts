/**
 * What the prepaid stores share: the transaction and audit record every one of them writes with,
 * and service_notices, the record that makes a notice or a cut-off happen once (the prepaid expiry
 * and the data-cap notices both keep it).
 */
import { auditRecorder } from '../audit.js';
import type { SqlClient } from '../sql.js';

export function prepaidBase(sql: SqlClient) {
  return {
    /** One write transaction on the client: a call inside another store's (or a service's) is a savepoint of it. */
    transaction<T>(fn: () => Promise<T>): Promise<T> {
      return sql.transaction(fn);
    },
    audit: auditRecorder(sql),
  };
}

export function serviceNotices(sql: SqlClient) {
  const noticeKeys = sql.prepare<{ key: string }>(`select key from service_notices where service_id = ? and key like ? escape '\\'`);
  const markNotice = sql.prepare(`insert into service_notices (service_id, key, at) values (?, ?, ?) on conflict (service_id, key) do nothing`);
  const unmarkNotice = sql.prepare(`delete from service_notices where service_id = ? and key = ?`);
  return {
    /** Keys done for a service that start with `prefix`. */
    noticeKeys: async (serviceId: number, prefix: string): Promise<string[]> =>
      (await noticeKeys.all(serviceId, `${prefix.replace(/[\\%_]/g, (m) => `\\${m}`)}%`)).map((r) => r.key),
    /** Records a notice or action as done; false when it was done already. */
    markNotice: async (serviceId: number, key: string, at: string): Promise<boolean> => (await markNotice.run(serviceId, key, at)).changes > 0,
    unmarkNotice: async (serviceId: number, key: string): Promise<void> => void (await unmarkNotice.run(serviceId, key)),
  };
}
