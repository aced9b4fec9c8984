/**
 * `GET /api/v1/dashboard/overview` and `/checklist`: what an operator keeps open (money, overdue by
 * age, services, online hour by hour, busiest NAS, latest rejects) and the first-run steps.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/schema.js';
import { overviewStore, type ChecklistFacts } from '../../db/overview.js';
import type { SqlClient } from '../../db/sql.js';
import { dateInZone } from '../../lib/calendar.js';
import type { Clock } from '../../lib/clock.js';
import { Checklist, Overview } from '../overview-schemas.js';
import { ProblemSchema } from '../schemas.js';
import { withReasonCode } from '../reasons.js';

export type ChecklistStep = 'nas' | 'plan' | 'company' | 'notifications' | 'customer';

/**
 * The first-run steps in the order a newcomer takes them: a NAS to answer, a plan to sell, the
 * company data invoices print, a way to reach customers (SMTP or an SMS gateway), the first customer.
 */
export function firstRunChecklist(facts: ChecklistFacts, config: Pick<Config, 'company' | 'notify.email' | 'notify.sms'>) {
  const steps: Array<{ key: ChecklistStep; done: boolean; href: string }> = [
    { key: 'nas', done: facts.nas > 0, href: '/nas/new' },
    { key: 'plan', done: facts.plans > 0, href: '/plans/new' },
    { key: 'company', done: config.company.name !== '' && config.company.address !== '', href: '/settings' },
    { key: 'notifications', done: config['notify.email'].smtp_url !== '' || config['notify.sms'].url !== '', href: '/settings' },
    { key: 'customer', done: facts.customers > 0, href: '/customers/new' },
  ];
  return { done: steps.every((s) => s.done), steps };
}

export async function overviewRoutes(app: FastifyInstance, opts: { sql: SqlClient; clock: Clock; config: Config }): Promise<void> {
  const store = overviewStore(opts.sql);
  const errors = { 401: ProblemSchema, 403: ProblemSchema };
  app.get('/api/v1/dashboard/overview', {
    schema: { tags: ['dashboard'], summary: 'Money this month, overdue by age, services started and ended, online over 24 h, top NAS by traffic, latest rejects', response: { 200: Overview, ...errors } },
  }, async () => {
    const at = opts.clock.now();
    const today = dateInZone(at, opts.config.billing.timezone);
    const o = await store.overview(at, today);
    return { at: at.toISOString(), today, currency: opts.config.billing.currency, ...o, rejects: o.rejects.map(withReasonCode) };
  });
  app.get('/api/v1/dashboard/checklist', {
    schema: { tags: ['dashboard'], summary: 'The first-run checklist (NAS, plan, company data, SMTP or SMS, first customer), from the database and the config', response: { 200: Checklist, ...errors } },
  }, async () => firstRunChecklist(await store.checklistFacts(), opts.config));
}
