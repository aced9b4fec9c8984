// Vouchers end to end: batches of unique codes, CSV and PDF exports, redemption through the API
// (new customer, existing service), once only under concurrent HTTP requests, and hotspot logins
// with the code as username over real UDP, including parallel first logins.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenStore } from '../../src/db/security.js';
import { VOUCHER_ALPHABET } from '../../src/domain/billing/vouchers.js';
import { login, startEnv, type Env } from '../helpers/prepaid-env.js';
import type { Param } from '../../src/db/sql.js';
import { accessRequest } from '../helpers/radius.js';

let env: Env;
let planId: number;
const count = async (text: string, ...args: Param[]) => (await env.sql.get<{ n: number }>(text, ...args))!.n;
const codesOf = async (batchId: number) => (await env.sql.all<{ code: string }>('select code from vouchers where batch_id = ? order by id', batchId)).map((r) => r.code);
async function batch(n: number, extra: Record<string, unknown> = {}) {
  const r = await env.call('POST', '/api/v1/vouchers/batches', { name: `batch ${n}`, planId, count: n, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id: r.body.id as number, codes: (await codesOf(r.body.id)) };
}

beforeAll(async () => {
  env = await startEnv({ start: '2026-05-04T08:00:00.000Z' });
  planId = (await env.call('POST', '/api/v1/plans', { name: 'Hotspot day', type: 'prepaid', price: 500, validityDays: 1, taxRateBp: 2200, downloadKbps: 4000, uploadKbps: 1000 })).body.id;
});
afterAll(async () => env?.close());

describe('voucher batches', () => {
  it('generates unique codes of the unambiguous alphabet and exports them as CSV and PDF', async () => {
    const b = await batch(50, { codeLength: 10, validUntil: '2026-12-31' });
    expect(new Set(b.codes).size).toBe(50);
    for (const c of b.codes) expect(c).toMatch(new RegExp(`^[${VOUCHER_ALPHABET}]{10}$`));
    expect(b.codes.join('')).not.toMatch(/[01OI]/);
    const created = (await env.call('GET', `/api/v1/vouchers/batches/${b.id}`)).body;
    expect(created).toMatchObject({ count: 50, codeLength: 10, price: 500, validUntil: '2026-12-31', redeemed: 0 });
    expect(JSON.stringify(created)).not.toContain(b.codes[0]);
    const csv = await env.call('GET', `/api/v1/vouchers/batches/${b.id}/vouchers.csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines).toHaveLength(51);
    expect(lines[0]).toBe('batch,code,code_printed,plan,validity_days,price,valid_until,redeemed_at,service_id');
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(b.codes);
    const pdf = await env.call('GET', `/api/v1/vouchers/batches/${b.id}/vouchers.pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    expect(pdf.raw.subarray(0, 5).toString()).toBe('%PDF-');
    expect(await count(`select count(*) n from audit_log where entity = 'voucher_batch' and entity_id = ?`, String(b.id))).toBe(1);
    const doc = (await env.call('GET', '/api/v1/openapi.json')).body;
    for (const path of ['/api/v1/vouchers/redeem', '/api/v1/vouchers/batches/{id}/vouchers.pdf', '/api/v1/services/{id}/topup', '/api/v1/services/{id}/usage', '/api/v1/services/{id}/data-topup', '/api/v1/plans/{id}/cap-tiers']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });

  it('refuses a non-prepaid plan and short codes, changing nothing', async () => {
    const monthly = (await env.call('POST', '/api/v1/plans', { name: 'Monthly v', type: 'recurring', price: 3000, billingPeriodMonths: 1, downloadKbps: 1000, uploadKbps: 1000 })).body.id;
    const before = await count('select count(*) n from vouchers');
    const notPrepaid = await env.call('POST', '/api/v1/vouchers/batches', { name: 'x', planId: monthly, count: 5 });
    expect(notPrepaid.status).toBe(422);
    expect(notPrepaid.body.errors?.[0]?.field ?? notPrepaid.body.detail).toContain('planId');
    const short = await env.call('POST', '/api/v1/vouchers/batches', { name: 'x', planId, count: 5, codeLength: 8 });
    expect([400, 422]).toContain(short.status);
    expect(JSON.stringify(short.body)).toContain('codeLength');
    expect(await count('select count(*) n from vouchers')).toBe(before);
  });

  it('keeps 100,000 codes of one batch unique', async () => {
    const b = await batch(100_000, { codeLength: 10 });
    expect(b.codes).toHaveLength(100_000);
    expect(new Set(b.codes).size).toBe(100_000);
  }, 60_000);
});

describe('redeeming by API', () => {
  it('creates a customer and a service for a new customer, once', async () => {
    const { codes } = await batch(3);
    const typed = codes[0]!.toLowerCase().replace(/(.{4})/g, '$1 ');
    const r = await env.call('POST', '/api/v1/vouchers/redeem', { code: typed, customer: { name: 'Walk-in' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ created: true, username: codes[0] });
    expect(r.body.expiresAt).toBe(new Date(env.clock.now().getTime() + 86_400_000).toISOString());
    const inv = (await env.call('GET', `/api/v1/invoices/${r.body.invoiceId}`)).body;
    expect(inv).toMatchObject({ total: 500, status: 'paid' });
    const again = await env.call('POST', '/api/v1/vouchers/redeem', { code: codes[0], customer: { name: 'Walk-in' } });
    expect(again.status).toBe(409);
    expect((await env.call('POST', '/api/v1/vouchers/redeem', { code: 'ABCDEFGHJK', customer: { name: 'x' } })).status).toBe(404);
    // Past its batch's last day: refused, and still unredeemed.
    const old = await batch(1, { validUntil: '2026-05-03' });
    const late = await env.call('POST', '/api/v1/vouchers/redeem', { code: old.codes[0] });
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain('valid until 2026-05-03');
    expect(await count('select count(*) n from vouchers where code = ? and redeemed_at is null', old.codes[0])).toBe(1);
  });

  it('tops up an existing service on the same plan', async () => {
    const { codes } = await batch(2);
    const first = (await env.call('POST', '/api/v1/vouchers/redeem', { code: codes[0] })).body;
    const second = await env.call('POST', '/api/v1/vouchers/redeem', { code: codes[1], serviceId: first.serviceId });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body).toMatchObject({ created: false, serviceId: first.serviceId });
    expect(second.body.expiresAt).toBe(new Date(Date.parse(first.expiresAt) + 86_400_000).toISOString());
  });

  it('redeems once under concurrent HTTP requests', async () => {
    const { codes } = await batch(1);
    await env.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(env.app.server.address() as AddressInfo).port}`;
    const token = tokenStore(env.sql);
    const t = (await token.create({ name: 'c', role: 'super-admin', actor: { id: 'cli' } })).token;
    const one = (i: number) => fetch(`${base}/api/v1/vouchers/redeem`, {
      method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: codes[0], customer: { name: `racer ${i}` } }),
    }).then((r) => r.status);
    const statuses = await Promise.all(Array.from({ length: 25 }, (_, i) => one(i)));
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(24);
    expect(await count(`select count(*) n from services where username = ?`, codes[0])).toBe(1);
    expect(await count(`select count(*) n from customers where name like 'racer %'`)).toBe(1);
    expect(await count(`select count(*) n from prepaid_topups t join vouchers v on v.id = t.voucher_id where v.code = ?`, codes[0])).toBe(1);
  });
});

describe('redeeming from several processes at once', () => {
  it('lets exactly one of several processes (separate connections) redeem a code', async () => {
    const { codes } = await batch(1);
    const child = join(import.meta.dirname, '../helpers/redeem-child.ts');
    const startAt = Date.now() + 2500;
    const run = () => new Promise<string>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', child, env.config.database.url || env.config.database.path, codes[0]!, String(startAt)], { cwd: join(import.meta.dirname, '../..'), timeout: 30_000 },
        (_err, stdout, stderr) => resolve(`${stdout}${stderr}`.trim()));
    });
    const out = await Promise.all(Array.from({ length: 4 }, run));
    expect(out.filter((o) => o.startsWith('ok ')), out.join('\n')).toHaveLength(1);
    expect(out.filter((o) => o === 'conflict'), out.join('\n')).toHaveLength(3);
    expect(await count('select count(*) n from services where username = ?', codes[0])).toBe(1);
    expect(await count(`select count(*) n from customers where name like 'process %'`)).toBe(1);
  }, 40_000);
});

describe('hotspot login with a voucher', () => {
  it('creates the service at the first login (empty or same password) and logs in after', async () => {
    const { codes } = await batch(3);
    const [a, b, c] = codes as [string, string, string];
    const first = await login(env, a, '');
    expect(first.accept, JSON.stringify(first.attrs)).toBe(true);
    expect(first.attrs['Session-Timeout']).toBe(86_400);
    expect(first.attrs['Mikrotik-Rate-Limit']).toBe('1000k/4000k');
    expect(await count('select count(*) n from vouchers where code = ? and redeemed_at is not null and service_id is not null', a)).toBe(1);
    expect((await login(env, a, '')).accept).toBe(true);
    expect((await login(env, a, a)).accept).toBe(true);
    expect((await login(env, a, 'guess')).accept).toBe(false);
    expect((await login(env, b, b)).accept).toBe(true);
    // A wrong password, or no credentials at all, does not spend the voucher.
    expect((await login(env, c, 'nope')).accept).toBe(false);
    const bare = await env.udp.exchange(accessRequest(env.secret, { 'User-Name': c, 'NAS-IP-Address': '127.0.0.1' }), env.authPort);
    expect(bare?.[0]).toBe(3);
    expect(await count('select count(*) n from vouchers where code = ? and redeemed_at is null', c)).toBe(1);
    // CHAP with the code as the password redeems it.
    const challenge = randomBytes(16);
    const chapId = 7;
    const chapPassword = Buffer.concat([Buffer.from([chapId]), createHash('md5').update(Buffer.concat([Buffer.from([chapId]), Buffer.from(c), challenge])).digest()]);
    const chap = await env.udp.exchange(accessRequest(env.secret, { 'User-Name': c, 'CHAP-Password': chapPassword, 'CHAP-Challenge': challenge, 'NAS-IP-Address': '127.0.0.1' }), env.authPort);
    expect(chap?.[0]).toBe(2);
    expect(await count('select count(*) n from vouchers where code = ? and redeemed_at is not null', c)).toBe(1);
    // Not a voucher: still an unknown user.
    const unknown = await login(env, 'ZZZZZZZZZZZZ', '');
    expect(unknown.accept).toBe(false);
    expect(unknown.attrs['Reply-Message']).toBe('unknown user');
  });

  it('redeems once under parallel first logins', async () => {
    const { codes } = await batch(1);
    const code = codes[0]!;
    const results = await Promise.all(Array.from({ length: 10 }, () => login(env, code, '')));
    expect(results.every((r) => r.accept)).toBe(true);
    expect(await count('select count(*) n from services where username = ?', code)).toBe(1);
    expect(await count('select count(*) n from prepaid_topups t join vouchers v on v.id = t.voucher_id where v.code = ?', code)).toBe(1);
    expect(await count(`select count(*) n from payments where reference = (select 'voucher ' || id from vouchers where code = ?)`, code)).toBe(1);
    // The API now finds it redeemed.
    expect((await env.call('POST', '/api/v1/vouchers/redeem', { code })).status).toBe(409);
  });

  it('lets in a first login whose service lookup missed just before a concurrent redemption committed', async () => {
    // The interleaving the parallel logins above can fall into: this login's service lookup found
    // nothing, then another login (or the other node) redeemed the code and committed before this one
    // read the voucher. It must look the service up again, not answer "unknown user".
    const { codes } = await batch(1);
    const code = codes[0]!;
    await env.services.prepaid.vouchers.redeem({ code }, { id: 'system:hotspot' });
    expect(await env.services.prepaid.vouchers.redeemAtLogin(code, '')).toBe(true);
    expect(await count('select count(*) n from services where username = ?', code)).toBe(1);
    // A code that is no voucher stays unknown.
    expect(await env.services.prepaid.vouchers.redeemAtLogin('ZZZZZZZZZZZZ', '')).toBe(false);
  });
});
