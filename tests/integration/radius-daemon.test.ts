// The RADIUS server of the running daemon, over real UDP on loopback, driven by FreeRADIUS's radtest
// and radclient (what operators and NAS vendors test against) and by a small client over our codec
// where raw bytes matter. All data goes in through the JSON API, as an operator would put it there.
// One daemon serves the whole file; each test uses its own subscribers so the tests do not meet.
import dgram from 'node:dgram';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChapRequest, buildMsChapV2Request, verifyMsChapV1MppeKeys, verifyMsChapV2Success } from '../../src/radius/auth/client.js';
import { verifyMsChapV2 } from '../../src/radius/auth/mschap.js';
import { Code } from '../../src/radius/codec/index.js';
import { daemonDatabase, type DaemonDatabase } from '../helpers/backends.js';
import { api, createToken, startDaemon, tempDir, type Daemon } from '../helpers/daemon.js';
import {
  accessRequest,
  accountingRequest,
  checkReply,
  fromHex,
  haveRadclient,
  hex,
  quoted,
  radclient,
  radtest,
  rawAttr,
  statusServer,
  UdpClient,
  unquote,
  type RadReply,
} from '../helpers/radius.js';

/** Whether this machine can bind UDP on [::1]; the IPv6 listener is only configured when it can. */
async function haveIpv6Loopback(): Promise<boolean> {
  const s = dgram.createSocket({ type: 'udp6', ipv6Only: true });
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.bind(0, '::1', () => s.close(() => resolve(true)));
  });
}
const ipv6 = await haveIpv6Loopback();

const MAIN_SECRET = 'main-shared-secret';
const LAX_SECRET = 'lax-shared-secret';
const LATE_SECRET = 'late-shared-secret';
const V6_SECRET = 'v6-shared-secret';

interface Ids {
  nasMain: number;
  nasLax: number;
  plan: number;
  customer: number;
}

