import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AccountingRecorder, acctKind } from '../../../src/aaa/accounting.js';
import { Authorizer, type Authorization } from '../../../src/aaa/authorizer.js';
import { BillingDay } from '../../../src/aaa/billing-day.js';
import { ServiceCache, type ServiceSource } from '../../../src/aaa/service-cache.js';
import type { AcctRecord, AuthLogRecord, ServiceAuthRow } from '../../../src/db/radius.js';
import { TestClock } from '../../../src/lib/clock.js';
import { parseCidr } from '../../../src/lib/net.js';
import { SecretBox } from '../../../src/lib/secretbox.js';
import { buildMsChapV2Request } from '../../../src/radius/auth/client.js';
import { ntHash } from '../../../src/radius/auth/index.js';
import { Code, decodePacket, encodePacket, type AttributeInput, type Packet } from '../../../src/radius/codec/index.js';
import { A, V } from '../../../src/radius/dict/attrs.js';
import { loadDictionary } from '../../../src/radius/dict/load.js';
import type { NasClient } from '../../../src/radius/server/clients.js';
import type { AccountingHandler, AccountingSettled } from '../../../src/radius/server/handlers.js';

/** The outcome an accounting handler settles a request with. */
const settle = (r: AccountingHandler, p: Packet): Promise<AccountingSettled> => new Promise((resolve) => r.handle(p, nas, resolve));

const SECRET = Buffer.from('testing123');
/** A service source of a login read and a warm-up; changes by id find nothing (no test here publishes one). */
const source = (s: Pick<ServiceSource, 'service' | 'servicesAfter'>): ServiceSource => ({ servicesByIds: async () => [], servicesOfCustomers: async () => [], ...s });
const dictionary = loadDictionary();
const box = new SecretBox(randomBytes(32));
const range = parseCidr('127.0.0.1/32');
if (!range) throw new Error('bad test range');
const nas: NasClient = {
  id: 7, name: 'nas-7', range, nasIdentifier: null, secret: SECRET, vendor: 'mikrotik', coaPort: 3799, requireMessageAuthenticator: false,
};

function row(username: string, password: string, over: Partial<ServiceAuthRow> = {}): ServiceAuthRow {
  return {
    id: 11, customerId: 3, username, passwordEnc: box.seal(password), status: 'active', startDate: '2026-01-15', macAddress: null,
    staticIp: null, ipv6Prefix: null, delegatedIpv6Prefix: null, simultaneousUse: 1, expiresAt: null, planId: 5, planType: 'recurring',
    downloadKbps: 10000, uploadKbps: 2000, burstDownloadKbps: null, burstUploadKbps: null, burstThresholdDownloadKbps: null,
    burstThresholdUploadKbps: null, burstTimeSeconds: null, dataCapBytes: null, capAction: null, throttleDownloadKbps: null,
    throttleUploadKbps: null, framedPool: null, suspensionMode: null, billingDay: 'anniversary', periodMonths: 1, voucherLogin: false,
    language: null, ...over,
  };
}

function request(code: number, attributes: AttributeInput[]): Packet {
  const authenticator = code === Code.AccessRequest ? randomBytes(16) : undefined;
  const decoded = decodePacket(encodePacket({ code, identifier: 1, attributes, secret: SECRET, authenticator }));
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.packet;
}

function setup(rows: ServiceAuthRow[], redeem?: (code: string) => ServiceAuthRow | undefined) {
  const byName = new Map(rows.map((r) => [r.username, r]));
  const clock = new TestClock('2026-11-22T12:00:00.000Z');
  const logged: AuthLogRecord[] = [];
  const redeemed: string[] = [];
  const reads: string[] = [];
  const services = new ServiceCache(source({
    service: async (u) => {
      reads.push(u);
      return byName.get(u);
    },
    servicesAfter: async () => [],
  }), box, pino({ level: 'silent' }));
  const authorizer = new Authorizer({
    dictionary, services, clock, days: new BillingDay('Europe/Rome'),
    caps: { check: () => undefined },
    writer: { openSessions: () => [], authLog: (r) => logged.push(r) },
    policy: { interimInterval: 300, suspendedMode: 'reject', walledGardenList: 'unpaid', walledGardenDownloadKbps: 256, walledGardenUploadKbps: 128 },
    vouchers: redeem && {
      redeemAtLogin: (code) => {
        redeemed.push(code);
        const r = redeem(code);
        if (r) byName.set(code, r);
        return r !== undefined;
      },
    },
  });
  return { authorizer, clock, logged, redeemed, reads, services };
}

