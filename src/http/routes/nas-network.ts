/**
 * The network side of a NAS: RouterOS reconciliation reports and runs, SNMP status and traffic,
 * the onboarding commands for a MikroTik router, and the CoA self-test.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isIP } from 'node:net';
import { parseListen, type Config } from '../../config/schema.js';
import type { Db } from '../../db/client.js';
import { createPgAccountingWriter } from '../../db/pg-writer.js';
import type { SqlClient } from '../../db/sql.js';
import { auditNas, nasStore, type NasRow } from '../../db/nas.js';
import { AccountingWriter } from '../../db/radius.js';
import { nasSingleAddress } from '../../db/repos.js';
import type { Clock } from '../../lib/clock.js';
import { keyedError, notFound, said, TollgateError, type LocalText } from '../../lib/errors.js';
import type { SecretBox } from '../../lib/secretbox.js';
import { onboardingCommands } from '../../nas/onboarding.js';
import { NasReconciler } from '../../nas/reconcile-job.js';
import { coaSelfTest } from '../../nas/self-test.js';
import type { RetryPolicy } from '../../radius/coa/client.js';
import { NasStatus, Onboarding, OnboardingQuery, Reconciliation, ReconciliationList, ReconciliationQuery, SelfTest, Traffic, TrafficQuery } from '../nas-schemas.js';
import { IdParams, ProblemSchema } from '../schemas.js';
import { actorOf } from './crud.js';

export interface NasNetworkOptions {
  sql: SqlClient;
  /** SQLite only: for the writer of its own when there is no reconciler (tests, tools). */
  db?: Db | undefined;
  box: SecretBox;
  config: Config;
  clock: Clock;
  /** The daemon's reconciler (through the RADIUS server's writer); absent, one with a writer of its own. */
  reconciler?: NasReconciler | undefined;
  /** The RADIUS listeners' bound addresses, for onboarding when the config says port 0 (tests). */
  radiusAddresses?: (() => { auth: string[]; acct: string[] }) | undefined;
  /** Retransmissions of the self-test's Disconnect-Request (default: 1 s, two tries). */
  selfTestRetry?: Partial<RetryPolicy> | undefined;
}

const errors = { 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };
const tags = ['nas'];

function portOf(bound: string[] | undefined, configured: string[]): number {
  const parsed = [...(bound ?? []), ...configured].map((l) => parseListen(l)?.port).filter((p): p is number => p !== undefined && p > 0);
  return parsed[0] ?? 0;
}

