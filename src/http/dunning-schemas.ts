// Imports only typebox: the web's typecheck reads this file for the API's types.
import { Type, type TSchema } from 'typebox';

/** Schemas of dunning: billing profiles, a customer's profile and whitelist, the queue and its event log. */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const HHMM = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM, billing time zone' });
const CalendarDate = Type.String({ format: 'date', description: 'YYYY-MM-DD in the billing time zone' });
const ChannelT = Type.Union([Type.Literal('email'), Type.Literal('sms')]);
export const Reminder = Type.Object({
  afterDays: Type.Integer({ minimum: 1, maximum: 365, description: 'days after the due date' }),
  channels: Type.Array(ChannelT, { minItems: 1, maxItems: 2, uniqueItems: true }),
  template: Type.String({ minLength: 1, maxLength: 100, description: 'notification template key, e.g. invoice.reminder.1' }),
}, { additionalProperties: false });

const profileFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  isDefault: Type.Boolean({ description: 'the profile of customers that have none' }),
  daysUntilDue: Type.Integer({ minimum: 0, maximum: 365 }),
  reminders: Type.Array(Reminder, { maxItems: 3, description: 'up to three, in order of afterDays' }),
  lateFeeAmount: Nullable(Type.Integer({ minimum: 1, maximum: 1e13, description: 'minor units; a one-off charge billed by the next run' })),
  lateFeeAfterDays: Nullable(Type.Integer({ minimum: 1, maximum: 365 })),
  lateFeeTaxRateBp: Type.Integer({ minimum: 0, maximum: 10000 }),
  graceDays: Nullable(Type.Integer({ minimum: 0, maximum: 365, description: 'suspended on due date + graceDays + 1; null: never suspended' })),
  suspendMode: Nullable(Type.Union([Type.Literal('reject'), Type.Literal('walled-garden')], { description: "null: the plan's mode or the configured default" })),
  quietWeekdays: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { maxItems: 7, uniqueItems: true, description: 'ISO weekdays (1 Monday .. 7 Sunday) with no suspension' }),
  quietDates: Type.Array(CalendarDate, { maxItems: 400, uniqueItems: true, description: 'holidays with no suspension' }),
  officeHoursStart: Nullable(HHMM),
  officeHoursEnd: Nullable(HHMM),
  billSuspended: Type.Boolean({ description: 'keep invoicing services while suspended' }),
  minOverdueAmount: Nullable(Type.Integer({
    minimum: 0, maximum: 1e13,
    description: "minor units: no reminder, late fee or suspension while the customer's overdue amount (the open amount of its invoices past due) is below it, and a payment that leaves less overdue resumes what dunning suspended; null (the default): one unit of the billing currency (100 for EUR)",
  })),
};
export const Profile = Type.Object({ id: Type.Integer(), ...profileFields, createdAt: Type.String(), updatedAt: Type.String() });
export const ProfileCreate = Type.Object({
  name: profileFields.name,
  ...Object.fromEntries(Object.entries(profileFields).filter(([k]) => k !== 'name').map(([k, v]) => [k, Type.Optional(v)])),
}, { additionalProperties: false });
export const ProfilePatch = Type.Object(Object.fromEntries(Object.entries(profileFields).map(([k, v]) => [k, Type.Optional(v)])), { additionalProperties: false, minProperties: 1 });
export const ProfileListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), cursor: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
export const CustomerDunning = Type.Object({ customerId: Type.Integer(), billingProfileId: Nullable(Type.Integer()), effectiveProfileId: Nullable(Type.Integer()), whitelisted: Type.Boolean() });
export const CustomerDunningPut = Type.Object({
  billingProfileId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  whitelisted: Type.Optional(Type.Boolean({ description: 'never suspended for non-payment' })),
}, { additionalProperties: false, minProperties: 1 });
export const QueueItem = Type.Object({
  customerId: Type.Integer(), customerName: Type.String(), invoiceId: Type.Integer(), invoiceNumber: Type.String(), open: Type.Integer(),
  dueDate: Type.String(), profileId: Type.Integer(), whitelisted: Type.Boolean(), suspensionDate: Nullable(Type.String()),
  suspendAt: Nullable(Type.String({ description: 'the first instant the suspension may happen (quiet days and office hours applied); null: never' })),
  services: Type.Array(Type.Object({ id: Type.Integer(), username: Type.String() })),
  nextReminder: Nullable(Type.Object({ step: Type.Integer(), date: Type.String() })),
});
/** The dunning queue (`GET /api/v1/dunning`): one page, the whole queue. */
export const DunningQueue = Type.Object({ items: Type.Array(QueueItem), next: Type.Null() });
export const DunningEvent = Type.Object({
  id: Type.Integer(), key: Type.String(), customerId: Type.Integer(),
  customerName: Type.Optional(Nullable(Type.String({ description: "the customer's name (lists); null when the customer no longer exists" }))), invoiceId: Nullable(Type.Integer()), serviceId: Nullable(Type.Integer()),
  kind: Type.String(), step: Nullable(Type.Integer()), date: Type.String(), at: Type.String(), detail: Type.Any(), resolvedAt: Nullable(Type.String()),
});
export const EventQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), cursor: Type.Optional(Type.String({ maxLength: 200 })),
  customerId: Type.Optional(Type.Integer({ minimum: 1 })), invoiceId: Type.Optional(Type.Integer({ minimum: 1 })),
  kind: Type.Optional(Type.Union([Type.Literal('reminder'), Type.Literal('late_fee'), Type.Literal('suspend'), Type.Literal('resume')])),
}, { additionalProperties: false });