describe.skipIf(!haveRadclient)('RADIUS over UDP against the running daemon', () => {
  let d: Daemon;
  let db: DaemonDatabase;
  let token: string;
  let main: string;
  let acct: string;
  let auth6Port = 0;
  const ids = {} as Ids;
  const services = new Map<string, { id: number; simultaneousUse: number; staticIp: string | null }>();

  const call = async (method: string, path: string, body?: unknown, status = method === 'POST' ? 201 : 200) => {
    const r = await api(d.http, token, method, path, body);
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(status);
    return r.body;
  };
  const addService = async (username: string, password: string, extra: Record<string, unknown> = {}) => {
    const s = await call('POST', '/api/v1/services', { customerId: ids.customer, planId: ids.plan, username, password, startDate: '2026-01-01', ...extra });
    services.set(username, s);
    return s;
  };
  const sessions = async (query: string) => (await call('GET', `/api/v1/sessions?${query}`)).items as Record<string, any>[];
  /** The auth log is written in the same group commit as accounting, just after the reply: poll briefly. */
  const authLog = async (query: string, atLeast = 1) => {
    const until = Date.now() + 3000;
    for (;;) {
      const items = (await call('GET', `/api/v1/auth-log?${query}`)).items as Record<string, any>[];
      if (items.length >= atLeast || Date.now() > until) return items;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const acctSend = (attrs: Record<string, string>, secret = MAIN_SECRET) => radclient(acct, 'acct', secret, attrs);
  const usage = async (serviceId: number) => {
    const reader = db.open();
    try {
      return (await reader.get<{ input: number; output: number }>(
        'select coalesce(sum(input_octets), 0) as input, coalesce(sum(output_octets), 0) as output from usage_daily where service_id = ?', serviceId))!;
    } finally {
      await reader.close();
    }
  };

  beforeAll(async () => {
    const dir = tempDir('tollgate-radius-');
    const config = join(dir, 'tollgate.toml');
    db = await daemonDatabase(dir);
    writeFileSync(
      config,
      `[database]
${db.toml}
[radius]
auth_listen = ["127.0.0.1:0"${ipv6 ? ', "[::1]:0"' : ''}]
acct_listen = "127.0.0.1:0"
[http]
listen = "127.0.0.1:0"
[log]
level = "info"
`,
    );
    d = await startDaemon({ dir, config });
    token = createToken(d.config);
    main = `127.0.0.1:${d.authPort}`;
    acct = `127.0.0.1:${d.acctPort}`;
    if (ipv6) {
      // The start-up line lists every bound address; the helper keeps only the first of each.
      const serving = d.logs.find((l) => l.msg === 'tollgate is serving')!;
      const v6 = (serving.radiusAuth as string[]).find((a) => a.startsWith('[::1]'))!;
      auth6Port = Number(v6.split(':').pop());
    }

    const nasMain = await call('POST', '/api/v1/nas', { name: 'main', ipAddress: '127.0.0.1', secret: MAIN_SECRET, vendor: 'mikrotik' });
    // The safe default: a NAS must sign its Access-Requests unless the operator says otherwise.
    expect(nasMain.requireMessageAuthenticator).toBe(true);
    ids.nasMain = nasMain.id;
    // A second router behind the same loopback range, told apart by its NAS-Identifier.
    ids.nasLax = (await call('POST', '/api/v1/nas', {
      name: 'lax', ipAddress: '127.0.0.0/8', nasIdentifier: 'lax', secret: LAX_SECRET, vendor: 'mikrotik', requireMessageAuthenticator: false,
    })).id;
    ids.plan = (await call('POST', '/api/v1/plans', { name: 'Home 10M', type: 'recurring', price: 2500, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 })).id;
    ids.customer = (await call('POST', '/api/v1/customers', { name: 'Ada Lovelace' })).id;
    await addService('alice', 'alice-pass-1', { staticIp: '100.64.0.10' });
    for (const u of ['bob', 'sue', 'carol', 'dave', 'erin', 'frank']) await addService(u, `${u}-pass-1`);
  });

  afterAll(async () => {
    if (!d) return;
    expect(await d.stop()).toBe(0);
    rmSync(d.dir, { recursive: true, force: true });
  });

  const expectPlanAttributes = (r: RadReply | undefined) => {
    expect(r?.code, r?.stdout).toBe('Access-Accept');
    expect(r!.attrs.get('Mikrotik-Rate-Limit')).toBe('"2000k/10000k"');
    expect(r!.attrs.has('Message-Authenticator')).toBe(true);
  };

  describe.each(['pap', 'chap', 'mschap'] as const)('radtest -t %s', (type) => {
    it('accepts the right password with the plan rate and the static IP, rejects a wrong one, and logs both', async () => {
      const ok = await radtest(type, 'alice', 'alice-pass-1', main, MAIN_SECRET);
      expectPlanAttributes(ok);
      expect(ok!.attrs.get('Framed-IP-Address')).toBe('100.64.0.10');
      if (type === 'mschap') {
        // radclient decrypts MS-CHAP-MPPE-Keys; the NT key must be the one both ends derive.
        expect(verifyMsChapV1MppeKeys({ password: 'alice-pass-1', msChapMppeKeys: fromHex(ok!.attrs.get('MS-CHAP-MPPE-Keys')) })).toBe(true);
      }

      const no = await radtest(type, 'alice', 'alice-pass-2', main, MAIN_SECRET);
      expect(no?.code, no?.stdout).toBe('Access-Reject');
      expect(no!.attrs.get('Reply-Message')).toBe('"wrong password"');
      expect(no!.attrs.has('Mikrotik-Rate-Limit')).toBe(false);
      expect(no!.attrs.has('Message-Authenticator')).toBe(true);
      if (type === 'mschap') expect(unquote(no!.attrs.get('MS-CHAP-Error'))).toMatch(/E=691 R=1 C=[0-9a-f]{16} V=2/);

      const [reject, accept] = await authLog('username=alice&limit=2', 2);
      expect(reject).toMatchObject({ outcome: 'reject', reason: 'wrong password', method: type, nasId: ids.nasMain, serviceId: services.get('alice')!.id });
      expect(accept).toMatchObject({ outcome: 'accept', method: type, nasId: ids.nasMain });
    });
  });

  it('CHAP with a CHAP-Challenge attribute (not the Request Authenticator) from our client', async () => {
    // radtest -t chap uses the Request Authenticator as the challenge; MikroTik sends CHAP-Challenge.
    // Idents below 0x20 keep radclient from taking the 17 octets for a cleartext password to hash.
    const send = (password: string, ident: number) => {
      const req = buildChapRequest({ password, ident });
      return radclient(main, 'auth', MAIN_SECRET, {
        'User-Name': quoted('alice'), 'CHAP-Password': hex(req.chapPassword), 'CHAP-Challenge': hex(req.chapChallenge), 'Message-Authenticator': '0x00',
      });
    };
    expectPlanAttributes(await send('alice-pass-1', 0x05));
    const no = await send('alice-pass-2', 0x06);
    expect(no?.code).toBe('Access-Reject');
    expect(no!.attrs.get('Reply-Message')).toBe('"wrong password"');
  });

  it('MS-CHAPv2: Accept carries MS-CHAP2-Success and the MPPE keys that src/radius/auth computes', async () => {
    const req = buildMsChapV2Request({ userName: 'bob', password: 'bob-pass-1', ident: 0x42 });
    const r = await radclient(main, 'auth', MAIN_SECRET, {
      'User-Name': quoted('bob'),
      'MS-CHAP-Challenge': hex(req.challenge),
      'MS-CHAP2-Response': hex(req.response),
      'Message-Authenticator': '0x00',
    });
    expectPlanAttributes(r);
    // No static IP on this service: the router assigns from its own pool.
    expect(r!.attrs.has('Framed-IP-Address')).toBe(false);
    const success = fromHex(r!.attrs.get('MS-CHAP2-Success'));
    expect(verifyMsChapV2Success({ userName: 'bob', password: 'bob-pass-1', challenge: req.challenge, response: req.response, success })).toBe(true);
    expect(success.equals(req.expected.success)).toBe(true);

    const ours = verifyMsChapV2({ userName: 'bob', challenge: req.challenge, response: req.response, credential: { cleartext: 'bob-pass-1' } });
    if (!ours.ok) throw new Error('our own verifier rejects the request');
    // radclient -x prints the keys after undoing the RFC 2548 salt encryption with the shared secret.
    const sendKey = fromHex(r!.attrs.get('MS-MPPE-Send-Key'));
    const recvKey = fromHex(r!.attrs.get('MS-MPPE-Recv-Key'));
    expect(sendKey.toString('hex')).toBe(ours.sendKey.toString('hex'));
    expect(recvKey.toString('hex')).toBe(ours.recvKey.toString('hex'));
    expect(sendKey.equals(req.expected.serverSendKey)).toBe(true);
    expect(recvKey.equals(req.expected.serverRecvKey)).toBe(true);
    expect(sendKey.equals(recvKey)).toBe(false);
    expect((await authLog('username=bob&limit=1'))[0]).toMatchObject({ outcome: 'accept', method: 'mschapv2' });
  });

  it('MS-CHAPv2 with a wrong password: Reject with MS-CHAP-Error E=691 for the same ident, and the reason', async () => {
    const req = buildMsChapV2Request({ userName: 'bob', password: 'bob-pass-2', ident: 0x43 });
    const r = await radclient(main, 'auth', MAIN_SECRET, {
      'User-Name': quoted('bob'),
      'MS-CHAP-Challenge': hex(req.challenge),
      'MS-CHAP2-Response': hex(req.response),
      'Message-Authenticator': '0x00',
    });
    expect(r?.code, r?.stdout).toBe('Access-Reject');
    expect(r!.attrs.get('Reply-Message')).toBe('"wrong password"');
    expect(r!.attrs.has('MS-CHAP2-Success')).toBe(false);
    expect(r!.attrs.has('MS-MPPE-Send-Key')).toBe(false);
    const error = unquote(r!.attrs.get('MS-CHAP-Error'));
    expect(error.charCodeAt(0)).toBe(0x43);
    expect(error.slice(1)).toMatch(/^E=691 R=1 C=[0-9a-f]{32} V=3 M=/);
    // Byte for byte what src/radius/auth produces for this request, given the announced challenge.
    const c = /C=([0-9a-f]{32})/.exec(error)![1]!;
    const ours = verifyMsChapV2({
      userName: 'bob', challenge: req.challenge, response: req.response, credential: { cleartext: 'bob-pass-1' }, errorOptions: { challenge: Buffer.from(c, 'hex') },
    });
    expect(!ours.ok && ours.error.toString('latin1')).toBe(error);
    expect((await authLog('username=bob&limit=1'))[0]).toMatchObject({ outcome: 'reject', reason: 'wrong password', method: 'mschapv2' });
  });

  it('a reject names its reason in Reply-Message (unknown user, suspended) and the auth log keeps it', async () => {
    const unknown = await radtest('pap', 'nobody-here', 'whatever', main, MAIN_SECRET);
    expect(unknown?.code).toBe('Access-Reject');
    expect(unknown!.attrs.get('Reply-Message')).toBe('"unknown user"');

    expectPlanAttributes(await radtest('chap', 'sue', 'sue-pass-1', main, MAIN_SECRET));
    // Suspending through the API applies at once: the server must not keep serving a cached "active".
    await call('PATCH', `/api/v1/services/${services.get('sue')!.id}`, { status: 'suspended' });
    const suspended = await radtest('chap', 'sue', 'sue-pass-1', main, MAIN_SECRET);
    expect(suspended?.code).toBe('Access-Reject');
    expect(suspended!.attrs.get('Reply-Message')).toBe('"service suspended"');

    expect((await authLog('username=nobody-here&outcome=reject'))[0]).toMatchObject({ reason: 'unknown user', serviceId: null, nasId: ids.nasMain, method: 'pap' });
    const [last, first] = await authLog('username=sue', 2);
    expect(last).toMatchObject({ outcome: 'reject', reason: 'service suspended', serviceId: services.get('sue')!.id });
    expect(first).toMatchObject({ outcome: 'accept' });
  });

  it('a wrong shared secret gets no reply at all, on authentication and on accounting', async () => {
    const login = { 'User-Name': quoted('alice'), 'User-Password': quoted('alice-pass-1'), 'Message-Authenticator': '0x00' };
    const start = { 'User-Name': quoted('alice'), 'Acct-Status-Type': 'Start', 'Acct-Session-Id': quoted('never-stored') };
    const [auth, accounting] = await Promise.all([
      radclient(main, 'auth', 'not-the-secret', login, { timeout: 1 }),
      radclient(acct, 'acct', 'not-the-secret', start, { timeout: 1 }),
    ]);
    expect(auth, auth?.stdout).toBeUndefined();
    expect(accounting, accounting?.stdout).toBeUndefined();
    expect(await sessions('username=alice')).toHaveLength(0);
    // The same requests with the right secret are answered: the silence was the secret's doing.
    expectPlanAttributes(await radclient(main, 'auth', MAIN_SECRET, login));
  });

  it('a Vendor-Specific laid out another vendor\'s way (USR, Starent, WiMAX) is kept opaque: the login and the accounting go through', async () => {
    // The examples, as radclient sends them (raw Attr-26). RFC 2865 5.26 only says SHOULD.
    const quirks = ['0x00001fe400020007666f6f', '0x000001ad0000bfbe000004d2', '0x000060b5010a000105312e30020301', '0x0000000000020007666f6f'];
    for (const vsa of quirks) {
      const login = { 'User-Name': quoted('alice'), 'User-Password': quoted('alice-pass-1'), 'Attr-26': vsa, 'Message-Authenticator': '0x00' };
      expectPlanAttributes(await radclient(main, 'auth', MAIN_SECRET, login));
    }
    const start = { 'User-Name': quoted('alice'), 'Acct-Status-Type': 'Start', 'Acct-Session-Id': quoted('usr-vsa-1'), 'Attr-26': quirks[1]! };
    expect((await acctSend(start))?.code).toBe('Accounting-Response');
    const stop = { ...start, 'Acct-Status-Type': 'Stop', 'Acct-Session-Time': '5' };
    expect((await acctSend(stop))?.code).toBe('Accounting-Response');
    expect((await sessions('username=alice')).some((x) => x.acctSessionId === 'usr-vsa-1' && x.stoppedAt !== null)).toBe(true);
  });

  it('Message-Authenticator: a NAS that requires it gets no reply without one; a NAS that does not is answered', async () => {
    const login = { 'User-Name': quoted('alice'), 'User-Password': quoted('alice-pass-1') };
    expect(await radclient(main, 'auth', MAIN_SECRET, login, { timeout: 1 })).toBeUndefined();
    expectPlanAttributes(await radclient(main, 'auth', MAIN_SECRET, { ...login, 'Message-Authenticator': '0x00' }));
    // The lax NAS: no Message-Authenticator in the request, but the reply still carries one.
    expectPlanAttributes(await radclient(main, 'auth', LAX_SECRET, { ...login, 'NAS-Identifier': quoted('lax') }));
    expect((await authLog('username=alice&limit=1'))[0]).toMatchObject({ outcome: 'accept', nasId: ids.nasLax });
  });

  it('every Access-Accept and Access-Reject starts with a valid Message-Authenticator (BlastRADIUS)', async () => {
    const client = await UdpClient.open();
    try {
      const lax: Record<string, string> = { 'NAS-Identifier': 'lax' };
      const cases = [
        { secret: MAIN_SECRET, password: 'alice-pass-1', extra: {}, ma: true, code: Code.AccessAccept },
        { secret: MAIN_SECRET, password: 'alice-pass-9', extra: {}, ma: true, code: Code.AccessReject },
        { secret: LAX_SECRET, password: 'alice-pass-1', extra: lax, ma: false, code: Code.AccessAccept },
        { secret: LAX_SECRET, password: 'alice-pass-9', extra: lax, ma: false, code: Code.AccessReject },
      ];
      for (const c of cases) {
        const request = accessRequest(c.secret, { 'User-Name': 'alice', 'User-Password': c.password, ...c.extra }, c.ma);
        const reply = await client.exchange(request, d.authPort);
        expect(reply, JSON.stringify(c)).toBeDefined();
        const checked = checkReply(reply!, request, c.secret);
        expect(checked.packet.code).toBe(c.code);
        expect(checked.authentic).toBe(true);
        expect(checked.messageAuthenticator).toBe('valid');
        expect(checked.messageAuthenticatorIndex).toBe(0);
        if (c.code === Code.AccessReject) expect(rawAttr(checked.packet, 'Reply-Message')?.toString()).toBe('wrong password');
        else expect(rawAttr(checked.packet, 'Mikrotik-Rate-Limit')?.toString()).toBe('2000k/10000k');
      }
    } finally {
      await client.close();
    }
  });

  it('Status-Server on the authentication and the accounting port: answered, with a Message-Authenticator over the request authenticator', async () => {
    const viaRadclient = await Promise.all([
      radclient(main, 'status', MAIN_SECRET, { 'Message-Authenticator': '0x00' }),
      radclient(acct, 'status', MAIN_SECRET, { 'Message-Authenticator': '0x00' }),
    ]);
    expect(viaRadclient.map((r) => r?.code)).toEqual(['Access-Accept', 'Accounting-Response']);
    const client = await UdpClient.open();
    try {
      for (const [port, code] of [[d.authPort, Code.AccessAccept], [d.acctPort, Code.AccountingResponse]] as const) {
        const request = statusServer(MAIN_SECRET);
        const reply = await client.exchange(request, port);
        expect(reply, `port ${port}`).toBeDefined();
        const checked = checkReply(reply!, request, MAIN_SECRET);
        expect(checked.packet.code).toBe(code);
        expect(checked.authentic).toBe(true);
        // RFC 5997 section 3: the reply's Message-Authenticator is computed with the Status-Server's authenticator.
        expect(checked.messageAuthenticator).toBe('valid');
        expect(checked.messageAuthenticatorIndex).toBe(0);
      }
    } finally {
      await client.close();
    }
  });

  it('simultaneousUse (default 1): a second session is rejected while the first is open, allowed after its Stop', async () => {
    expect(services.get('carol')!.simultaneousUse).toBe(1);
    const login = (mac: string) =>
      radclient(main, 'auth', MAIN_SECRET, {
        'User-Name': quoted('carol'), 'User-Password': quoted('carol-pass-1'), 'Calling-Station-Id': quoted(mac), 'Message-Authenticator': '0x00',
      });
    expectPlanAttributes(await login('AA-BB-CC-00-00-01'));
    const start = { 'User-Name': quoted('carol'), 'Acct-Session-Id': quoted('carol-1'), 'Calling-Station-Id': quoted('AA-BB-CC-00-00-01') };
    expect((await acctSend({ ...start, 'Acct-Status-Type': 'Start' }))?.code).toBe('Accounting-Response');

    const second = await login('AA-BB-CC-00-00-02');
    expect(second?.code).toBe('Access-Reject');
    expect(second!.attrs.get('Reply-Message')).toBe('"already connected: 1 open session(s), limit 1"');
    expect((await authLog('username=carol&limit=1'))[0]).toMatchObject({ outcome: 'reject', reason: 'already connected: 1 open session(s), limit 1', callingStationId: 'AA:BB:CC:00:00:02' });

    expect((await acctSend({ ...start, 'Acct-Status-Type': 'Stop', 'Acct-Terminate-Cause': 'User-Request' }))?.code).toBe('Accounting-Response');
    expectPlanAttributes(await login('AA-BB-CC-00-00-02'));
  });

  it('accounting Start, Interim-Update and Stop: the session in /api/v1/sessions with exact bytes across a Gigawords wrap', async () => {
    const base = { 'User-Name': quoted('dave'), 'Acct-Session-Id': quoted('dave-1') };
    const ok = async (attrs: Record<string, string>) => expect((await acctSend({ ...base, ...attrs }))?.code).toBe('Accounting-Response');
    await ok({ 'Acct-Status-Type': 'Start', 'Framed-IP-Address': '100.64.1.20', 'Calling-Station-Id': quoted('aa-bb-cc-00-00-10'), 'NAS-Port-Id': quoted('pppoe-dave') });

    const [open] = await sessions('active=true&username=dave');
    expect(open).toMatchObject({
      acctSessionId: 'dave-1', username: 'dave', serviceId: services.get('dave')!.id, nasId: ids.nasMain, active: true, stoppedAt: null,
      framedIpAddress: '100.64.1.20', callingStationId: 'AA:BB:CC:00:00:10', nasPort: 'pppoe-dave', inputOctets: 0, outputOctets: 0,
    });
    // The filter is a filter: another user's open session is not listed under dave.
    expect((await sessions('active=true&username=dave')).every((s) => s.username === 'dave')).toBe(true);

    await ok({
      'Acct-Status-Type': 'Interim-Update', 'Acct-Session-Time': '300',
      'Acct-Input-Gigawords': '1', 'Acct-Input-Octets': '5', 'Acct-Output-Gigawords': '2', 'Acct-Output-Octets': '7',
    });
    expect((await sessions('active=true&username=dave'))[0]).toMatchObject({ active: true, sessionTime: 300, inputOctets: 4294967301, outputOctets: 8589934599 });

    await ok({
      'Acct-Status-Type': 'Stop', 'Acct-Session-Time': '600', 'Acct-Terminate-Cause': 'User-Request',
      'Acct-Input-Gigawords': '1', 'Acct-Input-Octets': '1000', 'Acct-Output-Gigawords': '2', 'Acct-Output-Octets': '2000',
    });
    expect(await sessions('active=true&username=dave')).toHaveLength(0);
    const all = await sessions('username=dave');
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ active: false, sessionTime: 600, inputOctets: 4294968296, outputOctets: 8589936592, terminateCause: 'User-Request' });
    expect(all[0]!.stoppedAt).toEqual(expect.any(String));
    expect((await sessions('active=false&username=dave')).map((s) => s.acctSessionId)).toEqual(['dave-1']);
    // Daily usage (what data caps and reports read) got each delta exactly once.
    expect(await usage(services.get('dave')!.id)).toEqual({ input: 4294968296, output: 8589936592 });
  });

  it('a retransmitted Stop changes nothing twice, nor does a late record for a closed session', async () => {
    const client = await UdpClient.open();
    try {
      const id = services.get('dave')!.id;
      const send = async (packet: Buffer) => {
        const reply = await client.exchange(packet, d.acctPort);
        expect(reply).toBeDefined();
        const checked = checkReply(reply!, packet, MAIN_SECRET);
        expect(checked.packet.code).toBe(Code.AccountingResponse);
        expect(checked.authentic).toBe(true);
        return reply!;
      };
      const session = { 'User-Name': 'dave', 'Acct-Session-Id': 'dave-2' };
      await send(accountingRequest(MAIN_SECRET, { ...session, 'Acct-Status-Type': 'Start' }));
      const before = await usage(id);
      const stop = accountingRequest(MAIN_SECRET, { ...session, 'Acct-Status-Type': 'Stop', 'Acct-Session-Time': 60, 'Acct-Input-Octets': 1000, 'Acct-Output-Octets': 3000 });
      const first = await send(stop);
      const after = await usage(id);
      expect(after).toEqual({ input: before.input + 1000, output: before.output + 3000 });
      const closed = (await sessions('username=dave')).find((s) => s.acctSessionId === 'dave-2')!;
      expect(closed).toMatchObject({ active: false, inputOctets: 1000, outputOctets: 3000 });

      // The same datagram again (the NAS missed our answer): the same answer, no second write.
      expect((await send(stop)).equals(first)).toBe(true);
      // A fresh Stop and an Interim with larger counters for the closed session: acknowledged, ignored.
      await send(accountingRequest(MAIN_SECRET, { ...session, 'Acct-Status-Type': 'Stop', 'Acct-Session-Time': 90, 'Acct-Input-Octets': 5000, 'Acct-Output-Octets': 9000 }));
      await send(accountingRequest(MAIN_SECRET, { ...session, 'Acct-Status-Type': 'Interim-Update', 'Acct-Input-Octets': 7000, 'Acct-Output-Octets': 9999 }));
      expect(await usage(id)).toEqual(after);
      expect((await sessions('username=dave')).find((s) => s.acctSessionId === 'dave-2')).toEqual(closed);
    } finally {
      await client.close();
    }
  });

  it("Accounting-On and Accounting-Off close that NAS's open sessions and no other's", async () => {
    const start = (user: string, sid: string, extra: Record<string, string> = {}, secret = MAIN_SECRET) =>
      acctSend({ 'User-Name': quoted(user), 'Acct-Session-Id': quoted(sid), 'Acct-Status-Type': 'Start', ...extra }, secret);
    expect((await start('erin', 'erin-1'))?.code).toBe('Accounting-Response');
    expect((await start('frank', 'frank-1', { 'NAS-Identifier': quoted('lax') }, LAX_SECRET))?.code).toBe('Accounting-Response');
    expect((await sessions('active=true&username=erin'))[0]).toMatchObject({ nasId: ids.nasMain });
    expect((await sessions('active=true&username=frank'))[0]).toMatchObject({ nasId: ids.nasLax });

    // The lax router reboots: only its session ends.
    expect((await acctSend({ 'Acct-Status-Type': 'Accounting-On', 'NAS-Identifier': quoted('lax') }, LAX_SECRET))?.code).toBe('Accounting-Response');
    expect(await sessions('active=true&username=frank')).toHaveLength(0);
    expect((await sessions('username=frank'))[0]).toMatchObject({ active: false, terminateCause: 'NAS-Reboot' });
    expect(await sessions('active=true&username=erin')).toHaveLength(1);

    expect((await acctSend({ 'Acct-Status-Type': 'Accounting-Off' }))?.code).toBe('Accounting-Response');
    expect(await sessions('active=true&username=erin')).toHaveLength(0);
    expect((await sessions('username=erin'))[0]).toMatchObject({ active: false, terminateCause: 'NAS-Request' });
    expect(await sessions('active=true')).toHaveLength(0);
  });

  it('a NAS created, changed and deleted through the API applies without a restart', async () => {
    const login = { 'User-Name': quoted('alice'), 'User-Password': quoted('alice-pass-1'), 'NAS-Identifier': quoted('late'), 'Message-Authenticator': '0x00' };
    // Unknown identifier: the request falls to the 127.0.0.1 entry, whose secret it does not know.
    expect(await radclient(main, 'auth', LATE_SECRET, login, { timeout: 1 })).toBeUndefined();

    const nas = await call('POST', '/api/v1/nas', { name: 'late', ipAddress: '127.0.0.0/8', nasIdentifier: 'late', secret: LATE_SECRET, vendor: 'generic' });
    const accepted = await radclient(main, 'auth', LATE_SECRET, login);
    expect(accepted?.code, accepted?.stdout).toBe('Access-Accept');
    // A generic NAS gets WISPr bandwidth (bit/s), not MikroTik's rate limit: the new entry was used.
    expect(accepted!.attrs.get('WISPr-Bandwidth-Max-Down')).toBe('10000000');
    expect(accepted!.attrs.get('WISPr-Bandwidth-Max-Up')).toBe('2000000');
    expect(accepted!.attrs.has('Mikrotik-Rate-Limit')).toBe(false);

    await call('PATCH', `/api/v1/nas/${nas.id}`, { secret: `${LATE_SECRET}-2` });
    const [oldSecret, newSecret] = await Promise.all([
      radclient(main, 'auth', LATE_SECRET, login, { timeout: 1 }),
      radclient(main, 'auth', `${LATE_SECRET}-2`, login),
    ]);
    expect(oldSecret).toBeUndefined();
    expect(newSecret?.code).toBe('Access-Accept');

    await call('DELETE', `/api/v1/nas/${nas.id}`, undefined, 204);
    expect(await radclient(main, 'auth', `${LATE_SECRET}-2`, login, { timeout: 1 })).toBeUndefined();
  });

  it.skipIf(!ipv6)('the IPv6 listener on [::1] serves a NAS added for ::1', async () => {
    const server = `[::1]:${auth6Port}`;
    const login = { 'User-Name': quoted('alice'), 'User-Password': quoted('alice-pass-1'), 'Message-Authenticator': '0x00' };
    // ::1 is not a known client yet.
    expect(await radclient(server, 'auth', V6_SECRET, login, { timeout: 1 })).toBeUndefined();
    const nas = await call('POST', '/api/v1/nas', { name: 'v6', ipAddress: '::1', secret: V6_SECRET, vendor: 'mikrotik' });
    const ok = await radtest('pap', 'alice', 'alice-pass-1', server, V6_SECRET);
    expectPlanAttributes(ok);
    expect(ok!.attrs.get('Framed-IP-Address')).toBe('100.64.0.10');
    const no = await radtest('pap', 'alice', 'alice-pass-2', server, V6_SECRET);
    expect(no!.attrs.get('Reply-Message')).toBe('"wrong password"');
    expect((await authLog('username=alice&limit=1'))[0]).toMatchObject({ outcome: 'reject', nasId: nas.id });
  });
});
