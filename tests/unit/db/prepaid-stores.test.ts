// The prepaid stores' statements on both backends: top-ups and the expiry scans, voucher batches and
// the one-time redemption (also raced over two connections on PostgreSQL), data caps and their
// state, and the service notices that make a notice happen once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capStore, topupStore, voucherStore } from '../../../src/db/prepaid.js';
import { ConstraintViolation, openPostgres, type SqlClient } from '../../../src/db/sql.js';
import { backendNames, openTestBackend, postgresReady, type TestBackend } from '../../helpers/backends.js';

const AT = '2026-03-01T10:00:00.000Z';
const DAY = 86_400_000;

async function plan(sql: SqlClient, fields: { type?: string; validityDays?: number | null; dataCapBytes?: number | null; noticeDays?: string | null } = {}): Promise<number> {
  const r = await sql.get<{ id: number }>(`insert into plans (name, type, price, billing_period_months, validity_days, tax_rate_bp, tax_inclusive, download_kbps, upload_kbps,
      data_cap_bytes, cap_action, prepaid_notice_days) values (?, ?, 500, ?, ?, 2200, ?, 4000, 1000, ?, ?, ?) returning id`,
    `plan ${Math.random()}`, fields.type ?? 'prepaid', fields.type === 'recurring' ? 1 : null, fields.validityDays === undefined ? (fields.type === 'recurring' ? null : 30) : fields.validityDays,
    true, fields.dataCapBytes ?? null, fields.dataCapBytes == null ? null : 'block', fields.noticeDays ?? null);
  return r!.id;
}

