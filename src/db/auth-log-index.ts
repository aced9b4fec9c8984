import type Database from 'better-sqlite3';
import type { SqlClient } from './sql.js';

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

/**
 * The same batches through SqlClient, on either backend: for the PostgreSQL accounting writer (the
 * SQLite writer thread keeps the synchronous indexer above, with its pauses).
 *
 * On PostgreSQL a row's id is drawn when it is inserted and becomes visible when its transaction
 * commits, so a row can appear below the mark after the mark has passed it (several nodes writing
 * the log, each in its own transactions). A batch therefore stops at rows younger than `before`:
 * a transaction commits well within that margin, so every id below the mark is visible by then.
 * Rows above the mark are found by the readers' scan of the log's tail, as on SQLite.
 */
export function authLogIndexerSql(sql: SqlClient) {
  const ensure = sql.prepare(`insert into auth_log_index_state (id, upto) values (1, 0) on conflict (id) do nothing`);
  const state = sql.prepare<{ upto: number }>(`select upto from auth_log_index_state where id = 1`);
  const settled = sql.prepare<{ id: number }>(`select coalesce(max(id), 0) as "id" from
      (select id, at from auth_log where id > ? order by id limit ?) t where at < ?`);
  const byService = sql.prepare(`insert into auth_log_by_service (bucket, service_id, auth_log_id)
      select id >> ${AUTH_LOG_BUCKET_SHIFT}, service_id, id from auth_log where id > ? and id <= ? and service_id is not null order by 1, 2, 3
      on conflict do nothing`);
  const byUsername = sql.prepare(`insert into auth_log_by_username (bucket, username, auth_log_id)
      select id >> ${AUTH_LOG_BUCKET_SHIFT}, username, id from auth_log where id > ? and id <= ? order by 1, 2, 3
      on conflict do nothing`);
  // Never backwards: two nodes may index at once (their inserts skip each other's rows).
  const advance = sql.prepare(`update auth_log_index_state set upto = ? where id = 1 and upto < ?`);
  return {
    /** Indexes up to `maxRows` rows older than `before` (ISO instant); returns how many (0: up to date). */
    async run(maxRows: number, before: string): Promise<number> {
      await ensure.run();
      const from = (await state.get())?.upto ?? 0;
      const to = (await settled.get(from, maxRows, before))?.id ?? 0;
      if (to <= from) return 0;
      // Not the shared write lock: these inserts are derived data and skip what is there.
      await sql.transaction(async () => {
        await byService.run(from, to);
        await byUsername.run(from, to);
        await advance.run(to, to);
      }, { serialized: false });
      return to - from;
    },
  };
}
