import type { CustomerBilling, PlanTerms, ServiceContract } from '../../../src/domain/billing/invoicing.js';

export const basic: PlanTerms = { planId: 1, name: 'Basic', price: 3000, taxRateBp: 0, taxInclusive: true };
export const pro: PlanTerms = { planId: 2, name: 'Pro', price: 6000, taxRateBp: 0, taxInclusive: true };

export function contract(over: Partial<ServiceContract> = {}): ServiceContract {
  return {
    serviceId: 1,
    status: 'active',
    plan: basic,
    billingPeriodMonths: 1,
    billingMode: 'advance',
    billingDay: 'anniversary',
    startDate: '2026-03-01',
    ...over,
  };
}

export function customer(services: ServiceContract[], over: Partial<CustomerBilling> = {}): CustomerBilling {
  return { customerId: 1, daysUntilDue: 14, services, ...over };
}
