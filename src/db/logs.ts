import { Conditions } from './conditions.js';
import { TableShape } from './crud.js';
import { decodeCursor, encodeCursor, type Page } from './paging.js';
import { AUTH_LOG_BUCKET_SHIFT } from './auth-log-index.js';
import { authLog, radiusSessions } from './schema/index.js';
import type { SqlClient } from './sql.js';

export type SessionRow = typeof radiusSessions.$inferSelect;
export type AuthLogRow = typeof authLog.$inferSelect;

export interface SessionFilter {
  active?: boolean | undefined;
  username?: string | undefined;
  serviceId?: number | undefined;
  nasId?: number | undefined;
}

export interface AuthLogFilter {
  username?: string | undefined;
  serviceId?: number | undefined;
  nasId?: number | undefined;
  outcome?: 'accept' | 'reject' | undefined;
}

function page<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const more = rows.length > limit;
  const items = rows.slice(0, limit);
  return { items, next: more ? encodeCursor(items[items.length - 1]!.id) : null };
}

export type SessionLog = ReturnType<typeof sessionLog>;

/**
 * Newest first: what support wants to see when a customer calls. `barrier` resolves once what the
 * accounting writer has queued is committed, so a list shows the request just answered.
 */
export function sessionLog(sql: SqlClient, barrier: () => Promise<void> = async () => {}) {
  const sessionColumns = new TableShape(radiusSessions).selectList();
  const authShape = new TableShape(authLog);
  const authColumns = authShape.selectList();
  const authColumnsOfA = authShape.selectList('a');
  const upto = sql.prepare<{ upto: number }>(`select upto from auth_log_index_state`);
  const oldestBucket = {
    service: sql.prepare<{ b: number | null }>(`select min(bucket) as "b" from auth_log_by_service`),
    username: sql.prepare<{ b: number | null }>(`select min(bucket) as "b" from auth_log_by_username`),
  };
  return {
    async sessions(f: SessionFilter, limit = 50, cursor?: string): Promise<Page<SessionRow>> {
      await barrier();
      const w = new Conditions()
        .when(f.username, 'username = ?')
        .when(f.serviceId, 'service_id = ?')
        .when(f.nasId, 'nas_id = ?');
      if (f.active === true) w.add('stopped_at is null');
      if (f.active === false) w.add('stopped_at is not null');
      if (cursor) w.add('id < ?', decodeCursor(cursor));
      const rows = await sql.all<SessionRow>(`select ${sessionColumns} from radius_sessions ${w.sql} order by id desc limit ?`, ...w.args, limit + 1);
      return page(rows, limit);
    },
    async authLog(f: AuthLogFilter, limit = 50, cursor?: string): Promise<Page<AuthLogRow>> {
      await barrier();
      // The filters, on auth_log's columns under the alias `a`.
      const filters = (w: Conditions) => w
        .when(f.username, 'a.username = ?')
        .when(f.serviceId, 'a.service_id = ?')
        .when(f.nasId, 'a.nas_id = ?')
        .when(f.outcome, 'a.outcome = ?');
      if (f.serviceId === undefined && f.username === undefined) {
        const w = filters(new Conditions());
        if (cursor) w.add('a.id < ?', decodeCursor(cursor));
        const rows = await sql.all<AuthLogRow>(`select ${authColumns} from auth_log a ${w.sql} order by a.id desc limit ?`, ...w.args, limit + 1);
        return page(rows, limit);
      }
      // A subscriber's rows: the log's tail not yet in the per-subscriber indexes is scanned (a few
      // seconds of logins), the rest found through auth_log_by_service or auth_log_by_username.
      const indexed = (await upto.get())?.upto ?? 0;
      const tail = filters(new Conditions()).add('a.id > ?', indexed);
      if (cursor) tail.add('a.id < ?', decodeCursor(cursor));
      const rows = await sql.all<AuthLogRow>(`select ${authColumns} from auth_log a ${tail.sql} order by a.id desc limit ?`, ...tail.args, limit + 1);
      if (rows.length <= limit) {
        // The index is keyed (bucket, subscriber, auth_log_id), a bucket being a block of 8,192 ids:
        // walk the buckets newest first, each a backwards walk of its (subscriber, id) range, until
        // the page is full. O(limit + buckets), however long the log: one prepared probe per bucket
        // (a million rows are 123 buckets).
        const byService = f.serviceId !== undefined;
        const below = Math.min(indexed, cursor ? decodeCursor(cursor) - 1 : indexed);
        const oldest = (await (byService ? oldestBucket.service : oldestBucket.username).get())?.b ?? 0;
        const w = new Conditions().add('x.bucket = ?', 0).add(byService ? 'x.service_id = ?' : 'x.username = ?', byService ? f.serviceId! : f.username!).add('x.auth_log_id <= ?', below);
        filters(w);
        const probe = sql.prepare<AuthLogRow>(`select ${authColumnsOfA} from ${byService ? 'auth_log_by_service' : 'auth_log_by_username'} x
          join auth_log a on a.id = x.auth_log_id ${w.sql} order by x.auth_log_id desc limit ?`);
        const args = w.args.slice(1);
        for (let bucket = Math.floor(below / 2 ** AUTH_LOG_BUCKET_SHIFT); bucket >= oldest && rows.length <= limit; bucket--) {
          rows.push(...(await probe.all(bucket, ...args, limit + 1 - rows.length)));
        }
      }
      return page(rows, limit);
    },
  };
}
