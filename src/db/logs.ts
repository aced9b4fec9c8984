import { and, desc, eq, getTableColumns, gt, isNull, isNotNull, lt, lte, min, sql, type SQL } from 'drizzle-orm';
import { sqlOf, type Db } from './client.js';
import { decodeCursor, encodeCursor, type Page } from './crud.js';
import { AUTH_LOG_BUCKET_SHIFT } from './auth-log-index.js';
import { writeBarrier } from './radius.js';
import { authLog, authLogByService, authLogByUsername, authLogIndexState, radiusSessions } from './schema/index.js';

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

/** Newest first: what support wants to see when a customer calls. */
export function sessionLog(db: Db) {
  return {
    async sessions(f: SessionFilter, limit = 50, cursor?: string): Promise<Page<SessionRow>> {
      await writeBarrier(sqlOf(db));
      const w: SQL[] = [];
      if (f.active === true) w.push(isNull(radiusSessions.stoppedAt));
      if (f.active === false) w.push(isNotNull(radiusSessions.stoppedAt));
      if (f.username !== undefined) w.push(eq(radiusSessions.username, f.username));
      if (f.serviceId !== undefined) w.push(eq(radiusSessions.serviceId, f.serviceId));
      if (f.nasId !== undefined) w.push(eq(radiusSessions.nasId, f.nasId));
      if (cursor) w.push(lt(radiusSessions.id, decodeCursor(cursor)));
      const rows = db.select().from(radiusSessions).where(and(...w)).orderBy(desc(radiusSessions.id)).limit(limit + 1).all();
      return page(rows, limit);
    },
    async authLog(f: AuthLogFilter, limit = 50, cursor?: string): Promise<Page<AuthLogRow>> {
      await writeBarrier(sqlOf(db));
      const w: SQL[] = [];
      if (f.username !== undefined) w.push(eq(authLog.username, f.username));
      if (f.serviceId !== undefined) w.push(eq(authLog.serviceId, f.serviceId));
      if (f.nasId !== undefined) w.push(eq(authLog.nasId, f.nasId));
      if (f.outcome !== undefined) w.push(eq(authLog.outcome, f.outcome));
      if (cursor) w.push(lt(authLog.id, decodeCursor(cursor)));
      if (f.serviceId === undefined && f.username === undefined) {
        const rows = db.select().from(authLog).where(and(...w)).orderBy(desc(authLog.id)).limit(limit + 1).all();
        return page(rows, limit);
      }
      // A subscriber's rows: the log's tail not yet in the per-subscriber indexes is scanned (a few
      // seconds of logins), the rest found through auth_log_by_service or auth_log_by_username.
      const upto = (db.select({ upto: authLogIndexState.upto }).from(authLogIndexState).get()?.upto) ?? 0;
      const rows = db.select().from(authLog).where(and(gt(authLog.id, upto), ...w)).orderBy(desc(authLog.id)).limit(limit + 1).all();
      if (rows.length <= limit) {
        // The index is keyed (bucket, subscriber, auth_log_id), a bucket being a block of 8,192 ids:
        // walk the buckets newest first, each a backwards walk of its (subscriber, id) range, until
        // the page is full. O(limit + buckets), however long the log: one prepared probe per bucket
        // (a million rows are 123 buckets).
        const x = f.serviceId !== undefined ? authLogByService : authLogByUsername;
        const key = f.serviceId !== undefined ? eq(authLogByService.serviceId, f.serviceId) : eq(authLogByUsername.username, f.username!);
        const below = Math.min(upto, cursor ? decodeCursor(cursor) - 1 : upto);
        const oldest = (db.select({ b: min(x.bucket) }).from(x).get()?.b) ?? 0;
        const probe = db
          .select(getTableColumns(authLog))
          .from(x)
          .innerJoin(authLog, eq(authLog.id, x.authLogId))
          .where(and(eq(x.bucket, sql.placeholder('bucket')), key, lte(x.authLogId, below), ...w))
          .orderBy(desc(x.authLogId))
          .limit(sql.placeholder('n'))
          .prepare();
        for (let bucket = Math.floor(below / 2 ** AUTH_LOG_BUCKET_SHIFT); bucket >= oldest && rows.length <= limit; bucket--) {
          rows.push(...probe.all({ bucket, n: limit + 1 - rows.length }));
        }
      }
      return page(rows, limit);
    },
  };
}