describe.each(backendNames)('prepaid stores on %s', (name) => {
  let backend: TestBackend;
  let sql: SqlClient;
  beforeEach(async () => {
    backend = await openTestBackend(name);
    sql = backend.sql;
  });
  afterEach(async () => backend.close());

  async function service(planId: number, username: string, expiresAt: string | null = null) {
    const v = voucherStore(sql);
    const customerId = await v.insertCustomer(`c ${username}`, '', AT);
    const id = await v.insertService(customerId, planId, username, 'sealed', '2026-03-01', AT);
    if (expiresAt !== null) await topupStore(sql).setExpiry(id, expiresAt, AT);
    return { id, customerId };
  }

  it('top-ups: the service facts, expiry, activation and the receipt rows', async () => {
    const t = topupStore(sql);
    const p = await plan(sql);
    const { id, customerId } = await service(p, 'pp1');
    expect(await t.topupService(id)).toMatchObject({ id, customerId, username: 'pp1', status: 'active', expiresAt: null, planId: p, planType: 'prepaid', validityDays: 30, price: 500, taxRateBp: 2200, taxInclusive: true });
    expect(await t.topupService(id + 1000)).toBeUndefined();
    expect(await t.activateProposal(id, AT)).toBe(false);
    await sql.run(`update services set status = 'proposal' where id = ?`, id);
    expect(await t.activateProposal(id, AT)).toBe(true);
    await t.setExpiry(id, '2026-03-31T10:00:00.000Z', AT);
    expect((await t.topupService(id))!.expiresAt).toBe('2026-03-31T10:00:00.000Z');
    const row = await t.insertTopup({ serviceId: id, source: 'admin', days: 30, previousExpiresAt: null, expiresAt: '2026-03-31T10:00:00.000Z', paymentId: null, invoiceId: null, voucherId: null, at: AT, actor: 'test' });
    expect(row).toMatchObject({ serviceId: id, source: 'admin', days: 30, previousExpiresAt: null, expiresAt: '2026-03-31T10:00:00.000Z', at: AT, actor: 'test' });
    expect(await t.topupsOf(id)).toEqual([row]);
    await expect(t.insertTopup({ ...row, source: 'gift' as 'admin' })).rejects.toBeInstanceOf(ConstraintViolation);
  });

  it('expiry: the services past their expiry once each, and the notice windows open and not done', async () => {
    const t = topupStore(sql);
    const now = Date.parse('2026-04-01T00:00:00.000Z');
    const iso = (ms: number) => new Date(ms).toISOString();
    const own = await plan(sql, { noticeDays: '2' });
    const global = await plan(sql);
    const none = await plan(sql, { noticeDays: '' });
    const bad = await plan(sql, { noticeDays: 'soon' });
    const past = await service(global, 'past', iso(now - 1000));
    const in5 = await service(global, 'in5', iso(now + 5 * DAY));
    const in3own = await service(own, 'in3own', iso(now + 3 * DAY));
    const in1own = await service(own, 'in1own', iso(now + 1 * DAY));
    await service(none, 'in1none', iso(now + 1 * DAY));
    await service(bad, 'in1bad', iso(now + 1 * DAY));
    await service(global, 'in9', iso(now + 9 * DAY));
    expect((await t.expired(iso(now))).map((r) => r.id)).toEqual([past.id]);
    expect(await t.markNotice(past.id, `prepaid.expired:${iso(now - 1000)}`, iso(now))).toBe(true);
    expect(await t.expired(iso(now))).toEqual([]);

    const due = async () => (await t.expiring(iso(now), '7,3,1')).map((r) => [r.id, r.noticeDays]);
    expect(await due()).toEqual([[in1own.id, '2'], [in5.id, '7,3,1']]);
    expect(in3own.id).toBeGreaterThan(0);
    await t.markNotice(in5.id, `prepaid.expiring:${iso(now + 5 * DAY)}:7`, iso(now));
    expect(await due()).toEqual([[in1own.id, '2']]);
    // Another expiry's key is not this one's.
    await t.markNotice(in1own.id, `prepaid.expiring:${iso(now)}:2`, iso(now));
    expect(await due()).toEqual([[in1own.id, '2']]);
    await t.markNotice(in1own.id, `prepaid.expiring:${iso(now + DAY)}:2`, iso(now));
    expect(await due()).toEqual([]);
    // The longest window a plan sets reaches past the global one's.
    const month = await plan(sql, { noticeDays: '30' });
    const in20 = await service(month, 'in20', iso(now + 20 * DAY));
    expect(await due()).toEqual([[in20.id, '30']]);
    expect((await t.expiring(iso(now), '')).map((r) => r.id)).toEqual([in20.id]);
    await sql.run(`update plans set prepaid_notice_days = null where id = ?`, month);
    expect(await t.expiring(iso(now), '')).toEqual([]);
  });

  it('service notices: once each, by prefix (a literal one), and undone', async () => {
    const t = topupStore(sql);
    const { id } = await service(await plan(sql), 'n1');
    expect(await t.markNotice(id, 'cap.80:2026-03-01', AT)).toBe(true);
    expect(await t.markNotice(id, 'cap.80:2026-03-01', AT)).toBe(false);
    await t.markNotice(id, 'cap_80:x', AT);
    expect(await t.noticeKeys(id, 'cap.')).toEqual(['cap.80:2026-03-01']);
    await t.unmarkNotice(id, 'cap.80:2026-03-01');
    expect(await t.noticeKeys(id, 'cap.')).toEqual([]);
    await expect(t.markNotice(id + 1000, 'x', AT)).rejects.toMatchObject({ kind: 'foreign_key' });
  });

  it('vouchers: batches, unique codes, the lookup and one redemption', async () => {
    const v = voucherStore(sql);
    const p = await plan(sql);
    expect(await v.plan(p)).toMatchObject({ id: p, type: 'prepaid', validityDays: 30, price: 500 });
    const batch = await v.insertBatch({ name: 'b', planId: p, count: 2, codeLength: 10, price: 500, validUntil: '2026-12-31', createdAt: AT, createdBy: 'test' });
    expect(batch).toMatchObject({ name: 'b', planId: p, count: 2, codeLength: 10, price: 500, validUntil: '2026-12-31', createdAt: AT, createdBy: 'test' });
    expect(await v.batch(batch.id)).toEqual(batch);
    expect(await v.insertVouchers(batch.id, ['AAAABBBBCC', 'AAAABBBBDD'])).toEqual([]);
    const second = await v.insertBatch({ name: 'b2', planId: p, count: 3, codeLength: 10, price: 500, validUntil: null, createdAt: AT, createdBy: 'test' });
    expect(await v.insertVouchers(second.id, ['CCCCDDDDEE', 'AAAABBBBCC', 'CCCCDDDDFF'])).toEqual(['AAAABBBBCC']);
    const many = Array.from({ length: 4500 }, (_, i) => `M${String(i).padStart(9, '0')}`);
    expect(await v.insertVouchers(second.id, [...many, 'AAAABBBBDD'])).toEqual(['AAAABBBBDD']);
    expect((await v.vouchersOf(second.id)).map((r) => r.code)).toEqual(['CCCCDDDDEE', 'CCCCDDDDFF', ...many]);
    expect(await v.insertVouchers(second.id, [])).toEqual([]);
    const found = (await v.voucherByCode('AAAABBBBCC'))!;
    expect(found).toMatchObject({ batchId: batch.id, code: 'AAAABBBBCC', redeemedAt: null, serviceId: null, planId: p, price: 500, validUntil: '2026-12-31' });
    expect(await v.usernameTaken('AAAABBBBCC')).toBe(false);
    const customerId = await v.insertCustomer('Walk-in', 'by voucher', AT);
    expect(await v.customerExists(customerId)).toBe(true);
    expect(await v.customerExists(customerId + 1000)).toBe(false);
    const serviceId = await v.insertService(customerId, p, 'AAAABBBBCC', 'sealed', '2026-03-01', AT);
    expect(await v.usernameTaken('AAAABBBBCC')).toBe(true);
    await expect(v.insertService(customerId, p, 'AAAABBBBCC', 'sealed', '2026-03-01', AT)).rejects.toMatchObject({ kind: 'unique' });
    expect(await v.redeem(found.id, AT, serviceId, 'test')).toBe(true);
    expect(await v.redeem(found.id, AT, serviceId, 'test')).toBe(false);
    expect(await v.vouchersOf(batch.id)).toMatchObject([{ code: 'AAAABBBBCC', redeemedAt: AT, serviceId, redeemedBy: 'test' }, { code: 'AAAABBBBDD', redeemedAt: null }]);
    expect(await v.batches(0, 10)).toEqual([{ ...batch, redeemed: 1 }, { ...second, redeemed: 0 }]);
    expect(await v.batches(batch.id, 10)).toEqual([{ ...second, redeemed: 0 }]);
    await expect(v.insertBatch({ name: 'x', planId: p + 1000, count: 1, codeLength: 10, price: 0, validUntil: null, createdAt: AT, createdBy: 't' })).rejects.toMatchObject({ kind: 'foreign_key' });
  });

  it('caps: tiers replaced, usage and top-ups of a period, the state upserted', async () => {
    const c = capStore(sql);
    const capped = await plan(sql, { type: 'recurring', dataCapBytes: 1000 });
    const tiered = await plan(sql, { type: 'recurring' });
    await plan(sql, { type: 'recurring' });
    const { id, customerId } = await service(capped, 'cap1');
    expect(await c.capService(id)).toMatchObject({ id, customerId, username: 'cap1', planId: capped, dataCapBytes: 1000, capAction: 'block', periodMonths: 1, billingDay: 'anniversary', downloadKbps: 4000 });
    expect(await c.planExists(tiered)).toBe(true);
    expect(await c.planExists(tiered + 1000)).toBe(false);
    await c.replaceTiers(tiered, [{ fromBytes: 100, downloadKbps: 1000, uploadKbps: 500 }, { fromBytes: 200, downloadKbps: 500, uploadKbps: 250 }]);
    await c.replaceTiers(tiered, [{ fromBytes: 300, downloadKbps: 900, uploadKbps: 400 }]);
    expect(await c.tiersOf(tiered)).toEqual([{ fromBytes: 300, downloadKbps: 900, uploadKbps: 400 }]);
    expect((await c.cappedPlanIds()).sort((a, b) => a - b)).toEqual([capped, tiered]);
    expect(await c.periodTotals(id, '2026-03-01', '2026-03-31')).toEqual({ usedBytes: 0, topupBytes: 0 });
    await sql.run(`insert into usage_daily (service_id, day, input_octets, output_octets) values (?, '2026-03-02', 100, 20), (?, '2026-03-31', 5, 5), (?, '2026-04-01', 1000, 0)`, id, id, id);
    expect((await c.periodTotals(id, '2026-03-01', '2026-03-31')).usedBytes).toBe(130);
    expect((await c.periodTotals(id, '2026-03-01', '2026-03-31')).topupBytes).toBe(0);
    const t = await c.insertDataTopup(id, '2026-03-01', 5_000_000_000, AT, 'test');
    expect(t).toMatchObject({ serviceId: id, periodStart: '2026-03-01', bytes: 5_000_000_000, createdAt: AT, createdBy: 'test' });
    await c.insertDataTopup(id, '2026-03-01', 1, AT, 'test');
    expect(await c.periodTotals(id, '2026-03-01', '2026-03-31')).toEqual({ usedBytes: 130, topupBytes: 5_000_000_001 });
    expect(await c.capState(id)).toBeUndefined();
    expect(await c.reducedServices()).toEqual([]);
    await c.setCapState(id, '2026-03-01', 2, AT);
    await c.setCapState(id, '2026-04-01', 4, AT);
    expect(await c.capState(id)).toEqual({ periodStart: '2026-04-01', tier: 4 });
    expect((await c.reducedServices()).map((r) => r.id)).toEqual([id]);
    await expect(c.insertDataTopup(id + 1000, '2026-03-01', 1, AT, 't')).rejects.toMatchObject({ kind: 'foreign_key' });
  });

  it('caps: the facts of many services at once, each for its own period', async () => {
    const c = capStore(sql);
    const capped = await plan(sql, { type: 'recurring', dataCapBytes: 1000 });
    const tiered = await plan(sql, { type: 'recurring' });
    await c.replaceTiers(tiered, [{ fromBytes: 200, downloadKbps: 500, uploadKbps: 250 }, { fromBytes: 100, downloadKbps: 1000, uploadKbps: 500 }]);
    const a = (await service(capped, 'many1')).id;
    const b = (await service(tiered, 'many2')).id;
    const open = (await service(await plan(sql, { type: 'recurring' }), 'many3')).id;
    const gone = open + 1000;
    // The service on a plan without a cap or tiers is left out, as is one that does not exist.
    expect((await c.capServices([a, b, open, gone])).map((r) => [r.id, r.planId, r.dataCapBytes]).sort()).toEqual([[a, capped, 1000], [b, tiered, null]].sort());
    expect(await c.capServices([])).toEqual([]);
    expect(await c.tiersOfPlans([capped, tiered])).toEqual(new Map([
      [capped, []],
      [tiered, [{ fromBytes: 100, downloadKbps: 1000, uploadKbps: 500 }, { fromBytes: 200, downloadKbps: 500, uploadKbps: 250 }]],
    ]));
    // a's period is March, b's from 15 March: the same rows count differently.
    await sql.run(`insert into usage_daily (service_id, day, input_octets, output_octets) values (?, '2026-03-02', 100, 20), (?, '2026-03-20', 5, 5), (?, '2026-04-01', 1000, 0),
      (?, '2026-03-02', 7, 0), (?, '2026-03-15', 8000000000, 1), (?, '2026-04-14', 2, 0)`, a, a, a, b, b, b);
    await c.insertDataTopup(a, '2026-03-01', 50, AT, 'test');
    await c.insertDataTopup(b, '2026-03-01', 60, AT, 'test');
    await c.insertDataTopup(b, '2026-03-15', 3_000_000_000, AT, 'test');
    await c.setCapState(b, '2026-03-15', 2, AT);
    await topupStore(sql).markNotice(a, 'cap.80:2026-03-01', AT);
    await topupStore(sql).markNotice(a, 'prepaid.expiring:x', AT);
    const facts = await c.counterFacts([{ serviceId: a, start: '2026-03-01', end: '2026-03-31' }, { serviceId: b, start: '2026-03-15', end: '2026-04-14' }]);
    expect(facts.sort((x, y) => x.serviceId - y.serviceId)).toEqual([
      { serviceId: a, usedBytes: 130, topupBytes: 50, state: undefined, noticeKeys: ['cap.80:2026-03-01'] },
      { serviceId: b, usedBytes: 8_000_000_003, topupBytes: 3_000_000_000, state: { periodStart: '2026-03-15', tier: 2 }, noticeKeys: [] },
    ]);
    expect(await c.counterFacts([])).toEqual([]);
  });
});

