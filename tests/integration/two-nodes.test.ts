/**
 * Two Tollgate nodes on one PostgreSQL, behind a NAS that has both as primary and secondary RADIUS
 * server (tests/helpers/nas-client.ts), as issue "Past one machine" asks:
 * - node A is killed with SIGKILL under login and accounting load: the NAS's retransmissions are
 *   answered by node B and no accounting record either node acknowledged is lost;
 * - the daily billing run of a date, asked of both nodes at once, bills once;
 * - a suspension requested through node A disconnects a session whose accounting went to node B;
 * - a data cap lowered through node A is enforced by node B at the session's next interim.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createPostgresDatabase, postgresReady } from '../helpers/backends.js';
import { api, createToken, startDaemon, tempDir, writeConfig, type Daemon } from '../helpers/daemon.js';
import { FailoverNas } from '../helpers/nas-client.js';
import { NasSim, SIM_CODES } from '../helpers/nas-sim.js';
import { accessRequest, accountingRequest, UdpClient } from '../helpers/radius.js';

const SECRET = 'two-nodes-secret';
const USERS = 40;

describe.skipIf(!postgresReady)('two nodes on one PostgreSQL', () => {
  let url: string;
  let a: Daemon;
  let b: Daemon;
  let token: string;
  let sim: NasSim;
  let db: pg.Client;
  const serviceIds = new Map<string, number>();

  const node = async (name: string) => {
    const dir = tempDir(`tollgate-node-${name}-`);
    // Each node's own config file, as on separate machines: the same database and the same at-rest
    // key (NAS secrets and passwords are sealed with it in the shared database); the CLI reads it too.
    // The daily run's time twelve hours ahead in the billing time zone: today is not run at start, so
    // the test's own run of today is the one both nodes race for.
    const runAt = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(Date.now() + 12 * 3_600_000);
    const config = writeConfig(dir, `[security]\nsecret_key = "${'cd'.repeat(32)}"\n[billing]\nrun_at = "${runAt}"\n`);
    writeFileSync(config, readFileSync(config, 'utf8').replace('[database]\n', `[database]\nurl = "${url}"\npool_size = 4\n`));
    return startDaemon({ dir, config, env: { TOLLGATE_RADIUS_COA_TIMEOUT_MS: '300', TOLLGATE_RADIUS_COA_TRIES: '2' } });
  };
  const call = async (d: Daemon, method: string, path: string, body?: unknown) => {
    const r = await api(d.http, token, method, path, body);
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    return r.body;
  };

  beforeAll(async () => {
    url = await createPostgresDatabase({ empty: true });
    a = await node('a');
    b = await node('b');
    token = createToken(a.config);
    sim = await NasSim.start({ secret: SECRET });
    sim.policy = () => ({ kind: 'ack' });
    db = new pg.Client({ connectionString: url });
    await db.connect();
    await call(a, 'POST', '/api/v1/nas', { name: 'sim', ipAddress: '127.0.0.1', secret: SECRET, vendor: 'mikrotik', coaPort: sim.port });
    const plan = await call(a, 'POST', '/api/v1/plans', { name: 'p', type: 'recurring', price: 1000, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 });
    for (let i = 1; i <= USERS; i++) {
      const c = await call(a, 'POST', '/api/v1/customers', { name: `c${i}` });
      const s = await call(a, 'POST', '/api/v1/services', { customerId: c.id, planId: plan.id, username: `u${i}`, password: `pw-${i}-secret`, startDate: '2026-01-01' });
      serviceIds.set(`u${i}`, s.id);
    }
  }, 120_000);

  afterAll(async () => {
    await a?.stop('SIGKILL');
    await b?.stop();
    await sim?.close();
    await db?.end();
  });

  it('reads again on node B the one service changed through node A, keeping the others in memory', async () => {
    const cached = async (d: Daemon) => Number(/^tollgate_radius_services_cached (\S+)$/m.exec(await (await fetch(`${d.http}/metrics`)).text())?.[1]);
    const login = async (password: string) => {
      const probe = await UdpClient.open();
      const r = await probe.exchange(accessRequest(SECRET, { 'User-Name': 'u7', 'User-Password': password, 'NAS-IP-Address': '127.0.0.1' }), b.authPort);
      await probe.close();
      return r?.[0];
    };
    for (const end = Date.now() + 10_000; (await cached(b)) < USERS && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
    expect(await cached(b)).toBe(USERS);
    expect(await login('pw-7-secret')).toBe(2);

    await call(a, 'PATCH', `/api/v1/services/${serviceIds.get('u7')}`, { password: 'pw-7-changed' });
    // B hears of it by NOTIFY and reads that service again; its cache is never emptied meanwhile (a
    // reload of every service would show as fewer cached for a second or more).
    let fewest = USERS;
    let accepted = false;
    for (const end = Date.now() + 5000; Date.now() < end && !accepted;) {
      fewest = Math.min(fewest, await cached(b));
      accepted = (await login('pw-7-changed')) === 2;
    }
    expect(accepted).toBe(true);
    expect(await login('pw-7-secret')).toBe(3);
    for (let i = 0; i < 20; i++) {
      fewest = Math.min(fewest, await cached(b));
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(fewest).toBeGreaterThanOrEqual(USERS - 1);
    await call(a, 'PATCH', `/api/v1/services/${serviceIds.get('u7')}`, { password: 'pw-7-secret' });
    for (const end = Date.now() + 5000; Date.now() < end && (await login('pw-7-secret')) !== 2;) await new Promise((r) => setTimeout(r, 50));
  }, 60_000);

  it('answers the NAS from node B once node A is killed, and loses no acknowledged accounting record', async () => {
    // B learned of the NAS and services A created through NOTIFY: it authenticates them too.
    const probe = await UdpClient.open();
    const r = await probe.exchange(accessRequest(SECRET, { 'User-Name': 'u1', 'User-Password': 'pw-1-secret', 'NAS-IP-Address': '127.0.0.1' }), b.authPort);
    await probe.close();
    expect(r?.[0]).toBe(2); // Access-Accept

    // Patient enough for a loaded CI machine; a dead server is still left after two silent sends.
    const nas = new FailoverNas({ servers: [{ name: 'a', authPort: a.authPort, acctPort: a.acctPort }, { name: 'b', authPort: b.authPort, acctPort: b.acctPort }], timeoutMs: 1000, tries: 2 });
    const acked: { session: string; status: string; octets: number; server: string }[] = [];
    const unanswered: string[] = [];
    let killed = false;
    const worker = async (w: number) => {
      const client = await UdpClient.open();
      try {
        // Until a few rounds after the kill, so requests are in flight when node A dies and after.
        for (let round = 0, after = 0; after < 3; round++) {
          if (killed) after++;
          // Each worker its own five subscribers, one session at a time: no simultaneous-use refusal.
          const user = `u${w * 5 + (round % 5) + 1}`;
          const login = await nas.send(client, accessRequest(SECRET, { 'User-Name': user, 'User-Password': `pw-${user.slice(1)}-secret`, 'NAS-IP-Address': '127.0.0.1' }), 'auth');
          if (!login) unanswered.push(`auth ${user}`);
          else expect(login.reply[0]).toBe(2);
          const session = `w${w}-r${round}`;
          for (const [status, octets] of [['Start', 0], ['Interim-Update', 1000 * (round + 1)], ['Stop', 2000 * (round + 1)]] as const) {
            const req = accountingRequest(SECRET, {
              'Acct-Status-Type': status, 'User-Name': user, 'Acct-Session-Id': session, 'NAS-IP-Address': '127.0.0.1',
              'Acct-Input-Octets': octets, 'Acct-Output-Octets': octets, 'Acct-Session-Time': round + 1,
            });
            const answered = await nas.send(client, req, 'acct');
            if (answered) acked.push({ session, status, octets, server: answered.server });
            else unanswered.push(`acct ${session} ${status}`);
          }
        }
      } finally {
        await client.close();
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    await new Promise((r) => setTimeout(r, 400));
    a.proc.kill('SIGKILL');
    killed = true;
    await load;
    expect(killed).toBe(true);
    expect(unanswered).toEqual([]);
    expect(nas.failovers[0]).toEqual({ from: 'a', to: 'b' });
    expect(acked.some((x) => x.server === 'a')).toBe(true);
    expect(acked.some((x) => x.server === 'b')).toBe(true);

    // Every acknowledged record is in the database, whichever node acknowledged it.
    const rows = (await db.query<{ acct_session_id: string; stopped: boolean; input: string }>(
      `select acct_session_id, stopped_at is not null as stopped, input_octets::text as input from radius_sessions`,
    )).rows;
    const bySession = new Map(rows.map((r) => [r.acct_session_id, r]));
    for (const x of acked) {
      const row = bySession.get(x.session);
      expect(row, `${x.status} of ${x.session} acknowledged by ${x.server}`).toBeDefined();
      if (x.status === 'Stop') expect(row).toMatchObject({ stopped: true, input: String(x.octets) });
      else expect(Number(row!.input)).toBeGreaterThanOrEqual(x.octets);
    }
  }, 120_000);

  it('bills today once when both nodes are asked to run it at once', async () => {
    a = await node('a2'); // the killed node comes back, and catches up again
    const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date());
    const [ra, rb] = await Promise.all([api(a.http, token, 'POST', '/api/v1/billing/run', { date }), api(b.http, token, 'POST', '/api/v1/billing/run', { date })]);
    // One node runs it; the other finds it run, or finds the other node holding the daily jobs
    // (409, naming it): never a second run.
    const ran = [ra, rb].filter((r) => r.status === 200 && !r.body.alreadyRun);
    expect(ran).toHaveLength(1);
    for (const r of [ra, rb]) {
      if (r.status === 409) expect(r.body.detail).toMatch(/the daily jobs are running in another process/);
      else expect(r.status).toBe(200);
    }
    expect(ran[0]!.body.days.at(-1)).toMatchObject({ date, invoices: USERS });
    // A run counts what it issued on its billing_runs row: a date run twice (by two nodes) would
    // count its invoices twice while the line keys kept the invoices single.
    const runs = (await db.query<{ dates: string; distinct_dates: string; counted: string }>(
      `select count(*)::text as dates, count(distinct run_date)::text as distinct_dates, coalesce(sum(invoices), 0)::text as counted from billing_runs where finished_at is not null`,
    )).rows[0]!;
    const issued = (await db.query<{ n: string; customers: string }>(`select count(*)::text as n, count(distinct customer_id)::text as customers from invoices`)).rows[0]!;
    expect(Number(runs.dates)).toBeGreaterThan(0);
    expect(runs.dates).toBe(runs.distinct_dates);
    expect(Number(issued.n)).toBeGreaterThan(0);
    expect(runs.counted).toBe(issued.n);
    expect(Number(issued.customers)).toBe(USERS);
    // Every customer billed the same months: once each.
    const perCustomer = (await db.query<{ n: string }>(`select count(*)::text as n from invoices group by customer_id`)).rows.map((r) => r.n);
    expect(new Set(perCustomer).size).toBe(1);
  }, 120_000);

  it('disconnects through node A a session whose accounting goes to node B', async () => {
    sim.received.length = 0;
    const client = await UdpClient.open();
    const start = accountingRequest(SECRET, { 'Acct-Status-Type': 'Start', 'User-Name': 'u3', 'Acct-Session-Id': 'on-b-1', 'NAS-IP-Address': '127.0.0.1', 'Framed-IP-Address': '100.64.9.3' });
    expect(await client.exchange(start, b.acctPort)).toBeDefined();
    await client.close();
    const summary = await call(a, 'POST', `/api/v1/services/${serviceIds.get('u3')}/suspend`, { reason: 'two nodes' });
    expect(summary.actions).toEqual([expect.objectContaining({ kind: 'disconnect', sessionId: 'on-b-1' })]);
    await new Promise((r) => setTimeout(r, 500));
    const disconnects = sim.received.filter((p) => p.code === SIM_CODES.DisconnectRequest && p.transmission === 1);
    expect(disconnects).toHaveLength(1);
    expect(disconnects[0]).toMatchObject({ userName: 'u3', acctSessionId: 'on-b-1' });
  }, 60_000);

  it('enforces on node B, at the next interim, a data cap lowered through node A', async () => {
    const plan = await call(a, 'POST', '/api/v1/plans', {
      name: 'capped', type: 'recurring', price: 1000, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000, dataCapBytes: 10_000_000_000, capAction: 'block',
    });
    const c = await call(a, 'POST', '/api/v1/customers', { name: 'capped customer' });
    await call(a, 'POST', '/api/v1/services', { customerId: c.id, planId: plan.id, username: 'ucap', password: 'pw-cap-secret', startDate: '2026-01-01' });
    sim.received.length = 0;
    const client = await UdpClient.open();
    let octets = 0;
    const send = async (status: 'Start' | 'Interim-Update') => {
      const r = await client.exchange(accountingRequest(SECRET, {
        'Acct-Status-Type': status, 'User-Name': 'ucap', 'Acct-Session-Id': 'cap-on-b', 'NAS-IP-Address': '127.0.0.1', 'Framed-IP-Address': '100.64.9.9',
        'Acct-Input-Octets': octets, 'Acct-Output-Octets': 0,
      }), b.acctPort);
      expect(r).toBeDefined();
    };
    const disconnected = () => sim.received.some((p) => p.code === SIM_CODES.DisconnectRequest && p.acctSessionId === 'cap-on-b');
    try {
      await send('Start');
      octets = 60_000;
      await send('Interim-Update');
      // Node B now counts this service against the 10 GB cap: nothing to do.
      await new Promise((r) => setTimeout(r, 300));
      expect(disconnected()).toBe(false);

      await call(a, 'PATCH', `/api/v1/plans/${plan.id}`, { dataCapBytes: 100_000 });
      // B hears of the plan's change by NOTIFY and reads the counter again at the next interim; before,
      // it kept the old cap for five minutes.
      for (const end = Date.now() + 5000; Date.now() < end && !disconnected();) {
        octets += 30_000;
        await send('Interim-Update');
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(disconnected()).toBe(true);
      expect(octets).toBeLessThan(300_000);
    } finally {
      await client.close();
    }
  }, 60_000);
});