const attrNames = (a: Authorization): string[] => a.attributes.map((x) => ('def' in x ? x.def.name : String(x.type)));

describe('the authorizer', () => {
  it('accepts a right PAP password with the decision\'s attributes and logs the login at the clock\'s time once answered', async () => {
    const { authorizer, logged } = setup([row('alice', 'pw-alice')]);
    const a = await authorizer.handle(request(Code.AccessRequest, [{ def: A.UserName, value: 'alice' }, { def: A.UserPassword, value: 'pw-alice' }]), nas);
    expect(a.outcome).toBe('accept');
    expect(attrNames(a)).toEqual(['Mikrotik-Rate-Limit', 'Acct-Interim-Interval']);
    expect(logged).toEqual([]);
    authorizer.answered(a);
    expect(logged).toEqual([{
      at: Date.parse('2026-11-22T12:00:00.000Z'), nasId: 7, serviceId: 11, username: 'alice', outcome: 'accept', reason: null, reasonMessage: null, method: 'pap', callingStationId: null,
    }]);
  });

  it('words the Reply-Message in the customer\'s language, and logs the reason in English for support', async () => {
    const { authorizer, logged } = setup([
      row('lucia', 'pw-lucia', { id: 21, language: 'es', status: 'suspended' }),
      row('nico', 'pw-nico', { id: 22, language: 'it', macAddress: 'AA:BB:CC:DD:EE:02' }),
    ]);
    const es = await authorizer.handle(request(Code.AccessRequest, [{ def: A.UserName, value: 'lucia' }, { def: A.UserPassword, value: 'pw-lucia' }]), nas);
    expect(es.attributes).toEqual([{ def: A.ReplyMessage, value: 'servicio cortado por falta de pago' }]);
    authorizer.answered(es);
    expect(logged[0]).toMatchObject({ outcome: 'reject', reason: 'service suspended' });
    // Beside the English, the reason by catalogue key: the UI words it in its reader's language.
    expect(JSON.parse(logged[0]!.reasonMessage!)).toEqual({ key: 'aaa.suspended' });
    const it_ = await authorizer.handle(request(Code.AccessRequest, [
      { def: A.UserName, value: 'nico' }, { def: A.UserPassword, value: 'pw-nico' }, { def: A.CallingStationId, value: 'AA:BB:CC:DD:EE:01' },
    ]), nas);
    expect(it_.attributes).toEqual([{ def: A.ReplyMessage, value: 'il dispositivo AA:BB:CC:DD:EE:01 non è quello registrato (AA:BB:CC:DD:EE:02)' }]);
  });

  it('rejects a wrong password and an unknown user with the reason in Reply-Message', async () => {
    const { authorizer } = setup([row('alice', 'pw-alice')]);
    const wrong = await authorizer.handle(request(Code.AccessRequest, [{ def: A.UserName, value: 'alice' }, { def: A.UserPassword, value: 'nope' }]), nas);
    expect(wrong.outcome).toBe('reject');
    expect(wrong.attributes).toEqual([{ def: A.ReplyMessage, value: 'wrong password' }]);
    const unknown = await authorizer.handle(request(Code.AccessRequest, [{ def: A.UserName, value: 'bob' }, { def: A.UserPassword, value: 'x' }]), nas);
    expect(unknown.outcome).toBe('reject');
    expect(unknown.log).toMatchObject({ serviceId: null, reason: 'unknown user', method: 'pap' });
  });

  it('calls a request without credentials of a known method invalid', async () => {
    const { authorizer } = setup([row('alice', 'pw-alice')]);
    const a = await authorizer.handle(request(Code.AccessRequest, [{ def: A.UserName, value: 'alice' }]), nas);
    expect(a.outcome).toBe('invalid');
    expect(a.log).toMatchObject({ method: 'none', outcome: 'reject', reason: expect.stringMatching(/^no supported authentication method/) });
  });

  it('sends MPPE keys with an MS-CHAPv2 Accept and never with a Reject', async () => {
    const { authorizer } = setup([row('alice', 'pw-alice'), row('sus', 'pw-sus', { id: 12, status: 'suspended' })]);
    const login = async (user: string, password: string) => {
      const r = buildMsChapV2Request({ userName: user, password, authenticatorChallenge: randomBytes(16), peerChallenge: randomBytes(16), ident: 1 });
      return authorizer.handle(request(Code.AccessRequest, [
        { def: A.UserName, value: user }, { def: A.MsChapChallenge, value: r.challenge }, { def: A.MsChap2Response, value: r.response },
      ]), nas);
    };
    const ok = await login('alice', 'pw-alice');
    expect(ok.outcome).toBe('accept');
    expect(attrNames(ok)).toEqual([
      'Mikrotik-Rate-Limit', 'Acct-Interim-Interval', 'MS-CHAP2-Success', 'MS-MPPE-Recv-Key', 'MS-MPPE-Send-Key', 'MS-MPPE-Encryption-Policy', 'MS-MPPE-Encryption-Types',
    ]);
    expect(ok.attributes.slice(-2)).toEqual([
      { def: A.MsMppeEncryptionPolicy, value: V.MsMppeEncryptionPolicy.EncryptionAllowed },
      { def: A.MsMppeEncryptionTypes, value: V.MsMppeEncryptionTypes.RC4_40or128bitAllowed },
    ]);
    expect(attrNames(await login('sus', 'pw-sus'))).toEqual(['Reply-Message']);
    expect(attrNames(await login('alice', 'wrong'))).toEqual(['Reply-Message', 'MS-CHAP-Error']);
  });

  it('redeems a voucher only for a login that proves its code', async () => {
    const code = 'ABCDEFGHJK23';
    const { authorizer, redeemed } = setup([], (c) => row(c, c, { id: 20, voucherLogin: true }));
    const noCredentials = await authorizer.handle(request(Code.AccessRequest, [{ def: A.UserName, value: code }]), nas);
    expect(noCredentials.outcome).toBe('invalid');
    expect(redeemed).toEqual([]);
    const wrong = await authorizer.handle(request(Code.AccessRequest, [{ def: A.UserName, value: code }, { def: A.UserPassword, value: 'guess' }]), nas);
    expect(wrong.outcome).toBe('reject');
    expect(redeemed).toEqual([]);
    const first = await authorizer.handle(request(Code.AccessRequest, [{ def: A.UserName, value: code }, { def: A.UserPassword, value: '' }]), nas);
    expect(first.outcome).toBe('accept');
    expect(first.log.serviceId).toBe(20);
    expect(redeemed).toEqual([code]);
  });
});

