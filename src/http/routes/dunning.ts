/**
 * Billing profiles (`/api/v1/billing-profiles`), a customer's profile and whitelist
 * (`/api/v1/customers/{id}/billing-profile`), the dunning queue and its event log (`/api/v1/dunning`).
 */
import type { FastifyInstance } from 'fastify';
import { nameLookup } from '../../db/names.js';
import { withCustomerNames } from '../names.js';
import { Type } from 'typebox';
import type { DunningService } from '../../billing/dunning.js';
import type { SqlClient } from '../../db/sql.js';
import { decodeCursor, encodeCursor } from '../../db/crud.js';
import { dunningStore, type ProfileInput, type ProfileRow } from '../../db/dunning.js';
import { notifyStore, type TemplateRow } from '../../db/notify.js';
import { constraintOf } from '../../db/sql.js';
import type { Clock } from '../../lib/clock.js';
import { type LocalText, notFound, said, TollgateError } from '../../lib/errors.js';
import { effectiveOf } from '../../notify/outbox.js';
import { CustomerDunning, CustomerDunningPut, DunningEvent, DunningQueue, EventQuery, Profile, ProfileCreate, ProfileListQuery, ProfilePatch } from '../dunning-schemas.js';
import { IdParams, pageOf, ProblemSchema } from '../schemas.js';
import { actorOf } from './crud.js';

export interface DunningRoutesOptions {
  sql: SqlClient;
  dunning: DunningService;
  clock: Clock;
}

const errors = { 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };

export const PROFILE_DEFAULTS: Omit<ProfileInput, 'name'> = {
  isDefault: false, daysUntilDue: 14, reminders: [], lateFeeAmount: null, lateFeeAfterDays: null, lateFeeTaxRateBp: 0, graceDays: null,
  suspendMode: null, quietWeekdays: [6, 7], quietDates: [], officeHoursStart: null, officeHoursEnd: null, billSuspended: false,
  minOverdueAmount: null,
};

