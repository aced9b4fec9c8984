// The login cap checker on both backends: `load` reads the period's usage and top-ups through the
// SqlClient (nothing for a plan without a cap), `check` answers the same synchronously on SQLite, and
// a checker without the synchronous reads refuses `check` rather than guess.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoginCapChecker, loginCapChecker, loginCapCheckerOf, type CapServiceFacts } from '../../../src/aaa/caps.js';
import type { SqlClient } from '../../../src/db/sql.js';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';

describe.each(backendNames)('login cap checker on %s', (name) => {
  let backend: TestBackend;
  let sql: SqlClient;
  beforeEach(async () => {
    backend = await openTestBackend(name);
    sql = backend.sql;
  });
  afterEach(async () => backend.close());

  async function service(dataCapBytes: number | null): Promise<CapServiceFacts> {
    const planId = (await sql.get<{ id: number }>(`insert into plans (name, type, price, billing_period_months, download_kbps, upload_kbps, data_cap_bytes, cap_action)
      values (?, 'recurring', 1000, 1, 20000, 5000, ?, ?) returning id`, `p${dataCapBytes}`, dataCapBytes, dataCapBytes === null ? null : 'block'))!.id;
    const customerId = (await sql.get<{ id: number }>(`insert into customers (name) values ('c') returning id`))!.id;
    const id = (await sql.get<{ id: number }>(`insert into services (customer_id, plan_id, username, password_enc, status, start_date) values (?, ?, ?, 'x', 'active', '2026-03-05') returning id`,
      customerId, planId, `u${dataCapBytes}`))!.id;
    return { id, planId, startDate: '2026-03-05', billingDay: 'anniversary', periodMonths: 1, dataCapBytes, capAction: dataCapBytes === null ? null : 'block', throttleDownloadKbps: null, throttleUploadKbps: null };
  }

  it('loads the period of the date: its usage and top-ups, and the plan tiers once', async () => {
    const checker = loginCapCheckerOf(sql);
    const capped = await service(1000);
    const open = await service(null);
    expect(await checker.load(open, '2026-03-20')).toBeUndefined();
    await sql.run(`insert into usage_daily (service_id, day, input_octets, output_octets) values (?, '2026-03-04', 7, 0), (?, '2026-03-05', 100, 20), (?, '2026-04-04', 5, 5), (?, '2026-04-05', 9, 0)`,
      capped.id, capped.id, capped.id, capped.id);
    await sql.run(`insert into data_topups (service_id, period_start, bytes, created_at, created_by) values (?, '2026-03-05', 300, 'x', 'x')`, capped.id);
    expect(await checker.load(capped, '2026-03-20')).toEqual({ policy: { tiers: [], blockAtBytes: 1000 }, usedBytes: 130, extraBytes: 300 });
    // Tiers added after the first load stay unseen until clear(): a plan change announces itself.
    await sql.run(`insert into plan_cap_tiers (plan_id, position, from_bytes, download_kbps, upload_kbps) values (?, 1, 500, 1000, 500)`, capped.planId);
    expect((await checker.load(capped, '2026-03-20'))!.policy.tiers).toEqual([]);
    checker.clear();
    expect((await checker.load(capped, '2026-03-20'))!.policy.tiers).toEqual([{ fromBytes: 500, downloadKbps: 1000, uploadKbps: 500 }]);
    if (name === 'sqlite') {
      const sync = loginCapChecker(backend.db!);
      expect(sync.check(capped, '2026-03-20')).toEqual(await sync.load(capped, '2026-03-20'));
      expect(sync.check(open, '2026-03-20')).toBeUndefined();
    }
    // Without the synchronous reads (PostgreSQL's client), check answers with the promise of load.
    const answer = checker.check(capped, '2026-03-20');
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toEqual(await checker.load(capped, '2026-03-20'));
    expect(checker).toBeInstanceOf(LoginCapChecker);
  });
});
