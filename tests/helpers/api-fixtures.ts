import type { App } from '../../src/http/build.js';
import type { Fixtures } from './openapi.js';

/** One record of each main resource, created through the API, keyed as path segments name them. */
export async function createFixtures(app: App, token: string): Promise<Fixtures> {
  const call = async (method: string, url: string, payload?: unknown) => {
    const res = await app.inject({ method: method as 'POST', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const nas = await call('POST', '/api/v1/nas', { name: 'fixture-nas', ipAddress: '192.0.2.1', secret: 'fixture-secret-1' });
  const plan = await call('POST', '/api/v1/plans', { name: 'fixture-plan', type: 'recurring', price: 1000, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 });
  const customer = await call('POST', '/api/v1/customers', { name: 'Fixture Customer', email: 'fixture@example.com' });
  const service = await call('POST', '/api/v1/services', { customerId: customer.id, planId: plan.id, username: 'fixture-user', password: 'fixture-pw', startDate: '2026-01-01' });
  await call('POST', '/api/v1/billing/run', { date: '2026-01-01' });
  const invoice = (await call('GET', `/api/v1/invoices?customerId=${customer.id}`)).items[0];
  const payment = await call('POST', '/api/v1/payments', { customerId: customer.id, amount: 100, method: 'cash', receivedAt: '2026-01-02T10:00:00.000Z' });
  return { nas: nas.id, plans: plan.id, customers: customer.id, services: service.id, invoices: invoice?.id ?? 999_999, payments: payment.id };
}

/**
 * Valid input the generator cannot derive from the schemas alone (cross-field rules, records in a
 * given state), keyed `METHOD /path/{param}` as in the OpenAPI document. The route walk reports a
 * route it cannot reach with schema-valid input by name: add its valid input here.
 */
export const VALID_INPUT: Record<string, (f: Fixtures) => { body?: unknown; query?: string; path?: string }> = {
  'POST /api/v1/plans': () => ({ body: { name: `walk-plan-${Date.now()}`, type: 'prepaid', price: 500, validityDays: 30, downloadKbps: 1000, uploadKbps: 1000 } }),
  'POST /api/v1/services': (f) => ({ body: { customerId: f.customers, planId: f.plans, username: `walk-${Date.now()}`, password: 'pw', startDate: '2026-01-01' } }),
  'POST /api/v1/credit-notes': (f) => ({ body: { invoiceId: f.invoices } }),
  'POST /api/v1/billing/run': () => ({ body: { date: '2026-01-02' } }),
  'POST /api/v1/discounts': (f) => ({ body: { customerId: f.customers, description: 'walk', target: { kind: 'invoice' }, percentBp: 1000, startDate: '2026-02-01', periods: 1 } }),
};
