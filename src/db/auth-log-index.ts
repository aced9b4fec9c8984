import type Database from 'better-sqlite3';

/**
 * Builds the auth log's per-subscriber indexes (auth_log_by_service, auth_log_by_username) in
 * batches, in key order. A login appends one auth_log row and touches nothing else; several times a
 * second the accounting writer moves the new rows into these indexes, so a page of them is written
 * once per batch instead of once per login. Readers find the rows not yet moved by scanning the
 * log's tail above `upto` (src/db/logs.ts).
 */
/**
 * Index entries are grouped by `auth_log_id >> AUTH_LOG_BUCKET_SHIFT` (blocks of 8,192 rows): a
 * batch then writes only the pages of the newest bucket or two, however long the log. A batch
 * writes about every page of the buckets it touches, so the buckets are kept small enough for
 * batches of AUTH_LOG_INDEX_CHUNK rows to cost no more per row than big ones (migration 0008, which
 * uses the same shift, has the figures).
 */
export const AUTH_LOG_BUCKET_SHIFT = 13;

/** Rows per indexer batch: a few milliseconds of work, so that the RADIUS core is never held for long. */
export const AUTH_LOG_INDEX_CHUNK = 2048;

/** Rows per piece of a batch run with pauses: under a millisecond of work. */
const AUTH_LOG_INDEX_PIECE = 512;

export function authLogIndexer(c: Database.Database) {
  const ensure = c.prepare(`insert or ignore into auth_log_index_state (id, upto) values (1, 0)`);
  const state = c.prepare(`select upto from auth_log_index_state where id = 1`);
  const last = c.prepare(`select coalesce(max(id), 0) as id from auth_log`);
  const byService = c.prepare(`insert or ignore into auth_log_by_service (bucket, service_id, auth_log_id)
      select id >> ${AUTH_LOG_BUCKET_SHIFT}, service_id, id from auth_log where id > ? and id <= ? and service_id is not null order by 1, 2, 3`);
  const byUsername = c.prepare(`insert or ignore into auth_log_by_username (bucket, username, auth_log_id)
      select id >> ${AUTH_LOG_BUCKET_SHIFT}, username, id from auth_log where id > ? and id <= ? order by 1, 2, 3`);
  const advance = c.prepare(`update auth_log_index_state set upto = ? where id = 1`);
  const step = c.transaction((maxRows: number, piece: number, pause: (() => void) | undefined): number => {
    ensure.run();
    const from = (state.get() as { upto: number }).upto;
    const to = Math.min((last.get() as { id: number }).id, from + maxRows);
    if (to <= from) return 0;
    // In pieces within the one transaction: a page changed by several pieces is still written once.
    for (let a = from; a < to; a += piece) {
      if (a > from) pause?.();
      const b = Math.min(to, a + piece);
      byService.run(a, b);
      byUsername.run(a, b);
    }
    advance.run(to);
    return to - from;
  });
  return {
    /**
     * Indexes up to `maxRows` rows not yet indexed; returns how many it did (0: up to date). With
     * `pause`, the rows go in pieces of AUTH_LOG_INDEX_PIECE rows with a call to `pause` between
     * two pieces.
     */
    run(maxRows = 200_000, opts: { pause?: () => void } = {}): number {
      // Up to date (a quiet network, most of the time): no write transaction at all.
      const done = state.get() as { upto: number } | undefined;
      if (done !== undefined && (last.get() as { id: number }).id <= done.upto) return 0;
      return step.immediate(maxRows, opts.pause ? AUTH_LOG_INDEX_PIECE : maxRows, opts.pause);
    },
  };
}
