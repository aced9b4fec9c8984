import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/client.js';
import { migrate } from '../../../src/db/migrate.js';
import { authLogIndexer } from '../../../src/db/auth-log-index.js';
import { AccountingWriter, pushAuthLog, type AuthLogRecord, type AuthLogRows } from '../../../src/db/radius.js';
import { tempDir } from '../../helpers/daemon.js';

// The writer inserts auth-log rows many per statement, then the remainder one by one: every row
// must land once, in order, with its own values, whatever the batch size.

function record(i: number): AuthLogRecord {
  return {
    at: Date.UTC(2026, 10, 24, 12) + i * 1000,
    nasId: i % 3 === 0 ? null : i % 3,
    serviceId: i % 5 === 0 ? null : i,
    username: `user${i}`,
    outcome: i % 4 === 0 ? 'reject' : 'accept',
    reason: i % 4 === 0 ? `reason ${i}` : null,
    method: i % 2 === 0 ? 'pap' : 'mschapv2',
    callingStationId: i % 7 === 0 ? null : `AA:BB:CC:00:00:${String(i % 100).padStart(2, '0')}`,
  };
}

describe('auth-log batch insert', () => {
  it.each([0, 1, 31, 32, 33, 64, 100, 1000])('stores %i rows exactly, in order', async (n) => {
    const db = openDatabase({ path: join(tempDir(), `insert-${n}.db`) });
    await migrate(db.$client);
    const writer = new AccountingWriter(db);
    const rows: AuthLogRows = [];
    for (let i = 1; i <= n; i++) pushAuthLog(rows, record(i));
    writer.commit([], rows);
    const stored = db.$client
      .prepare(`select at, nas_id as nasId, service_id as serviceId, username, outcome, reason, method, calling_station_id as callingStationId
        from auth_log order by id`)
      .all();
    expect(stored).toEqual(Array.from({ length: n }, (_, k) => {
      const r = record(k + 1);
      return { ...r, at: new Date(r.at).toISOString() };
    }));
    db.$client.close();
  });

  it('pauses between pieces of a long commit and of an index batch, inside their transactions', async () => {
    // The writer thread's pause (a sleep that lets a shared core answer RADIUS) must come between
    // pieces, never lose or split a row, and leave the work in one transaction.
    const db = openDatabase({ path: join(tempDir(), 'insert-pause.db') });
    await migrate(db.$client);
    let inTransaction = 0;
    let pauses = 0;
    const pause = () => {
      pauses++;
      if (db.$client.inTransaction) inTransaction++;
    };
    const writer = new AccountingWriter(db, undefined, { pause });
    const rows: AuthLogRows = [];
    for (let i = 1; i <= 2000; i++) pushAuthLog(rows, record(i));
    writer.commit([], rows);
    // 2,000 rows: 62 statements of 32 rows and 16 single rows, a pause after every 256 rows.
    expect(pauses).toBe(7);
    expect(db.$client.prepare('select count(*) as n, min(username) as lo from auth_log').get()).toEqual({ n: 2000, lo: 'user1' });
    pauses = 0;
    expect(authLogIndexer(db.$client).run(2048, { pause })).toBe(2000);
    expect(pauses).toBe(3);
    expect(inTransaction).toBe(10);
    expect(db.$client.prepare('select count(*) as n from auth_log_by_username').get()).toEqual({ n: 2000 });
    expect(db.$client.prepare('select count(*) as n from auth_log_by_service').get()).toEqual({ n: 1600 });
    db.$client.close();
  });
});