export async function dunningRoutes(app: FastifyInstance, opts: DunningRoutesOptions): Promise<void> {
  const store = dunningStore(opts.sql);
  const names = nameLookup(opts.sql);
  const templates = notifyStore(opts.sql);
  const iso = () => opts.clock.now().toISOString();
  const bad = (field: string, msg: string | LocalText) => new TollgateError('invalid_input', msg, field);

  /** `overrides`: the operator's template rows (NotifyStore.templates()), read before any transaction. */
  function check(p: ProfileInput, overrides: readonly TemplateRow[]): void {
    p.reminders.forEach((r, i) => {
      if (i > 0 && r.afterDays <= p.reminders[i - 1]!.afterDays) throw bad(`reminders.${i}.afterDays`, said('fault.dunning.order', 'reminders must be in increasing order of afterDays'));
      for (const ch of r.channels) {
        const row = overrides.find((t) => t.key === r.template && t.channel === ch) ?? null;
        if (!effectiveOf(row, r.template, ch, 'en')) throw bad(`reminders.${i}.template`, said('fault.template.none', `no template ${r.template} for ${ch}`, { key: r.template, channel: ch }));
      }
    });
    if ((p.lateFeeAmount === null) !== (p.lateFeeAfterDays === null)) throw bad(p.lateFeeAmount === null ? 'lateFeeAmount' : 'lateFeeAfterDays', said('fault.dunning.lateFee', 'a late fee needs both lateFeeAmount and lateFeeAfterDays'));
    if ((p.officeHoursStart === null) !== (p.officeHoursEnd === null)) throw bad(p.officeHoursStart === null ? 'officeHoursStart' : 'officeHoursEnd', said('fault.dunning.hoursBoth', 'office hours need a start and an end'));
    if (p.officeHoursStart !== null && p.officeHoursStart === p.officeHoursEnd) throw bad('officeHoursEnd', said('fault.dunning.hoursEmpty', 'office hours must not be empty'));
    if (p.quietWeekdays.length === 7) throw bad('quietWeekdays', said('fault.dunning.weekdays', 'at least one weekday must allow suspensions'));
  }
  const nameTaken = (e: unknown): never => {
    const v = constraintOf(e);
    if (v?.kind === 'unique' && (v.column === 'name' || v.constraint === 'billing_profiles_name_uq')) throw new TollgateError('conflict', said('fault.profile.exists', 'a billing profile with this name exists'), 'name');
    throw e;
  };
  const get = async (id: number): Promise<ProfileRow> => {
    const p = await store.profile(id);
    if (!p) throw notFound('billing profile', id);
    return p;
  };
  const tags = ['dunning'];

  app.get('/api/v1/billing-profiles', { schema: { tags, summary: 'Billing profiles: due days, reminders, late fee, grace, suspension and quiet times', querystring: ProfileListQuery, response: { 200: pageOf(Profile), ...errors } } }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string };
    const limit = q.limit ?? 50;
    const rows = await store.profiles(q.cursor ? decodeCursor(q.cursor) : 0, limit + 1);
    const items = rows.slice(0, limit);
    return { items, next: rows.length > limit ? encodeCursor(items.at(-1)!.id) : null };
  });
  app.get('/api/v1/billing-profiles/:id', { schema: { tags, summary: 'A billing profile', params: IdParams, response: { 200: Profile, ...errors } } }, async (req) => get((req.params as { id: number }).id));
  app.post('/api/v1/billing-profiles', { schema: { tags, summary: 'Create a billing profile', body: ProfileCreate, response: { 201: Profile, ...errors } } }, async (req, reply) => {
    const input = { ...PROFILE_DEFAULTS, ...(req.body as Partial<ProfileInput>) } as ProfileInput;
    check(input, await templates.templates());
    const created = await store.transaction(async () => {
      let id: number;
      try {
        id = await store.insertProfile(input, iso());
      } catch (e) {
        return nameTaken(e);
      }
      const row = (await store.profile(id))!;
      await store.audit(actorOf(req), iso(), 'create', 'billing_profile', id, undefined, row);
      return row;
    });
    return reply.code(201).send(created);
  });
  app.patch('/api/v1/billing-profiles/:id', { schema: { tags, summary: 'Change a billing profile', params: IdParams, body: ProfilePatch, response: { 200: Profile, ...errors } } }, async (req) => {
    const id = (req.params as { id: number }).id;
    const overrides = await templates.templates();
    return store.transaction(async () => {
      const before = await get(id);
      const { id: _i, createdAt: _c, updatedAt: _u, ...rest } = before;
      const input = { ...rest, ...(req.body as Partial<ProfileInput>) };
      check(input, overrides);
      try {
        await store.updateProfile(id, input, iso());
      } catch (e) {
        nameTaken(e);
      }
      const after = (await store.profile(id))!;
      await store.audit(actorOf(req), iso(), 'update', 'billing_profile', id, before, after);
      return after;
    });
  });
  app.delete('/api/v1/billing-profiles/:id', { schema: { tags, summary: 'Delete a billing profile no customer uses', params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (req, reply) => {
    const id = (req.params as { id: number }).id;
    await store.transaction(async () => {
      const before = await get(id);
      const users = await store.profileUsers(id);
      if (users > 0) throw new TollgateError('in_use', said('fault.profile.inUse', `${users} customer(s) use billing profile ${id}`, { n: users, id }));
      await store.deleteProfile(id);
      await store.audit(actorOf(req), iso(), 'delete', 'billing_profile', id, before, undefined);
    });
    return reply.code(204).send();
  });

  const customerView = async (id: number) => {
    const c = await store.customer(id);
    if (!c) throw notFound('customer', id);
    return { customerId: c.id, billingProfileId: c.billingProfileId, effectiveProfileId: (await store.profileOf(c))?.id ?? null, whitelisted: c.dunningExempt };
  };
  app.get('/api/v1/customers/:id/billing-profile', { schema: { tags, summary: "A customer's billing profile and dunning whitelist", params: IdParams, response: { 200: CustomerDunning, ...errors } } }, async (req) => customerView((req.params as { id: number }).id));
  app.put('/api/v1/customers/:id/billing-profile', { schema: { tags, summary: "Set a customer's billing profile (null: the default) and whitelist", params: IdParams, body: CustomerDunningPut, response: { 200: CustomerDunning, ...errors } } }, async (req) => {
    const id = (req.params as { id: number }).id;
    const b = req.body as { billingProfileId?: number | null; whitelisted?: boolean };
    return store.transaction(async () => {
      const before = await customerView(id);
      const profileId = b.billingProfileId === undefined ? before.billingProfileId : b.billingProfileId;
      if (profileId !== null && !(await store.profile(profileId))) throw bad('billingProfileId', `billing profile ${profileId} does not exist`);
      await store.setCustomer(id, profileId, b.whitelisted ?? before.whitelisted, iso());
      const after = await customerView(id);
      await store.audit(actorOf(req), iso(), 'update', 'customer_dunning', id, before, after);
      return after;
    });
  });

  app.get('/api/v1/dunning', { schema: { tags, summary: 'The dunning queue: who gets suspended next and when, and the next reminder', response: { 200: DunningQueue, ...errors } } }, async () => ({ items: await opts.dunning.queue(), next: null }));
  app.get('/api/v1/dunning/events', { schema: { tags, summary: 'What dunning did: reminders, late fees, suspensions, reactivations (newest first)', querystring: EventQuery, response: { 200: pageOf(DunningEvent), ...errors } } }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string; customerId?: number; invoiceId?: number; kind?: string };
    const limit = q.limit ?? 50;
    const rows = await store.events(q, limit + 1, q.cursor ? decodeCursor(q.cursor) : null);
    const items = await withCustomerNames(names, rows.slice(0, limit));
    return { items, next: rows.length > limit ? encodeCursor(items.at(-1)!.id) : null };
  });
}
