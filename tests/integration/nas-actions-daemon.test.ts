// The acceptance check of issue 4 against the compiled daemon as production runs it (`npm run build`
// first): a service with an open session, `POST /api/v1/services/{id}/suspend`, a Disconnect-ACK
// from the NAS simulator within 2 s, and the action log showing it confirmed by the Accounting-Stop
// the simulator then sends. Then SIGTERM: the daemon stops its ServiceControl and exits 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonDatabase } from '../helpers/backends.js';
import { api, createToken, startDaemon, tempDir, writeConfig, type Daemon } from '../helpers/daemon.js';
import { NasSim, SIM_CODES } from '../helpers/nas-sim.js';
import { accountingRequest, UdpClient } from '../helpers/radius.js';

const SECRET = 'daemon-coa-secret';

describe('the daemon acts on the network', () => {
  let d: Daemon;
  let token: string;
  let sim: NasSim;
  let udp: UdpClient;

  const call = async (method: string, path: string, body?: unknown) => {
    const r = await api(d.http, token, method, path, body);
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    return r.body;
  };
  const accounting = async (kind: 'Start' | 'Stop', username: string, sessionId: string) => {
    const req = accountingRequest(SECRET, {
      'Acct-Status-Type': kind, 'User-Name': username, 'Acct-Session-Id': sessionId, 'NAS-IP-Address': '127.0.0.1', 'Framed-IP-Address': '100.64.1.1',
    });
    expect(await udp.exchange(req, d.acctPort)).toBeDefined();
  };

  beforeAll(async () => {
    const dir = tempDir('tollgate-daemon-coa-');
    d = await startDaemon({
      dir,
      config: writeConfig(dir, '', (await daemonDatabase(dir)).toml),
      env: { TOLLGATE_RADIUS_COA_TIMEOUT_MS: '300', TOLLGATE_RADIUS_COA_TRIES: '2', TOLLGATE_RADIUS_DISCONNECT_CONFIRM_SECONDS: '5' },
    });
    token = createToken(d.config);
    sim = await NasSim.start({ secret: SECRET });
    udp = await UdpClient.open();
  }, 60_000);

  afterAll(async () => {
    await d?.stop();
    await sim?.close();
    await udp?.close();
  });

  it('suspend: a Disconnect-ACK within 2 s, confirmed by the Stop, in the action log', async () => {
    sim.policy = (req) => {
      if (req.code === SIM_CODES.DisconnectRequest && req.transmission === 1) setTimeout(() => void accounting('Stop', req.userName!, req.acctSessionId!), 50);
      return { kind: 'ack' };
    };
    const nas = await call('POST', '/api/v1/nas', { name: 'sim', ipAddress: '127.0.0.1', secret: SECRET, vendor: 'mikrotik', coaPort: sim.port });
    const plan = await call('POST', '/api/v1/plans', { name: 'p', type: 'recurring', price: 1000, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 });
    const customer = await call('POST', '/api/v1/customers', { name: 'c' });
    const s = await call('POST', '/api/v1/services', { customerId: customer.id, planId: plan.id, username: 'dana', password: 'pw-123456', startDate: '2026-01-01' });
    await accounting('Start', 'dana', 'd-0001');

    const t0 = Date.now();
    const summary = await call('POST', `/api/v1/services/${s.id}/suspend`, { reason: 'invoice overdue' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(summary.actions).toEqual([{ id: expect.any(Number), kind: 'disconnect', sessionId: 'd-0001', outcome: expect.stringMatching(/^(acked|confirmed)$/) }]);
    expect(sim.received).toHaveLength(1);
    expect(sim.received[0]).toMatchObject({ code: SIM_CODES.DisconnectRequest, userName: 'dana', acctSessionId: 'd-0001', framedIpAddress: '100.64.1.1', hasMessageAuthenticator: true });

    let action: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && action?.outcome !== 'confirmed'; i++) {
      action = (await call('GET', `/api/v1/actions?serviceId=${s.id}`)).items[0];
      if (action?.outcome !== 'confirmed') await new Promise((r) => setTimeout(r, 50));
    }
    expect(action).toMatchObject({ outcome: 'confirmed', kind: 'disconnect', reason: 'invoice overdue', nasId: nas.id });
    expect((await call('GET', `/api/v1/sessions?serviceId=${s.id}&active=true`)).items).toEqual([]);
    const metrics = await (await fetch(`${d.http}/metrics`)).text();
    expect(metrics).toMatch(/tollgate_nas_actions_total\{kind="disconnect",outcome="confirmed"\} 1/);

    expect(await d.stop('SIGTERM')).toBe(0);
  });
});
