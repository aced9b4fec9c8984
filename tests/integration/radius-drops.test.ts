// Drops an operator can fix, seen from the API of the running daemon: real datagrams on loopback,
// a router that does not sign its requests, one with the wrong secret, one no NAS entry covers, and
// "Why offline?"'s view of a subscriber whose login never reached the authorizer.
import dgram from 'node:dgram';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createToken, startDaemon, type Daemon } from '../helpers/daemon.js';
import { accessRequest, accountingRequest, UdpClient } from '../helpers/radius.js';

const SECRET = 'tower-shared-secret';

describe('RADIUS drops in the API', () => {
  let d: Daemon;
  let token: string;
  let nasId: number;
  let serviceId: number;
  let client: UdpClient;

  const call = async (path: string) => {
    const r = await api(d.http, token, 'GET', path);
    expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
    return r.body;
  };
  /** Waits until a counter appears: the datagram is handled asynchronously to the API request. */
  const counters = async (path: string, atLeast: number) => {
    const until = Date.now() + 3000;
    for (;;) {
      const body = await call(path);
      if (body.items.length >= atLeast || Date.now() > until) return body;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    d = await startDaemon();
    token = createToken(d.config);
    const post = async (path: string, body: unknown) => {
      const r = await api(d.http, token, 'POST', path, body);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body;
    };
    nasId = (await post('/api/v1/nas', { name: 'tower', ipAddress: '127.0.0.1', secret: SECRET, vendor: 'mikrotik' })).id;
    const planId = (await post('/api/v1/plans', { name: 'Home', type: 'recurring', price: 2500, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 })).id;
    const customerId = (await post('/api/v1/customers', { name: 'Mario Rossi' })).id;
    serviceId = (await post('/api/v1/services', { customerId, planId, username: 'mario', password: 'mario-pass-1', startDate: '2026-01-01' })).id;
    client = await UdpClient.open();
  });
  afterAll(async () => {
    await client?.close();
    if (!d) return;
    expect(await d.stop()).toBe(0);
    rmSync(d.dir, { recursive: true, force: true });
  });

  it('counts unsigned and wrongly signed requests per NAS with the RouterOS fix, and answers none of them', async () => {
    expect(await client.exchange(accessRequest(SECRET, { 'User-Name': 'mario', 'User-Password': 'mario-pass-1' }, false), d.authPort, '127.0.0.1', 400)).toBeUndefined();
    expect(await client.exchange(accessRequest(SECRET, { 'User-Name': 'mario', 'User-Password': 'mario-pass-1' }, false), d.authPort, '127.0.0.1', 400)).toBeUndefined();
    expect(await client.exchange(accessRequest('not-the-secret', { 'User-Name': 'mario', 'User-Password': 'mario-pass-1' }), d.authPort, '127.0.0.1', 400)).toBeUndefined();
    expect(await client.exchange(accountingRequest('not-the-secret', { 'User-Name': 'mario', 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 'x1' }), d.acctPort, '127.0.0.1', 400)).toBeUndefined();

    const body = await counters(`/api/v1/nas/${nasId}/drops`, 3);
    const by = new Map(body.items.map((i: { reason: string }) => [i.reason, i]));
    expect(by.get('missing_message_authenticator')).toMatchObject({
      nasId, source: '127.0.0.1', count: 2, lastUsername: 'mario', hint: { routeros: '/radius set [find] require-message-auth=yes' },
    });
    expect(by.get('bad_message_authenticator')).toMatchObject({ nasId, count: 1, hint: { routeros: expect.stringContaining('secret=') } });
    expect(by.get('bad_authenticator')).toMatchObject({ nasId, count: 1, lastUsername: 'mario' });
    const first = by.get('missing_message_authenticator') as { firstAt: string; lastAt: string };
    expect(Date.parse(first.lastAt)).toBeGreaterThanOrEqual(Date.parse(first.firstAt));
    expect(body.since).toEqual(expect.any(String));
  });

  it('counts a source no NAS entry covers by its address', async () => {
    const stranger = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => stranger.bind(0, '127.0.0.2', () => resolve()));
    try {
      stranger.send(accessRequest('whatever', { 'User-Name': 'luigi', 'User-Password': 'x' }), d.authPort, '127.0.0.1');
      const body = await counters('/api/v1/radius-drops?unknown=true', 1);
      expect(body.items).toEqual([expect.objectContaining({ nasId: null, source: '127.0.0.2', reason: 'unknown_client', count: 1, lastUsername: 'luigi' })]);
      expect(body.items[0].hint.text).toMatch(/no NAS entry covers/);
      // The tower's own counters do not include it.
      expect((await call(`/api/v1/nas/${nasId}/drops`)).items.map((i: { reason: string }) => i.reason)).not.toContain('unknown_client');
    } finally {
      await new Promise<void>((resolve) => stranger.close(() => resolve()));
    }
  });

  it("shows a subscriber's dropped requests just before the login that got through", async () => {
    const accepted = await client.exchange(accessRequest(SECRET, { 'User-Name': 'mario', 'User-Password': 'mario-pass-1' }), d.authPort);
    expect(accepted?.[0]).toBe(2); // Access-Accept once the router signs
    const drops = (await call(`/api/v1/services/${serviceId}/radius-drops`)).items as Array<{ at: string; reason: string; username: string }>;
    expect(drops.map((x) => x.reason)).toEqual(['bad_authenticator', 'bad_message_authenticator', 'missing_message_authenticator', 'missing_message_authenticator']);
    expect(drops.every((x) => x.username === 'mario')).toBe(true);
    const until = Date.now() + 3000;
    let login: { at: string } | undefined;
    while (!login && Date.now() < until) {
      login = (await call(`/api/v1/auth-log?serviceId=${serviceId}`)).items[0];
      if (!login) await new Promise((r) => setTimeout(r, 50));
    }
    expect(Date.parse(login!.at)).toBeGreaterThanOrEqual(Date.parse(drops[0]!.at));
    expect((await call('/api/v1/radius-drops/recent?username=luigi')).items).toEqual([expect.objectContaining({ reason: 'unknown_client', nasId: null })]);
  });

  it('answers bad input and unknown records with problem+json', async () => {
    for (const [path, field] of [['/api/v1/radius-drops?nasId=zero', 'nasId'], ['/api/v1/radius-drops/recent?limit=0', 'limit'], ['/api/v1/nas/x/drops', 'id'], ['/api/v1/services/x/radius-drops', 'id']]) {
      const r = await api(d.http, token, 'GET', path!);
      expect(r.status, path).toBe(422);
      expect(r.type).toContain('application/problem+json');
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await api(d.http, token, 'GET', '/api/v1/nas/9999/drops')).status).toBe(404);
  });
});
