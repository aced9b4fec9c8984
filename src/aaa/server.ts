/**
 * The RADIUS server, put together: the UDP transport (src/radius/server/transport.ts) in front, the
 * authorizer and the accounting recorder (this folder) behind it, the reply policy
 * (src/radius/server/policy.ts) between them. The transport knows only the handler interfaces it
 * calls, so it sits below src/aaa, and this file, which knows both, sits in src/aaa. This file only
 * builds those parts from the composition root's options and keeps their caches in step with changes.
 */
import { isLocale } from '../i18n/locales.js';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Db } from '../db/client.js';
import { radiusQueries, type AcctWriter } from '../db/radius.js';
import type { SqlClient } from '../db/sql.js';
import { parseCidr } from '../lib/net.js';
import type { SecretBox } from '../lib/secretbox.js';
import type { Clock } from '../lib/clock.js';
import type { Change, Topic } from '../lib/topic.js';
import type { Metrics } from '../metrics.js';
import { AccountingRecorder } from './accounting.js';
import { Authorizer, type VoucherRedeemer } from './authorizer.js';
import { BillingDay } from './billing-day.js';
import { loginCapChecker, loginCapCheckerOf } from './caps.js';
import { policyFromConfig } from './policy.js';
import { ServiceCache } from './service-cache.js';
import type { Dictionary } from '../radius/dict/dictionary.js';
import { loadDictionary } from '../radius/dict/load.js';
import { NasTable, type NasClient } from '../radius/server/clients.js';
import type { DropTracker } from '../radius/server/drops.js';
import { RadiusTransport } from '../radius/server/transport.js';

export interface RadiusServerOptions {
  config: Config;
  /** Where the server reads its services and NAS from, on either backend. */
  sql: SqlClient;
  /**
   * SQLite only: its handle, so a login's data-cap facts are read synchronously (no promise on the
   * hot path); without it they are read through `sql` and the answer waits for them.
   */
  db?: Db | undefined;
  box: SecretBox;
  log: Logger;
  metrics: Metrics;
  /** Every instant the server records (auth log, accounting, stale sessions) comes from here. */
  clock: Clock;
  /**
   * The accounting and auth-log writer, built by the composition root (network actions close
   * sessions through it too). The server closes it when it stops: its last Accounting-Responses must
   * leave through the server's sockets.
   */
  writer: AcctWriter;
  /** Changes to what the server caches (NAS list, services, plans), published by whoever made them. */
  changes: Topic<Change>;
  /** Where the drops an operator can fix are counted, for the API (src/radius/server/drops.ts). */
  drops?: DropTracker | undefined;
  /** Hotspot vouchers: an unknown username that is an unredeemed voucher code becomes a service at its first login. */
  vouchers?: VoucherRedeemer | undefined;
}

export interface RadiusServer {
  /** Bound addresses as `ip:port`, after start. */
  addresses(): { auth: string[]; acct: string[] };
  /** Stops receiving, flushes pending accounting writes. */
  close(): Promise<void>;
  readonly dictionary: Dictionary;
}

/**
 * The RADIUS server: authentication (PAP, CHAP, MS-CHAPv1, MS-CHAPv2) and accounting over UDP.
 * Every reply carries a Message-Authenticator first. Every request that gets no reply is counted
 * by reason. Accounting is acknowledged only after its group commit.
 */
