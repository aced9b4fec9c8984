/**
 * Reconciliation of each RouterOS-API-enabled NAS: the router's active PPP and hotspot sessions
 * against our open sessions on that NAS. A session the router has and we lack (a lost Start) is
 * created, marked `origin = 'reconciliation'`; one we hold open that the router no longer has (a
 * lost Stop) is closed with terminate cause `Reconciliation`. Both go through the accounting writer,
 * like accounting itself, so the RADIUS server's view of open sessions stays right. Sessions younger
 * than the grace period are left alone: their Start or Stop may still be on its way. Every run,
 * failed or not, leaves a report.
 */
import { dateInZone } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { notFound, said, TollgateError } from '../lib/errors.js';
import { normalizeMac } from '../lib/net.js';
import type { SecretBox } from '../lib/secretbox.js';
import type { NasStore, OpenSessionRow, ReconcileItem, ReconciliationRecord } from '../db/nas.js';
import type { AcctWriter } from '../db/radius.js';
import { RouterOsClient, type RouterOsOptions } from './routeros/client.js';
import { listHotspotActive, listPppActive } from './routeros/commands.js';
import { reconcileSessions, type RouterSession } from './routeros/reconcile.js';
import { sameSessionId } from './routeros/sessions.js';
import { routerOsOptionsOf } from './settings.js';

export const RECONCILE_ORIGIN = 'reconciliation';
export const RECONCILE_TERMINATE_CAUSE = 'Reconciliation';
/** Items kept in one stored report. */
export const MAX_REPORT_ITEMS = 1000;

