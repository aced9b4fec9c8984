import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AccountingRecorder, acctKind } from '../../../src/aaa/accounting.js';
import { Authorizer, type Authorization } from '../../../src/aaa/authorizer.js';
import { BillingDay } from '../../../src/aaa/billing-day.js';
import { ServiceCache } from '../../../src/aaa/service-cache.js';
import type { AcctRecord, AuthLogRecord, ServiceAuthRow } from '../../../src/db/radius.js';
import { TestClock } from '../../../src/lib/clock.js';
import { parseCidr } from '../../../src/lib/net.js';
import { SecretBox } from '../../../src/lib/secretbox.js';
import { buildMsChapV2Request } from '../../../src/radius/auth/client.js';
import { Code, decodePacket, encodePacket, type AttributeInput, type Packet } from '../../../src/radius/codec/index.js';
import { A, V } from '../../../src/radius/dict/attrs.js';
import { loadDictionary } from '../../../src/radius/dict/load.js';
import type { NasClient } from '../../../src/radius/server/clients.js';
import type { AccountingHandler, AccountingSettled } from '../../../src/radius/server/handlers.js';

/** The outcome an accounting handler settles a request with. */
const settle = (r: AccountingHandler, p: Packet): Promise<AccountingSettled> => new Promise((resolve) => r.handle(p, nas, resolve));

const SECRET = Buffer.from('testing123');
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
    throttleUploadKbps: null, framedPool: null, suspensionMode: null, billingDay: 'anniversary', periodMonths: 1, voucherLogin: 0,
    ...over,
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
  const services = new ServiceCache({ service: (u) => byName.get(u), servicesAfter: () => [] }, box, pino({ level: 'silent' }));
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
  return { authorizer, clock, logged, redeemed };
}

const attrNames = (a: Authorization): string[] => a.attributes.map((x) => ('def' in x ? x.def.name : String(x.type)));

describe('the authorizer', () => {
  it('accepts a right PAP password with the decision\'s attributes and logs the login at the clock\'s time once answered', () => {
    const { authorizer, logged } = setup([row('alice', 'pw-alice')]);
    const a = authorizer.handle(request(Code.AccessRequest, [{ def: A.UserName, value: 'alice' }, { def: A.UserPassword, value: 'pw-alice' }]), nas);
    expect(a.outcome).toBe('accept');
    expect(attrNames(a)).toEqual(['Mikrotik-Rate-Limit', 'Acct-Interim-Interval']);
    expect(logged).toEqual([]);
    authorizer.answered(a);
    expect(logged).toEqual([{
      at: Date.parse('2026-11-22T12:00:00.000Z'), nasId: 7, serviceId: 11, username: 'alice', outcome: 'accept', reason: null, method: 'pap', callingStationId: null,
    }]);
  });

  it('rejects a wrong password and an unknown user with the reason in Reply-Message', () => {
    const { authorizer } = setup([row('alice', 'pw-alice')]);
    const wrong = authorizer.handle(request(Code.AccessRequest, [{ def: A.UserName, value: 'alice' }, { def: A.UserPassword, value: 'nope' }]), nas);
    expect(wrong.outcome).toBe('reject');
    expect(wrong.attributes).toEqual([{ def: A.ReplyMessage, value: 'wrong password' }]);
    const unknown = authorizer.handle(request(Code.AccessRequest, [{ def: A.UserName, value: 'bob' }, { def: A.UserPassword, value: 'x' }]), nas);
    expect(unknown.outcome).toBe('reject');
    expect(unknown.log).toMatchObject({ serviceId: null, reason: 'unknown user', method: 'pap' });
  });

  it('calls a request without credentials of a known method invalid', () => {
    const { authorizer } = setup([row('alice', 'pw-alice')]);
    const a = authorizer.handle(request(Code.AccessRequest, [{ def: A.UserName, value: 'alice' }]), nas);
    expect(a.outcome).toBe('invalid');
    expect(a.log).toMatchObject({ method: 'none', outcome: 'reject', reason: expect.stringMatching(/^no supported authentication method/) });
  });

  it('sends MPPE keys with an MS-CHAPv2 Accept and never with a Reject', () => {
    const { authorizer } = setup([row('alice', 'pw-alice'), row('sus', 'pw-sus', { id: 12, status: 'suspended' })]);
    const login = (user: string, password: string) => {
      const r = buildMsChapV2Request({ userName: user, password, authenticatorChallenge: randomBytes(16), peerChallenge: randomBytes(16), ident: 1 });
      return authorizer.handle(request(Code.AccessRequest, [
        { def: A.UserName, value: user }, { def: A.MsChapChallenge, value: r.challenge }, { def: A.MsChap2Response, value: r.response },
      ]), nas);
    };
    const ok = login('alice', 'pw-alice');
    expect(ok.outcome).toBe('accept');
    expect(attrNames(ok)).toEqual([
      'Mikrotik-Rate-Limit', 'Acct-Interim-Interval', 'MS-CHAP2-Success', 'MS-MPPE-Recv-Key', 'MS-MPPE-Send-Key', 'MS-MPPE-Encryption-Policy', 'MS-MPPE-Encryption-Types',
    ]);
    expect(ok.attributes.slice(-2)).toEqual([
      { def: A.MsMppeEncryptionPolicy, value: V.MsMppeEncryptionPolicy.EncryptionAllowed },
      { def: A.MsMppeEncryptionTypes, value: V.MsMppeEncryptionTypes.RC4_40or128bitAllowed },
    ]);
    expect(attrNames(login('sus', 'pw-sus'))).toEqual(['Reply-Message']);
    expect(attrNames(login('alice', 'wrong'))).toEqual(['Reply-Message', 'MS-CHAP-Error']);
  });

  it('redeems a voucher only for a login that proves its code', () => {
    const code = 'ABCDEFGHJK23';
    const { authorizer, redeemed } = setup([], (c) => row(c, c, { id: 20, voucherLogin: 1 }));
    const noCredentials = authorizer.handle(request(Code.AccessRequest, [{ def: A.UserName, value: code }]), nas);
    expect(noCredentials.outcome).toBe('invalid');
    expect(redeemed).toEqual([]);
    const wrong = authorizer.handle(request(Code.AccessRequest, [{ def: A.UserName, value: code }, { def: A.UserPassword, value: 'guess' }]), nas);
    expect(wrong.outcome).toBe('reject');
    expect(redeemed).toEqual([]);
    const first = authorizer.handle(request(Code.AccessRequest, [{ def: A.UserName, value: code }, { def: A.UserPassword, value: '' }]), nas);
    expect(first.outcome).toBe('accept');
    expect(first.log.serviceId).toBe(20);
    expect(redeemed).toEqual([code]);
  });
});

describe('the accounting recorder', () => {
  const acct = (attributes: AttributeInput[]) => request(Code.AccountingRequest, attributes);
  const recorder = (accounting: (r: AcctRecord) => Promise<void>) => {
    const services = new ServiceCache({ service: () => undefined, servicesAfter: () => [] }, box, pino({ level: 'silent' }));
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