export async function startRadiusServer(opts: RadiusServerOptions): Promise<RadiusServer> {
  const { config, sql, db, box, log, metrics, clock, writer } = opts;
  const dictionary = loadDictionary(config.radius.dictionaries);
  const q = radiusQueries(opts.sql);
  const days = new BillingDay(config.billing.timezone);
  // The hot path reads memory, not SQLite: see ServiceCache.
  const services = new ServiceCache(q, box, log);
  metrics.countServicesCached(() => services.services);
  const caps = db ? loginCapChecker(db) : loginCapCheckerOf(sql);
  const authorizer = new Authorizer({
    dictionary, services, caps, writer, clock, days, vouchers: opts.vouchers,
    // The same policy the network actions apply to live sessions (src/nas/actions.ts).
    policy: policyFromConfig(config),
    defaultLanguage: isLocale(config.locale.default) ? config.locale.default : 'en',
  });
  const accounting = new AccountingRecorder({ dictionary, services, writer, clock, days, queue: metrics.accountingQueue });
  const transport = new RadiusTransport({ access: authorizer, accounting, dictionary, metrics, log, drops: opts.drops });

  // Reloads run asynchronously; when two overlap, only the later one's list is kept.
  let nasLoads = 0;
  const loadNas = async (): Promise<void> => {
    const load = ++nasLoads;
    const rows = await q.nasClients();
    if (load !== nasLoads) return;
    const clients: NasClient[] = [];
    for (const r of rows) {
      const range = parseCidr(r.ipAddress);
      if (!range) {
        log.error({ nas: r.name, ipAddress: r.ipAddress }, 'NAS entry has an invalid address; skipped');
        continue;
      }
      clients.push({
        id: r.id, name: r.name, range, nasIdentifier: r.nasIdentifier, secret: box.openBuffer(r.secretEnc), vendor: r.vendor,
        coaPort: r.coaPort, requireMessageAuthenticator: r.requireMessageAuthenticator,
      });
    }
    transport.clients = new NasTable(clients);
    log.info({ clients: clients.length }, 'NAS clients loaded');
  };
  await loadNas();
  // Logins before it reaches their service read the database one by one (see ServiceCache). Its
  // end is logged: until then a large installation's logins are slower, which an operator (and a
  // benchmark) should be able to tell.
  const warmStart = performance.now();
  void services.warm().then(() => log.info({ services: services.size, seconds: Math.round(performance.now() - warmStart) / 1000 }, 'service cache warm'));

  await transport.listen(config.radius.auth_listen, config.radius.acct_listen, config.radius.receive_buffer_bytes);

  const staleTimer = setInterval(() => {
    // Through the writer, which keeps its in-memory index of open sessions in step.
    writer.closeStale(clock.now(), config.radius.interim_interval, config.radius.stale_after_intervals).then(
      (closed) => {
        if (closed > 0) {
          metrics.staleSessionsClosed.inc(closed);
          log.info({ closed }, 'closed stale sessions (no accounting for several interim intervals)');
        }
      },
      (e: unknown) => log.error({ err: e instanceof Error ? e.message : String(e) }, 'closing stale sessions failed'),
    );
  }, 60_000);
  staleTimer.unref();

  // A failed read of changed rows leaves nothing stale behind: the whole cache is read again.
  const refreshed = (what: string) => (e: unknown) => {
    log.error({ err: e instanceof Error ? e.message : String(e), what }, 'reading changed services failed; reloading them all');
    services.drop();
  };
  const unsubscribe = opts.changes.subscribe((change) => {
    switch (change.entity) {
      case 'nas':
        // The previous list answers until the new one is read; a failed read keeps it.
        loadNas().catch((e: unknown) => log.error({ err: e instanceof Error ? e.message : String(e) }, 'reloading the NAS clients failed'));
        return;
      case 'service':
        if (change.ids === undefined) services.drop();
        else services.refresh(change.ids).catch(refreshed('services'));
        return;
      case 'customer':
        if (change.ids === undefined) services.drop();
        else services.refreshCustomers(change.ids).catch(refreshed('customers'));
        return;
      case 'plan':
        // Rare, and a plan is shared by many services: read them all again.
        services.drop();
        caps.clear();
    }
  });

  return {
    dictionary,
    addresses: () => transport.addresses(),
    close: async () => {
      unsubscribe();
      clearInterval(staleTimer);
      services.close();
      transport.stopReceiving();
      // Commit what is queued and let its Accounting-Responses go out before the sockets close.
      await writer.close();
      await transport.close();
    },
  };
}