describe('the service cache', () => {
  const pap = (user: string, password: string) => request(Code.AccessRequest, [{ def: A.UserName, value: user }, { def: A.UserPassword, value: password }]);

  it('answers a cached login synchronously and a miss through one shared read', async () => {
    const { authorizer, reads } = setup([row('alice', 'pw-alice')]);
    const first = authorizer.handle(pap('alice', 'pw-alice'), nas);
    const second = authorizer.handle(pap('alice', 'pw-alice'), nas);
    expect(first).toBeInstanceOf(Promise);
    expect(second).toBeInstanceOf(Promise);
    expect((await first).outcome).toBe('accept');
    expect((await second).outcome).toBe('accept');
    expect(reads).toEqual(['alice']);
    const cached = authorizer.handle(pap('alice', 'pw-alice'), nas);
    expect(cached).not.toBeInstanceOf(Promise);
    expect((cached as Authorization).outcome).toBe('accept');
    // An unknown username is remembered too: a second attempt reads nothing.
    expect((await authorizer.handle(pap('bob', 'x'), nas)).outcome).toBe('reject');
    expect(authorizer.handle(pap('bob', 'x'), nas)).not.toBeInstanceOf(Promise);
    expect(reads).toEqual(['alice', 'bob']);
  });

  it('answers a login with a read that a change overtook, but does not keep it', async () => {
    const { authorizer, reads, services } = setup([row('alice', 'pw-alice')]);
    const pending = authorizer.handle(pap('alice', 'pw-alice'), nas);
    services.drop();
    services.close();
    expect((await pending).outcome).toBe('accept');
    expect(authorizer.handle(pap('alice', 'pw-alice'), nas)).toBeInstanceOf(Promise);
    expect(reads).toEqual(['alice', 'alice']);
  });

  it('rejects the answer when the read fails, and reads again at the next login', async () => {
    let fail = true;
    const services = new ServiceCache(source({
      service: async (u) => {
        if (fail) throw new Error('connection lost');
        return row(u, 'pw');
      },
      servicesAfter: async () => [],
    }), box, pino({ level: 'silent' }));
    const authorizer = new Authorizer({
      dictionary, services, clock: new TestClock('2026-11-22T12:00:00.000Z'), days: new BillingDay('Europe/Rome'), caps: { check: () => undefined },
      writer: { openSessions: () => [], authLog: () => {} },
      policy: { interimInterval: 300, suspendedMode: 'reject', walledGardenList: 'unpaid', walledGardenDownloadKbps: 256, walledGardenUploadKbps: 128 },
    });
    await expect(authorizer.handle(pap('carol', 'pw'), nas)).rejects.toThrow('connection lost');
    fail = false;
    expect((await authorizer.handle(pap('carol', 'pw'), nas)).outcome).toBe('accept');
  });

  it('answers through a Promise when the data-cap facts must be read, and at once when they need not', async () => {
    const services = new ServiceCache(source({ service: async (u) => row(u, 'pw'), servicesAfter: async () => [] }), box, pino({ level: 'silent' }));
    let read = false;
    const authorizer = new Authorizer({
      dictionary, services, clock: new TestClock('2026-11-22T12:00:00.000Z'), days: new BillingDay('Europe/Rome'),
      caps: { check: () => (read ? Promise.resolve(undefined) : undefined) },
      writer: { openSessions: () => [], authLog: () => {} },
      policy: { interimInterval: 300, suspendedMode: 'reject', walledGardenList: 'unpaid', walledGardenDownloadKbps: 256, walledGardenUploadKbps: 128 },
    });
    expect((await authorizer.handle(pap('dave', 'pw'), nas)).outcome).toBe('accept');
    expect(authorizer.handle(pap('dave', 'pw'), nas)).not.toBeInstanceOf(Promise);
    read = true;
    const deferred = authorizer.handle(pap('dave', 'pw'), nas);
    expect(deferred).toBeInstanceOf(Promise);
    expect((await deferred).outcome).toBe('accept');
  });

  it('warms up in chunks by id, leaving what logins cached alone', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => row(`u${i + 1}`, `pw${i + 1}`, { id: i + 1 }));
    const chunks: number[] = [];
    const services = new ServiceCache(source({
      service: async () => undefined,
      servicesAfter: async (after, limit) => {
        chunks.push(after);
        return rows.filter((r) => r.id > after).slice(0, limit);
      },
    }), box, pino({ level: 'silent' }));
    await services.warm();
    expect(chunks).toEqual([0, 1000, 2000]);
    const hit = services.get('u2500');
    expect(hit).not.toBeInstanceOf(Promise);
    expect(services.cachedId('u1')).toBe(1);
  });

  it('keeps every fact of each row, the plan part shared by services of one plan, and a changed plan read as its own row says', async () => {
    const burst = { burstDownloadKbps: 20000, burstUploadKbps: 4000, burstThresholdDownloadKbps: 8000, burstThresholdUploadKbps: 1600, burstTimeSeconds: 16 };
    const rows = [
      row('a', 'pa', { id: 1, customerId: 9, status: 'suspended', startDate: '2026-02-03', macAddress: 'AA:BB:CC:DD:EE:FF', staticIp: '10.0.0.9',
        ipv6Prefix: '2001:db8:1::/64', delegatedIpv6Prefix: '2001:db8:2::/56', simultaneousUse: 2, expiresAt: '2026-12-31T23:00:00.000Z',
        dataCapBytes: 5_000_000_000, capAction: 'throttle', throttleDownloadKbps: 512, throttleUploadKbps: 128, framedPool: 'pool-a',
        suspensionMode: 'walled-garden', billingDay: '5', periodMonths: 3, language: 'it', ...burst }),
      row('b', 'pb', { id: 2, dataCapBytes: 5_000_000_000, capAction: 'throttle', throttleDownloadKbps: 512, throttleUploadKbps: 128, framedPool: 'pool-a', ...burst }),
      // The same plan read after a change to it (a warm-up that met the change): its own values.
      row('c', 'pc', { id: 3, downloadKbps: 30000, planType: 'prepaid', voucherLogin: true }),
    ];
    const services = new ServiceCache(source({
      service: async () => undefined,
      servicesAfter: async (after) => rows.filter((r) => r.id > after),
    }), box, pino({ level: 'silent' }));
    await services.warm();
    for (const r of rows) {
      const svc = services.get(r.username) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(r)) {
        if (key === 'passwordEnc' || key === 'voucherLogin') continue;
        expect([key, svc[key]]).toEqual([key, value]);
      }
      expect(svc.cleartext).toBe(box.open(r.passwordEnc));
      expect(svc.acceptsEmptyPassword).toBe(r.voucherLogin);
      // Made at the first MS-CHAP login, kept, and the same bytes at every later one.
      expect([svc.ntHash, svc.ntHash]).toEqual([ntHash(box.open(r.passwordEnc)), ntHash(box.open(r.passwordEnc))]);
    }
  });
});

