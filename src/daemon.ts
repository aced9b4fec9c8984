/**
 * The parts of the daemon, each built from the parts before it and handed what it needs as
 * arguments: network control -> domain services -> scheduler. `main.ts` runs them in that order
 * between the database and the RADIUS listeners; tests build the same parts through the same
 * functions, with a test clock and recording doubles where the network would be.
 *
 * Network control comes before the domain services because dunning, prepaid, caps, plan changes and
 * closed contracts act through it, and it needs none of them: it only publishes to the change topic.
 */
import type { Logger } from 'pino';
import { contractsClosedHandler } from './billing/contract-end.js';
import { dunningService, type DunningService } from './billing/dunning.js';
import { planSwitchJob } from './billing/plan-switch.js';
import { createPrepaidOps, type PrepaidOps } from './billing/prepaid-ops.js';
import { billingService, type BillingService } from './billing/service.js';
import type { Config } from './config/schema.js';
import { billingStore } from './db/billing.js';
import { dunningStore } from './db/dunning.js';
import { einvoiceStore } from './db/einvoice.js';
import { acubeChannel } from './einvoice/acube.js';
import { pecChannel } from './einvoice/pec.js';
import { einvoiceService, type EinvoiceOptions, type EinvoiceService, type SdiChannel } from './einvoice/service.js';
import { documentPdf } from './http/routes/einvoice.js';
import { notifyStore } from './db/notify.js';
import type { AcctWriter, UsageDelta } from './db/radius.js';
import type { SqlClient } from './db/sql.js';
import { security, type Security } from './http/auth/guard.js';
import { instrumentBilling } from './http/metrics-hook.js';
import type { Clock } from './lib/clock.js';
import { isLocale, type Locale } from './i18n/locales.js';
import { translator } from './i18n/messages.js';
import type { SecretBox } from './lib/secretbox.js';
import { rowsOf, type Change, type Topic } from './lib/topic.js';
import type { Metrics } from './metrics.js';
import { createServiceControl, writerSessionCloser, type ServiceControlRuntime } from './nas/actions.js';
import type { ServiceControl } from './nas/control.js';
import { routerOsFallback } from './nas/routeros-fallback.js';
import { outboxNotifier, type OutboxNotifier } from './notify/outbox.js';
import { createSender, type Sender } from './notify/sender.js';
import { emailTransport, smsTransport, smtpSender, type SendMail, type Transport } from './notify/transports.js';
import type { Channel } from './notify/types.js';
import { housekeepingJob } from './scheduler/housekeeping.js';
import { billingJob, createScheduler, dunningJob, dunningTick, einvoiceJob, invoiceNoticesJob, type Scheduler } from './scheduler/index.js';
import type { Job, TickTask } from './scheduler/jobs.js';

export interface NetworkControlOptions {
  /** The database, on either backend. */
  sql: SqlClient;
  box: SecretBox;
  config: Config;
  clock: Clock;
  /** Sessions the NAS does not know are closed through the accounting writer, so its index follows. */
  writer: AcctWriter;
  /** A service's status changed: RADIUS drops its cached row. */
  changes: Topic<Change>;
  metrics?: Metrics | undefined;
  log?: Logger | undefined;
  /** How often the checker looks at ACKed actions; default 1000 ms. */
  checkIntervalMs?: number | undefined;
}

/** CoA and Disconnect: one instance for the API, dunning, prepaid, caps and the daily run. Not started. */
export function createNetworkControl(opts: NetworkControlOptions): ServiceControlRuntime {
  const { sql, box, config } = opts;
  return createServiceControl({
    sql, box, config, clock: opts.clock,
    closeSession: writerSessionCloser(sql, opts.writer, config.billing.timezone),
    onServiceChange: (serviceId) => opts.changes.publish(rowsOf('service', [serviceId])),
    routerOs: routerOsFallback(sql, box),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.checkIntervalMs !== undefined ? { checkIntervalMs: opts.checkIntervalMs } : {}),
  });
}