export async function nasNetworkRoutes(app: FastifyInstance, opts: NasNetworkOptions): Promise<void> {
  const sql = opts.sql;
  const store = nasStore(sql);
  const audit = auditNas(sql);
  let reconciler = opts.reconciler;
  if (!reconciler) {
    // Without a RADIUS server in this process (tests, tools), sessions are written here directly.
    const writer = opts.db ? new AccountingWriter(opts.db, () => {}, { index: false }) : await createPgAccountingWriter(sql);
    reconciler = new NasReconciler({
      store, box: opts.box, clock: opts.clock, writer, timezone: opts.config.billing.timezone, graceSeconds: opts.config.nas.reconcile_grace_seconds,
    });
    app.addHook('onClose', async () => {
      await reconciler!.idle();
      writer.close();
    });
  }
  const rec = reconciler;

  const nasOf = async (id: number): Promise<NasRow> => {
    const row = await store.nas(id);
    if (!row) throw notFound('NAS', id);
    return row;
  };

  app.get('/api/v1/nas/:id/reconciliation', {
    schema: {
      tags, summary: 'The latest RouterOS reconciliation reports of a NAS, newest first',
      params: IdParams, querystring: ReconciliationQuery,
      response: { 200: ReconciliationList, ...errors },
    },
  }, async (req) => {
    const { id } = req.params as { id: number };
    await nasOf(id);
    return { items: await store.reconciliations(id, (req.query as { limit?: number }).limit ?? 1) };
  });

  app.post('/api/v1/nas/:id/reconcile', {
    schema: {
      tags, summary: "Reconcile the NAS's active PPP and hotspot sessions (RouterOS API) with ours now",
      description: 'Creates the sessions the router has and Tollgate lacks, closes those Tollgate holds open and the router no longer has, and answers with the stored report. A router that cannot be reached gives a report with outcome "error" and changes nothing. 409 when the RouterOS API is not enabled for the NAS.',
      params: IdParams, response: { 200: Reconciliation, ...errors },
    },
  }, async (req) => {
    const { id } = req.params as { id: number };
    await nasOf(id);
    const report = await rec.run(id, 'api');
    const { items: _items, ...summary } = report;
    await audit(actorOf(req), opts.clock.now().toISOString(), 'reconcile', id, summary);
    return report;
  });

  app.get('/api/v1/nas/:id/status', {
    schema: { tags, summary: 'SNMP status of a NAS: up or down, last seen, uptime, interface counters', params: IdParams, response: { 200: NasStatus, ...errors } },
  }, async (req) => {
    const { id } = req.params as { id: number };
    const row = await nasOf(id);
    const s = await store.status(id);
    return {
      nasId: id, snmpEnabled: row.snmpEnabled, state: s?.state ?? 'unknown', lastPollAt: s?.lastPollAt ?? null, lastSeenAt: s?.lastSeenAt ?? null,
      uptimeSeconds: s?.uptimeSeconds ?? null, consecutiveFailures: s?.consecutiveFailures ?? 0, lastError: s?.lastError ?? null,
      ...keyedError(s?.lastErrorMessage ?? null),
      interfaces: await store.interfaces(id),
    };
  });

  app.get('/api/v1/nas/:id/traffic', {
    schema: { tags, summary: 'Traffic samples per interface (from SNMP counter deltas), oldest first', params: IdParams, querystring: TrafficQuery, response: { 200: Traffic, ...errors } },
  }, async (req) => {
    const { id } = req.params as { id: number };
    await nasOf(id);
    const q = req.query as { from?: string; to?: string; ifIndex?: number; limit?: number };
    const to = q.to ? new Date(q.to) : opts.clock.now();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 86_400_000);
    if (from.getTime() > to.getTime()) throw new TollgateError('invalid_input', said('fault.range.fromAfterTo', '`from` is after `to`'), 'from');
    return { nasId: id, from: from.toISOString(), to: to.toISOString(), items: await store.traffic(id, from.toISOString(), to.toISOString(), q.ifIndex, q.limit ?? 10_000) };
  });

  app.get('/api/v1/nas/:id/onboarding', {
    schema: {
      tags, summary: 'RouterOS commands that point a MikroTik router at Tollgate',
      description:
        "The answer contains the NAS's RADIUS shared secret in clear, in the `/radius add` command: it is given only here, only to an authenticated caller with write access to NAS, and each request is recorded in the audit log (without the secret). The server address is `[radius] public_address`, or the address this request came in on when that is empty; the ports are those of the RADIUS listeners and the NAS's coaPort.",
      params: IdParams, querystring: OnboardingQuery, response: { 200: Onboarding, ...errors },
    },
  }, async (req: FastifyRequest) => {
    const { id } = req.params as { id: number };
    const row = await nasOf(id);
    const warnings: LocalText[] = [];
    let serverAddress = opts.config.radius.public_address.trim();
    if (!serverAddress) {
      serverAddress = (req.socket.localAddress ?? '').replace(/^::ffff:/, '');
      warnings.push(said('onboarding.noPublicAddress', '[radius] public_address is not set: the address this API request came in on is used; set it if routers reach Tollgate at another address'));
      if (!serverAddress || serverAddress === '127.0.0.1' || serverAddress === '::1') {
        warnings.push(said('onboarding.loopback', `the address ${serverAddress || '(unknown)'} is a loopback address a router cannot reach`, { address: serverAddress || '—' }));
      }
    }
    if (row.vendor !== 'mikrotik') warnings.push(said('onboarding.notMikrotik', 'this NAS is not marked vendor "mikrotik": these are RouterOS commands'));
    const bound = opts.radiusAddresses?.();
    const authPort = portOf(bound?.auth, opts.config.radius.auth_listen);
    const acctPort = portOf(bound?.acct, opts.config.radius.acct_listen);
    const version = (req.query as { routerosVersion?: '6' | '7' }).routerosVersion ?? '7';
    if (version === '6') warnings.push(said('onboarding.routerOs6', 'RouterOS 6 cannot require a Message-Authenticator in replies (BlastRADIUS, CVE-2024-3596): upgrade to 7.15 or later'));
    const commands = onboardingCommands({
      serverAddress, secret: opts.box.open(row.secretEnc), authPort, acctPort, coaPort: row.coaPort,
      interimSeconds: opts.config.radius.interim_interval, routerOsMajor: version === '6' ? 6 : 7, nasName: row.name,
    });
    await audit(actorOf(req), opts.clock.now().toISOString(), 'reveal-secret', id, { via: 'onboarding' });
    return { nasId: id, serverAddress, authPort, acctPort, coaPort: row.coaPort, commands, script: commands.join('\n') + '\n',
      warnings: warnings.map((w) => w.text), warningMessages: warnings.map((w) => ({ key: w.key, values: Object.fromEntries(Object.entries(w.values ?? {}).map(([k, v]) => [k, String(v)])) })) };
  });

  app.post('/api/v1/nas/:id/self-test', {
    schema: {
      tags, summary: 'Send a harmless Disconnect-Request and report whether the NAS answers CoA',
      description:
        'Asks the NAS, on its coaPort, to disconnect a session that cannot exist (a random Acct-Session-Id). The body is optional: `{ "host": "192.0.2.1" }` says where to send when the NAS entry is a range (default: its address, or the NAS-IP-Address it last sent in accounting). "answered": a verified ACK or NAK came back (RouterOS answers NAK with Error-Cause 503, Session-Context-Not-Found: CoA works). "no_answer": CoA is off on the router (/radius incoming set accept=yes), the port is wrong (3799 vs 1700), a firewall drops it, or the secrets differ. "bad_authenticator": a reply came that does not verify with the NAS secret (the secret on the router is another).',
      params: IdParams, response: { 200: SelfTest, ...errors },
    },
  }, async (req) => {
    const { id } = req.params as { id: number };
    const row = await nasOf(id);
    // The body is optional (a bare POST is the usual call), so it is checked here, not by a schema.
    const body = req.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw new TollgateError('invalid_input', said('fault.body.objectOrNothing', 'the body is a JSON object or nothing'), 'body');
    const extra = Object.keys(body).find((k) => k !== 'host');
    if (extra) throw new TollgateError('invalid_input', said('validation.additionalProperties', 'is not a known field'), extra);
    const given = (body as { host?: unknown }).host;
    if (given !== undefined && typeof given !== 'string') throw new TollgateError('invalid_input', said('validation.type.string', 'must be a string'), 'host');
    const host = given ?? nasSingleAddress(row.ipAddress) ?? (await store.lastNasIp(id));
    if (!host) throw new TollgateError('invalid_input', said('fault.selfTest.noHost', 'the NAS entry is an address range and no NAS-IP-Address is known from accounting: give the router address'), 'host');
    if (!isIP(host)) throw new TollgateError('invalid_input', said('fault.ip', `"${host}" is not an IP address`, { value: host }), 'host');
    return coaSelfTest({ host, port: row.coaPort, secret: opts.box.open(row.secretEnc) }, opts.selfTestRetry ?? {});
  });
}