/** RouterOS durations (`1w2d3h4m5s`, `45s`, older `01:02:03`) in seconds; undefined if unreadable. */
export function parseRouterOsUptime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const hms = /^(?:(\d+)d)?\s*(\d{1,2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (hms) return Number(hms[1] ?? 0) * 86_400 + Number(hms[2]) * 3600 + Number(hms[3]) * 60 + Number(hms[4]);
  const units: Record<string, number> = { w: 604_800, d: 86_400, h: 3600, m: 60, s: 1 };
  let total = 0;
  let rest = text.trim();
  const re = /^(\d+)(w|d|h|m|s)/;
  if (!re.test(rest)) return undefined;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    total += Number(m[1]) * units[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  // Milliseconds (`5s120ms`) or anything else left over: ignore what is below a second.
  return total;
}

export interface ReconcilerDeps {
  store: NasStore;
  box: SecretBox;
  clock: Clock;
  /** The accounting writer (the RADIUS server's, in the daemon). */
  writer: Pick<AcctWriter, 'accounting'>;
  /** Billing time zone: accounting records carry the calendar day. */
  timezone: string;
  graceSeconds: number;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** Replaces RouterOsClient.connect (tests). */
  connect?: (options: RouterOsOptions) => Promise<RouterOsClient>;
}

export type ReconcileTrigger = ReconciliationRecord['trigger'];

export class NasReconciler {
  private readonly running = new Map<number, Promise<ReconciliationRecord>>();

  constructor(private readonly deps: ReconcilerDeps) {}

  /**
   * Reconciles one NAS now and stores the report. A run already going for that NAS is joined, not
   * repeated. Rejects only for a NAS that does not exist (`not_found`) or has the RouterOS API off
   * (`conflict`); a router that cannot be reached gives a report with `outcome: 'error'`.
   */
  async run(nasId: number, trigger: ReconcileTrigger): Promise<ReconciliationRecord> {
    const row = await this.deps.store.nas(nasId);
    if (!row) throw notFound('NAS', nasId);
    const options = routerOsOptionsOf(row, this.deps.box, {
      ...(this.deps.connectTimeoutMs !== undefined ? { connectTimeoutMs: this.deps.connectTimeoutMs } : {}),
      ...(this.deps.commandTimeoutMs !== undefined ? { commandTimeoutMs: this.deps.commandTimeoutMs } : {}),
    });
    if (!options) throw new TollgateError('conflict', said('fault.nas.routerosOff', `the RouterOS API is not enabled (or not complete) for NAS ${nasId}`, { id: String(nasId) }), 'routerosEnabled');
    // No await from here to the set: a run started meanwhile is joined.
    let p = this.running.get(nasId);
    if (!p) {
      p = this.reconcile(nasId, options, trigger).finally(() => this.running.delete(nasId));
      this.running.set(nasId, p);
    }
    return p;
  }

  /** Every RouterOS-enabled NAS, one after another; never rejects. */
  async runAll(trigger: ReconcileTrigger): Promise<ReconciliationRecord[]> {
    const out: ReconciliationRecord[] = [];
    for (const row of await this.deps.store.routerosNas()) {
      try {
        out.push(await this.run(row.id, trigger));
      } catch {
        // Incomplete settings: nothing to run; the API says so when asked directly.
      }
    }
    return out;
  }

  /** Resolves once no run is in progress. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private async reconcile(nasId: number, options: RouterOsOptions, trigger: ReconcileTrigger): Promise<ReconciliationRecord> {
    const { store, clock } = this.deps;
    const startedAt = clock.now();
    const base = { nasId, trigger, startedAt: startedAt.toISOString() };
    let router: RouterSession[];
    try {
      const client = await (this.deps.connect ?? RouterOsClient.connect)(options);
      try {
        router = [...(await listPppActive(client)), ...(await listHotspotActive(client))];
      } finally {
        await client.close();
      }
    } catch (err) {
      return store.saveReconciliation({
        ...base, finishedAt: clock.now().toISOString(), outcome: 'error', error: (err as Error).message,
        routerSessions: 0, ourSessions: 0, matched: 0, created: 0, closed: 0, skipped: 0, items: [],
      });
    }

    const ours = await store.openSessions(nasId);
    const keyed = ours.map((o) => ({ row: o, username: o.username, address: o.framedIpAddress ?? undefined, callerId: o.callingStationId ?? undefined }));
    const result = reconcileSessions(router, keyed);
    // The same PPP session seen with different addresses (one side lacks it, or it changed) is still
    // one session when the ids agree.
    let missingOnRouter = result.missingOnRouter;
    const missingHere: RouterSession[] = [];
    let matched = result.matched.length;
    for (const r of result.missingHere) {
      const twin = r.sessionId === undefined ? -1 : missingOnRouter.findIndex((o) => o.username === r.username && sameSessionId(r.sessionId, o.row.acctSessionId));
      if (twin >= 0) {
        missingOnRouter = missingOnRouter.filter((_, i) => i !== twin);
        matched++;
      } else missingHere.push(r);
    }

    const items: ReconcileItem[] = [];
    const graceMs = this.deps.graceSeconds * 1000;
    for (const r of missingHere) {
      const item = { side: 'router' as const, kind: r.kind, username: r.username, address: r.address, callerId: r.callerId };
      const uptime = parseRouterOsUptime(r.uptime);
      if (uptime !== undefined && uptime * 1000 < graceMs) {
        items.push({ ...item, action: 'skipped', reason: `on the router for ${uptime} s only: its Accounting-Start may still be on the way` });
        continue;
      }
      const acctSessionId = await this.newSessionId(nasId, r, startedAt);
      try {
        await this.create(nasId, r, acctSessionId, uptime);
        items.push({ ...item, action: 'created', acctSessionId, reason: `active on the router (${r.kind === 'ppp' ? '/ppp/active' : '/ip/hotspot/active'}) with no open session here` });
      } catch (err) {
        items.push({ ...item, action: 'skipped', acctSessionId, reason: `could not be stored: ${(err as Error).message}` });
      }
    }
    for (const { row: o } of missingOnRouter) {
      const item = { side: 'ours' as const, username: o.username, address: o.framedIpAddress ?? undefined, callerId: o.callingStationId ?? undefined, acctSessionId: o.acctSessionId };
      if (startedAt.getTime() - Date.parse(o.updatedAt) < graceMs) {
        items.push({ ...item, action: 'skipped', reason: 'accounting heard from it within the grace period' });
        continue;
      }
      try {
        await this.close(nasId, o);
        items.push({ ...item, action: 'closed', reason: 'open here but not active on the router: its Accounting-Stop was lost' });
      } catch (err) {
        items.push({ ...item, action: 'skipped', reason: `could not be closed: ${(err as Error).message}` });
      }
    }

    const count = (a: ReconcileItem['action']) => items.filter((i) => i.action === a).length;
    return store.saveReconciliation({
      ...base, finishedAt: clock.now().toISOString(), outcome: 'ok', error: null,
      routerSessions: router.length, ourSessions: ours.length, matched,
      created: count('created'), closed: count('closed'), skipped: count('skipped'),
      // The counts stay exact; the list is kept to a size a report can carry (a first run on a big router).
      items: items.slice(0, MAX_REPORT_ITEMS),
    });
  }

  /** The router's PPP session id as RADIUS spells it (`0x81A00001` -> `81a00001`), else a key of our own. */
  private async newSessionId(nasId: number, r: RouterSession, at: Date): Promise<string> {
    if (r.kind === 'ppp' && r.sessionId) {
      const id = r.sessionId.trim().toLowerCase().replace(/^0x/, '');
      // A closed row with that key would swallow the Start (closed sessions ignore late records).
      if (id && !(await this.deps.store.sessionExists(nasId, id))) return id;
    }
    return `reconcile-${r.kind}-${r.id.replace(/^\*/, '')}-${Math.floor(at.getTime() / 1000)}`;
  }

  private async create(nasId: number, r: RouterSession, acctSessionId: string, uptime: number | undefined): Promise<void> {
    const at = this.deps.clock.now();
    await this.deps.writer.accounting({
      kind: 'start', nasId, acctSessionId, username: r.username, at: at.toISOString(), day: dateInZone(at, this.deps.timezone),
      nasIpAddress: null, nasPort: null, framedIpAddress: r.address ?? null,
      callingStationId: r.callerId === undefined ? null : (normalizeMac(r.callerId) ?? r.callerId),
      calledStationId: r.service ?? null, sessionTime: uptime ?? null, inputOctets: null, outputOctets: null, terminateCause: null, interimInterval: null,
    });
    await this.deps.store.markOrigin(nasId, acctSessionId, RECONCILE_ORIGIN);
  }

  private async close(nasId: number, o: OpenSessionRow): Promise<void> {
    const at = this.deps.clock.now();
    await this.deps.writer.accounting({
      kind: 'stop', nasId, acctSessionId: o.acctSessionId, username: o.username, at: at.toISOString(), day: dateInZone(at, this.deps.timezone),
      nasIpAddress: null, nasPort: null, framedIpAddress: null, callingStationId: null, calledStationId: null,
      sessionTime: null, inputOctets: null, outputOctets: null, terminateCause: RECONCILE_TERMINATE_CAUSE, interimInterval: null,
    });
  }
}

export interface PeriodicJob {
  stop(): Promise<void>;
}

/**
 * Runs `work` every `intervalSeconds` (0: never) until stopped; a run never overlaps the next.
 * `stop()` cancels the timer and waits for a run in progress.
 */
export function startPeriodic(intervalSeconds: number, work: () => Promise<unknown>, onError: (err: unknown) => void): PeriodicJob {
  if (intervalSeconds <= 0) return { stop: async () => {} };
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    timer = setTimeout(() => {
      current = work()
        .catch(onError)
        .finally(() => {
          if (!stopped) schedule();
        });
    }, intervalSeconds * 1000);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}

/** The scheduled reconciliation of every RouterOS-enabled NAS. */
export function startReconcileJob(
  reconciler: NasReconciler,
  intervalSeconds: number,
  onReport: (report: ReconciliationRecord) => void,
  onError: (err: unknown) => void,
): PeriodicJob {
  return startPeriodic(intervalSeconds, async () => (await reconciler.runAll('schedule')).forEach(onReport), onError);
}
