// Imports only typebox: the web's typecheck reads this file for the API's types.
import { Type } from 'typebox';

/** Schemas of the operator's overview and first-run checklist (`/api/v1/dashboard/…`). */

const Int = Type.Integer({ minimum: 0 });
const Money = Type.Integer({ description: 'integer minor units of the configured currency' });
const CalendarDate = Type.String({ format: 'date', description: 'YYYY-MM-DD in the billing time zone' });
const Instant = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);

export const Overview = Type.Object({
  at: Instant,
  today: CalendarDate,
  currency: Type.String(),
  month: Type.Object({ from: CalendarDate, to: CalendarDate }, { description: 'this month in the billing time zone' }),
  money: Type.Object({
    invoiced: Type.Integer({ description: 'invoiced this month (issue date), net of credit notes' }),
    collected: Type.Integer({ description: 'payments received this month' }),
    refunded: Type.Integer({ description: 'of which paid back since' }),
  }),
  overdue: Type.Array(
    Type.Object({ bucket: Type.Union([Type.Literal('0-30'), Type.Literal('31-60'), Type.Literal('61-90'), Type.Literal('90+')]), count: Int, amount: Money }),
    { description: 'invoices past due with something open, by days past the due date; always the four buckets in order' },
  ),
  services: Type.Object({
    started: Type.Integer({ description: 'services with a start date this month, up to today' }),
    ended: Type.Integer({ description: 'contracts whose last day fell this month, up to today' }),
  }),
  online: Type.Array(Type.Object({ at: Instant, sessions: Int }), { description: '24 points, oldest first: sessions open at the end of each of the last 23 hours, and now' }),
  topNas: Type.Array(Type.Object({ nasId: Type.Integer(), name: Type.String(), sessions: Int, bytes: Type.Integer({ description: 'octets of the sessions open or ended in the last 24 h (their whole count)' }) })),
  rejects: Type.Array(Type.Object({
    id: Type.Integer(), at: Instant, username: Type.String(), reason: Nullable(Type.String()), nasId: Nullable(Type.Integer()), serviceId: Nullable(Type.Integer()),
    reasonCode: Nullable(Type.String({ description: "the reason's key in the UI's message catalogue (e.g. aaa.macMismatch), to word it in the reader's language; null: none" })),
  reasonValues: Type.Union([Type.Record(Type.String(), Type.String(), { description: 'the values the keyed message takes' }), Type.Null()]),
  }), { description: 'the latest Access-Rejects, newest first' }),
});

const Step = Type.Object({
  key: Type.Union(['nas', 'plan', 'company', 'notifications', 'customer'].map((k) => Type.Literal(k))),
  done: Type.Boolean(),
  href: Type.String({ description: 'the admin UI page that does it' }),
});
export const Checklist = Type.Object({
  done: Type.Boolean({ description: 'every step done: the UI hides the checklist' }),
  steps: Type.Array(Step, { description: 'in order: NAS, plan, company data, SMTP or SMS, first customer' }),
});