describe.runIf(postgresReady)('voucher redemption on PostgreSQL', () => {
  it('lets exactly one of two connections redeem a voucher, the other rolling back what it wrote', async () => {
    const backend = await openTestBackend('postgres');
    const a = openPostgres({ url: backend.url!, max: 2 });
    const b = openPostgres({ url: backend.url!, max: 2 });
    try {
      const p = await plan(backend.sql);
      const setup = voucherStore(backend.sql);
      const batch = await setup.insertBatch({ name: 'race', planId: p, count: 1, codeLength: 10, price: 500, validUntil: null, createdAt: AT, createdBy: 'test' });
      await setup.insertVouchers(batch.id, ['RACERACE22']);
      // What the voucher service does in its transaction: read, create the customer and service, then the guard.
      const attempt = async (sql: SqlClient, who: string) => {
        const v = voucherStore(sql);
        try {
          return await v.transaction(async () => {
            const voucher = (await v.voucherByCode('RACERACE22'))!;
            if (voucher.redeemedAt !== null) throw new Error('conflict');
            const customerId = await v.insertCustomer(`racer ${who}`, '', AT);
            const serviceId = await v.insertService(customerId, p, `RACE-${who}`, 'sealed', '2026-03-01', AT);
            if (!(await v.redeem(voucher.id, AT, serviceId, who))) throw new Error('conflict');
            return 'ok';
          });
        } catch (e) {
          if ((e as Error).message === 'conflict') return 'conflict';
          throw e;
        }
      };
      for (let round = 0; round < 3; round++) {
        if (round > 0) await backend.sql.run(`update vouchers set redeemed_at = null, service_id = null, redeemed_by = null where code = 'RACERACE22'`);
        const results = await Promise.all([attempt(a, `a${round}`), attempt(b, `b${round}`)]);
        expect(results.sort()).toEqual(['conflict', 'ok']);
        const won = await backend.sql.all<{ redeemedBy: string }>(`select redeemed_by as "redeemedBy" from vouchers where code = 'RACERACE22' and redeemed_at is not null`);
        expect(won).toHaveLength(1);
        expect(await backend.sql.get(`select count(*) as n from customers where name in (?, ?)`, `racer a${round}`, `racer b${round}`)).toEqual({ n: 1 });
      }
    } finally {
      await a.close();
      await b.close();
      await backend.close();
    }
  });
});