export interface ServicesOptions {
  /** The database, on either backend. */
  sql: SqlClient;
  box: SecretBox;
  config: Config;
  clock: Clock;
  control: ServiceControl;
  /** What RADIUS caches and the services change (closed contracts, plan switches). */
  changes: Topic<Change>;
  /** Committed accounting usage: data caps follow it. */
  usage: Topic<readonly UsageDelta[]>;
  /** Email/SMS delivery in place of the configured SMTP and SMS gateway. */
  transports?: Partial<Record<Channel, Transport>> | undefined;
  /** The channel to SDI in place of the configured one (`[einvoice] channel`). */
  sdiChannel?: SdiChannel | undefined;
  metrics?: Metrics | undefined;
  log?: Logger | undefined;
}

export interface Services {
  billing: BillingService;
  /** Notifications: `enqueue({ customerId, template, data, dedupeKey })` into the outbox. */
  notifier: OutboxNotifier;
  /** The outbox sender worker: main.ts starts it; tests call `drain()`. */
  sender: Sender;
  dunning: DunningService;
  /** Prepaid top-ups and expiry, vouchers, data caps. */
  prepaid: PrepaidOps;
  /** Admin tokens, sessions, roles and the API guard. */
  security: Security;
  /** Italian e-invoicing: FatturaPA files, delivery to SDI, receipts. */
  einvoice: EinvoiceService;
  /** The daily jobs and ticks of the services above, for the scheduler. */
  schedule: { jobs: readonly Job[]; ticks: readonly TickTask[] };
}

/** The domain services, in dependency order; the jobs they contribute are listed, not yet running. */
export function createServices(opts: ServicesOptions): Services {
  const { sql, config, clock, control, changes } = opts;
  const { timezone, currency } = config.billing;
  const jobsLog = opts.log?.child({ part: 'jobs' });
  const afterCommitError = (msg: string) => (err: unknown, context: Record<string, unknown>) => opts.log?.error({ err, ...context }, msg);

  const nstore = notifyStore(sql);
  const sender = createSender({
    store: nstore, clock, metrics: opts.metrics, log: jobsLog,
    transports: {
      email: opts.transports?.email ?? emailTransport(config['notify.email']),
      sms: opts.transports?.sms ?? smsTransport(config['notify.sms']),
    },
  });
  const defaultLanguage = isLocale(config.locale.default) ? config.locale.default : 'en';
  const notifier = outboxNotifier({ store: nstore, clock, timezone, currency, defaultLanguage, onQueued: () => sender.poke() });
  const dunning = dunningService({ store: dunningStore(sql), clock, timezone, currency, control, notifier, log: jobsLog });

  // One set of prepared statements for the billing run and the plan switch, which share the connection.
  const store = billingStore(sql);
  const billing = instrumentBilling(billingService({
    store, clock, currency, timezone,
    onServicesChanged: contractsClosedHandler({ control, changes, onError: afterCommitError('billing: cutting the sessions of an ended contract failed') }),
    // After a payment commits: its receipt notice, then dunning gives back what the payment cleared.
    onSettlement: (customerId, event) => {
      if (event.kind === 'payment') {
        notifier.enqueue({ customerId, template: 'payment.received', data: { amount: { money: event.amount, currency }, paymentId: event.id }, dedupeKey: `payment:${event.id}:received` })
          .catch((err: unknown) => jobsLog?.error({ customerId, err: (err as Error).message }, 'notify: payment.received could not be queued'));
      }
      dunning.afterPayment(customerId).catch((err: unknown) => jobsLog?.error({ customerId, err: (err as Error).message }, 'dunning: reactivation after payment failed'));
    },
  }), opts.metrics);

  const prepaid = createPrepaidOps({
    sql, box: opts.box, config, clock, control, notifier, usage: opts.usage, changes,
    onError: afterCommitError('prepaid or data caps: an after-commit action failed'),
  });
  opts.metrics?.countCaps(() => prepaid.caps.stats());
  // Plan changes dated ahead switch the enforced plan on their day (before billing: src/billing/plan-switch.ts).
  const planSwitch = planSwitchJob({
    store, clock, control, onServicesChanged: (serviceIds) => changes.publish(rowsOf('service', serviceIds)),
    onError: afterCommitError('plan-changes: a rate change after the switch failed'),
  });
  const sec = security({ sql, box: opts.box, config, clock });
  const smtp = smtpSender(config['notify.email']);
  const mailRejections = rejectionMailer(smtp, config, defaultLanguage, jobsLog);
  const einvoice = einvoiceService({
    store: einvoiceStore(sql), config, clock, log: jobsLog,
    channel: opts.sdiChannel ?? sdiChannelOf(config),
    pdf: documentPdf(sql, billing, config.company, { defaultLanguage, timeZone: config.billing.timezone }),
    mail: accountantMailer(smtp),
    alert: async (rejected) => {
      jobsLog?.error({ rejected: rejected.map((d) => ({ number: d.number, customer: d.customerName, code: d.stateCode, text: d.stateText })) },
        'einvoice: SDI rejected documents: correct them and send them again (POST /api/v1/fiscal-documents/{id}/resend) within five days');
      await mailRejections?.(rejected);
    },
  });

  return {
    billing, notifier, sender, dunning, prepaid, security: sec, einvoice,
    schedule: {
      jobs: [
        planSwitch,
        billingJob(billing),
        invoiceNoticesJob(nstore, notifier, currency),
        einvoiceJob(einvoice),
        dunningJob(dunning, jobsLog),
        ...prepaid.jobs,
        // Expired admin sessions and stale login-throttle counters go daily, logins or not.
        housekeepingJob(sec.purgeExpired),
      ],
      ticks: [dunningTick(dunning), ...prepaid.ticks],
    },
  };
}

