import type Database from 'better-sqlite3';

/**
 * Builds the auth log's per-subscriber indexes (auth_log_by_service, auth_log_by_username) in
 * batches, in key order. A login appends one auth_log row and touches nothing else; every few
 * seconds the accounting writer moves the new rows into these indexes, so a page of them is written
 * once per batch instead of once per login. Readers find the rows not yet moved by scanning the
 * log's tail above `upto` (src/db/logs.ts).
 */
/**
 * Index entries are grouped by `auth_log_id >> AUTH_LOG_BUCKET_SHIFT` (blocks of 262,144 rows): a
 * batch then writes only the newest bucket's pages, however long the log. Migration 0007 uses the
 * same shift.
 */
export const AUTH_LOG_BUCKET_SHIFT = 18;

export function authLogIndexer(c: Database.Database) {
  const ensure = c.prepare(`insert or ignore into auth_log_index_state (id, upto) values (1, 0)`);
  const state = c.prepare(`select upto from auth_log_index_state where id = 1`);
  const last = c.prepare(`select coalesce(max(id), 0) as id from auth_log`);
  const byService = c.prepare(`insert or ignore into auth_log_by_service (bucket, service_id, auth_log_id)
      select id >> ${AUTH_LOG_BUCKET_SHIFT}, service_id, id from auth_log where id > ? and id <= ? and service_id is not null order by 1, 2, 3`);
  const byUsername = c.prepare(`insert or ignore into auth_log_by_username (bucket, username, auth_log_id)
      select id >> ${AUTH_LOG_BUCKET_SHIFT}, username, id from auth_log where id > ? and id <= ? order by 1, 2, 3`);
  const advance = c.prepare(`update auth_log_index_state set upto = ? where id = 1`);
  const step = c.transaction((maxRows: number): number => {
    ensure.run();
    const from = (state.get() as { upto: number }).upto;
    const to = Math.min((last.get() as { id: number }).id, from + maxRows);
    if (to <= from) return 0;
    byService.run(from, to);
    byUsername.run(from, to);
    advance.run(to);
    return to - from;
  });
  return {
    /** Indexes up to `maxRows` rows not yet indexed; returns how many it did (0: up to date). */
    run(maxRows = 200_000): number {
      return step.immediate(maxRows);
    },
  };
}