describe('the accounting recorder', () => {
  const acct = (attributes: AttributeInput[]) => request(Code.AccountingRequest, attributes);
  const recorder = (accounting: (r: AcctRecord) => Promise<void>) => {
    const services = new ServiceCache(source({ service: async () => undefined, servicesAfter: async () => [] }), box, pino({ level: 'silent' }));
    const queue: number[] = [];
    const r = new AccountingRecorder({
      dictionary, services, clock: new TestClock('2026-11-22T23:30:00.000Z'), days: new BillingDay('Europe/Rome'),
      writer: { accounting, pending: 4 }, queue: { set: (n) => queue.push(n) },
    });
    return { r, queue };
  };

  it('reads Acct-Status-Type by its dictionary names', () => {
    expect([V.AcctStatusType.Start, V.AcctStatusType.InterimUpdate, V.AcctStatusType.Stop, V.AcctStatusType.AccountingOn, V.AcctStatusType.AccountingOff]
      .map(acctKind)).toEqual(['start', 'interim', 'stop', 'on', 'off']);
    expect(acctKind(V.AcctStatusType.Failed)).toBeUndefined();
    expect(acctKind(undefined)).toBeUndefined();
  });

  it('hands the writer one record, octets with gigawords, the day in the billing zone, and settles with its kind', async () => {
    const records: AcctRecord[] = [];
    const { r, queue } = recorder(async (rec) => void records.push(rec));
    const p = acct([
      { def: A.AcctStatusType, value: V.AcctStatusType.Stop }, { def: A.AcctSessionId, value: 's1' }, { def: A.UserName, value: 'alice' },
      { def: A.AcctInputOctets, value: 5 }, { def: A.AcctInputGigawords, value: 2 }, { def: A.NasPort, value: 9 },
      { def: A.AcctTerminateCause, value: V.AcctTerminateCause.UserRequest }, { def: A.CallingStationId, value: 'aa-bb-cc-dd-ee-ff' },
    ]);
    expect(await settle(r, p)).toBe('stop');
    expect(queue).toEqual([4]);
    expect(records).toEqual([{
      kind: 'stop', nasId: 7, acctSessionId: 's1', username: 'alice', serviceId: undefined, at: '2026-11-22T23:30:00.000Z', day: '2026-11-23',
      nasIpAddress: null, nasPort: '9', framedIpAddress: null, callingStationId: 'AA:BB:CC:DD:EE:FF', calledStationId: null, sessionTime: null,
      inputOctets: 2 * 2 ** 32 + 5, outputOctets: null, terminateCause: 'User-Request', interimInterval: null,
    }]);
  });

  it('acknowledges what it does not keep without a write, and reports a failed store', async () => {
    const { r } = recorder(() => Promise.reject(new Error('disk full')));
    expect(await settle(r, acct([{ def: A.AcctStatusType, value: V.AcctStatusType.Failed }]))).toBe('ignored');
    expect(await settle(r, acct([{ def: A.AcctStatusType, value: V.AcctStatusType.Start }]))).toBe('ignored');
    expect(await settle(r, acct([{ def: A.AcctStatusType, value: V.AcctStatusType.Start }, { def: A.AcctSessionId, value: 's2' }]))).toBe('store_failed');
  });
});
