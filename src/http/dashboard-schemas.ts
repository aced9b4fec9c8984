// Imports only typebox: the web's typecheck reads this file for the API's types.
import { Type } from 'typebox';

/** Schemas of the admin UI's front page (`GET /api/v1/dashboard`). */

const Int = Type.Integer();

export const Dashboard = Type.Object({
  at: Type.String({ format: 'date-time' }),
  today: Type.String({ format: 'date', description: 'today in the billing time zone' }),
  currency: Type.String(),
  online: Type.Integer({ description: 'open RADIUS sessions' }),
  customers: Int,
  services: Type.Object({ active: Int, suspended: Int, total: Int }),
  auth: Type.Array(Type.Object({ minute: Type.String({ description: 'YYYY-MM-DDTHH:MM, UTC' }), accept: Int, reject: Int }), { description: 'Access-Request outcomes per minute over the last hour (minutes without any are left out)' }),
  revenue: Type.Object({
    thisMonth: Type.Integer({ description: 'payments received this month, net of refunds (minor units)' }),
    lastMonth: Int,
    invoicedThisMonth: Type.Integer({ description: 'invoiced this month, net of credit notes' }),
    invoicedLastMonth: Int,
  }),
  overdue: Type.Object({ count: Type.Integer({ description: 'invoices past their due date with something still open' }), total: Int }),
  nas: Type.Object({ up: Int, down: Int, unknown: Int, total: Int }),
  traffic: Type.Object({ todayBytes: Int, monthBytes: Int }),
});
