/**
 * Lists name the customer beside its id, so the admin UI can show "Rossi Mario" linking to
 * /customers/7 instead of "#7" (src/db/names.ts resolves a page's ids in one query).
 */
import type { NameLookup } from '../db/names.js';

/** Each item with `customerName` (null when the customer no longer exists). */
export async function withCustomerNames<T extends { customerId: number }>(names: NameLookup, items: readonly T[]): Promise<Array<T & { customerName: string | null }>> {
  const found = await names.customers(items.map((i) => i.customerId));
  return items.map((i) => ({ ...i, customerName: found.get(i.customerId) ?? null }));
}

/** Each item with the customer of its service (`customerId`, `customerName`; null without a service). */
export async function withServiceOwners<T extends { serviceId: number | null }>(names: NameLookup, items: readonly T[]): Promise<Array<T & { customerId: number | null; customerName: string | null }>> {
  const found = await names.services(items.map((i) => i.serviceId));
  return items.map((i) => {
    const owner = i.serviceId === null ? undefined : found.get(i.serviceId);
    return { ...i, customerId: owner?.customerId ?? null, customerName: owner?.customerName ?? null };
  });
}