/** The accountant's monthly archive goes out through the notifications' SMTP (`[notify.email]`). */
function accountantMailer(smtp: SendMail | undefined): EinvoiceOptions['mail'] {
  if (!smtp) return undefined;
  return (to, subject, text, attachment) => smtp({ to, subject, text, attachments: [attachment] });
}

/**
 * SDI's rejections mailed to the operator in the installation's language: who, which invoice, SDI's
 * code and words, and what to do. A mail that fails is logged; the rejection stays on the
 * E-invoices screen and in the log line written beside it.
 */
function rejectionMailer(smtp: SendMail | undefined, config: Config, language: Locale, log: Logger | undefined) {
  const to = config.einvoice.alert_email || config.company.email;
  if (!smtp || !to) return undefined;
  const t = translator(language);
  return async (rejected: readonly { number: string; customerName: string; stateCode: string | null; stateText: string | null }[]): Promise<void> => {
    const lines = rejected.map((d) => t('einvoice.alert.line', { number: d.number, customer: d.customerName, code: d.stateCode ?? '', text: d.stateText ?? '' }));
    try {
      await smtp({ to, subject: t('einvoice.alert.subject', { n: rejected.length }), text: [t('einvoice.alert.intro'), '', ...lines, '', t('einvoice.alert.action')].join('\n') });
    } catch (e) {
      log?.warn({ err: (e as Error).message, to }, 'einvoice: the rejection could not be mailed; it is on the E-invoices screen and in the log line above');
    }
  };
}

/** The channel `[einvoice] channel` names; undefined when e-invoicing sends nothing. */
function sdiChannelOf(config: Config): SdiChannel | undefined {
  const e = config.einvoice;
  if (e.channel === 'pec') return pecChannel({ address: e.pec_address, smtpUrl: e.pec_smtp_url, imapUrl: e.pec_imap_url });
  if (e.channel === 'acube') return acubeChannel({ loginUrl: e.acube_login_url, apiUrl: e.acube_api_url, email: e.acube_email, password: e.acube_password });
  return undefined;
}

export interface SchedulerPartOptions {
  /** The database, on either backend. */
  sql: SqlClient;
  config: Config;
  clock: Clock;
  services: Pick<Services, 'schedule'>;
  metrics?: Metrics | undefined;
  log?: Logger | undefined;
}

/** The job runner with every service's jobs registered; `start()` is the caller's. */
export function createDailyScheduler(opts: SchedulerPartOptions): Scheduler {
  return createScheduler({
    sql: opts.sql, config: opts.config, clock: opts.clock, metrics: opts.metrics, log: opts.log?.child({ part: 'jobs' }),
    jobs: opts.services.schedule.jobs, ticks: opts.services.schedule.ticks,
  });
}
