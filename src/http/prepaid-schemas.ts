// Imports only typebox: the web's typecheck reads this file for the API's types.
import { Type } from 'typebox';

/** Schemas of prepaid top-ups, vouchers and data caps. */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Instant = Type.String({ description: 'ISO 8601 instant in UTC' });
const CalDate = Type.String({ format: 'date', description: 'YYYY-MM-DD in the billing time zone' });
const Bytes = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export const TopupCreate = Type.Object({
  source: Type.Optional(Type.Union([Type.Literal('payment'), Type.Literal('admin')], { description: 'payment (default): money received; admin: an operator extension' })),
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 120, description: 'validity periods to add (default 1)' })),
  amount: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e13, description: 'minor units received; default the plan price × count; 0: free, no receipt' })),
  method: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  reference: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
}, { additionalProperties: false });

export const Topup = Type.Object({
  id: Type.Integer(), serviceId: Type.Integer(), source: Type.String(), days: Type.Integer(), previousExpiresAt: Nullable(Instant), expiresAt: Instant,
  paymentId: Nullable(Type.Integer()), invoiceId: Nullable(Type.Integer({ description: 'the receipt: an invoice issued paid' })), voucherId: Nullable(Type.Integer()),
  at: Instant, actor: Type.String(),
});
export const TopupResult = Type.Object({
  serviceId: Type.Integer(), previousExpiresAt: Nullable(Instant), expiresAt: Instant, paymentId: Nullable(Type.Integer()),
  invoiceId: Nullable(Type.Integer()), invoiceNumber: Nullable(Type.String()), topup: Topup,
});

export const BatchCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  planId: Type.Integer({ minimum: 1, description: 'a prepaid plan' }),
  count: Type.Integer({ minimum: 1, maximum: 100_000 }),
  codeLength: Type.Optional(Type.Integer({ minimum: 10, maximum: 32, description: 'default prepaid.voucher_code_length' })),
  price: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e13, description: 'minor units one voucher sells for; default the plan price' })),
  validUntil: Type.Optional(Nullable(CalDate)),
}, { additionalProperties: false });
export const Batch = Type.Object({
  id: Type.Integer(), name: Type.String(), planId: Type.Integer(), count: Type.Integer(), codeLength: Type.Integer(), price: Type.Integer(),
  validUntil: Nullable(Type.String()), createdAt: Instant, createdBy: Type.String(), redeemed: Type.Optional(Type.Integer()),
});

export const RedeemBody = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 64, description: 'spaces and dashes are ignored, letters any case' }),
  serviceId: Type.Optional(Type.Integer({ minimum: 1, description: 'top up this service (on the voucher\'s plan)' })),
  customerId: Type.Optional(Type.Integer({ minimum: 1, description: 'or: a new service for this customer' })),
  customer: Type.Optional(Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false, description: 'or: a new customer' })),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 253, description: 'the new service\'s login; default the code' })),
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'the new service\'s password; default the code' })),
}, { additionalProperties: false });
export const Redemption = Type.Object({
  voucherId: Type.Integer(), serviceId: Type.Integer(), customerId: Type.Integer(), username: Type.String(), created: Type.Boolean(),
  expiresAt: Instant, invoiceId: Nullable(Type.Integer()),
});

export const Tier = Type.Object({
  fromBytes: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'from this usage in the period on' }),
  downloadKbps: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
  uploadKbps: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
}, { additionalProperties: false });
export const TiersBody = Type.Object({ tiers: Type.Array(Tier, { maxItems: 3 }) }, { additionalProperties: false });
export const Tiers = Type.Object({ planId: Type.Integer(), tiers: Type.Array(Tier) });

export const Usage = Type.Object({
  serviceId: Type.Integer(),
  period: Type.Object({ start: CalDate, end: CalDate }),
  usedBytes: Type.Integer(),
  topupBytes: Type.Integer(),
  capBytes: Nullable(Type.Integer({ description: 'data at full speed this period (first threshold plus top-ups); null: no cap' })),
  blockAtBytes: Nullable(Type.Integer()),
  tier: Type.Object({
    level: Type.Integer({ description: '0 full rate, 1-3 a fair-use tier, 4 blocked' }), name: Type.String(), blocked: Type.Boolean(),
    rate: Nullable(Type.Object({ downloadKbps: Type.Integer(), uploadKbps: Type.Integer() })), nextAtBytes: Nullable(Type.Integer()),
  }),
  tiers: Type.Array(Tier),
});
export const DataTopupBody = Type.Object({ bytes: Bytes }, { additionalProperties: false });
export const DataTopupRecord = Type.Object({
  id: Type.Integer(), serviceId: Type.Integer(), periodStart: CalDate, bytes: Type.Integer(), createdAt: Instant, createdBy: Type.String(),
});
export const DataTopupListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'the latest N (default 50)' })) }, { additionalProperties: false });
export const DataTopup = Type.Object({
  id: Type.Integer(), serviceId: Type.Integer(), periodStart: CalDate, bytes: Type.Integer(), createdAt: Instant, createdBy: Type.String(), usage: Usage,
});
export const BatchListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), cursor: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
