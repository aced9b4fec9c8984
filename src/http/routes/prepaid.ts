/**
 * Prepaid top-ups, vouchers and data caps over HTTP. Every write audits in its own transaction (the
 * services do it); a change that the RADIUS side caches (a service's expiry, a new voucher service,
 * plan tiers) is announced through `onChange` so the next login sees it.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { PrepaidOps } from '../../billing/prepaid-ops.js';
import { decodeCursor, encodeCursor } from '../../db/crud.js';
import { fileResponse, IdParams, pageOf, ProblemSchema } from '../schemas.js';
import { csv } from './billing-export.js';
import { actorOf } from './crud.js';

export interface PrepaidRoutesOptions {
  ops: PrepaidOps;
  onChange?: ((entity: 'nas' | 'plan' | 'service' | 'customer') => void) | undefined;
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };
const Instant = Type.String({ description: 'ISO 8601 instant in UTC' });
const CalDate = Type.String({ format: 'date', description: 'YYYY-MM-DD in the billing time zone' });
const Bytes = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

const TopupCreate = Type.Object({
  source: Type.Optional(Type.Union([Type.Literal('payment'), Type.Literal('admin')], { description: 'payment (default): money received; admin: an operator extension' })),
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 120, description: 'validity periods to add (default 1)' })),
  amount: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e13, description: 'minor units received; default the plan price × count; 0: free, no receipt' })),
  method: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  reference: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
}, { additionalProperties: false });

const Topup = Type.Object({
  id: Type.Integer(), serviceId: Type.Integer(), source: Type.String(), days: Type.Integer(), previousExpiresAt: Nullable(Instant), expiresAt: Instant,
  paymentId: Nullable(Type.Integer()), invoiceId: Nullable(Type.Integer({ description: 'the receipt: an invoice issued paid' })), voucherId: Nullable(Type.Integer()),
  at: Instant, actor: Type.String(),
});
const TopupResult = Type.Object({
  serviceId: Type.Integer(), previousExpiresAt: Nullable(Instant), expiresAt: Instant, paymentId: Nullable(Type.Integer()),
  invoiceId: Nullable(Type.Integer()), invoiceNumber: Nullable(Type.String()), topup: Topup,
});

const BatchCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  planId: Type.Integer({ minimum: 1, description: 'a prepaid plan' }),
  count: Type.Integer({ minimum: 1, maximum: 100_000 }),
  codeLength: Type.Optional(Type.Integer({ minimum: 10, maximum: 32, description: 'default prepaid.voucher_code_length' })),
  price: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e13, description: 'minor units one voucher sells for; default the plan price' })),
  validUntil: Type.Optional(Nullable(CalDate)),
}, { additionalProperties: false });
const Batch = Type.Object({
  id: Type.Integer(), name: Type.String(), planId: Type.Integer(), count: Type.Integer(), codeLength: Type.Integer(), price: Type.Integer(),
  validUntil: Nullable(Type.String()), createdAt: Instant, createdBy: Type.String(), redeemed: Type.Optional(Type.Integer()),
});

const RedeemBody = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 64, description: 'spaces and dashes are ignored, letters any case' }),
  serviceId: Type.Optional(Type.Integer({ minimum: 1, description: 'top up this service (on the voucher\'s plan)' })),
  customerId: Type.Optional(Type.Integer({ minimum: 1, description: 'or: a new service for this customer' })),
  customer: Type.Optional(Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false, description: 'or: a new customer' })),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 253, description: 'the new service\'s login; default the code' })),
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'the new service\'s password; default the code' })),
}, { additionalProperties: false });
const Redemption = Type.Object({
  voucherId: Type.Integer(), serviceId: Type.Integer(), customerId: Type.Integer(), username: Type.String(), created: Type.Boolean(),
  expiresAt: Instant, invoiceId: Nullable(Type.Integer()),
});

const Tier = Type.Object({
  fromBytes: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'from this usage in the period on' }),
  downloadKbps: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
  uploadKbps: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
}, { additionalProperties: false });
const TiersBody = Type.Object({ tiers: Type.Array(Tier, { maxItems: 3 }) }, { additionalProperties: false });
const Tiers = Type.Object({ planId: Type.Integer(), tiers: Type.Array(Tier) });

const Usage = Type.Object({
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
const DataTopupBody = Type.Object({ bytes: Bytes }, { additionalProperties: false });
const DataTopup = Type.Object({
  id: Type.Integer(), serviceId: Type.Integer(), periodStart: CalDate, bytes: Type.Integer(), createdAt: Instant, createdBy: Type.String(), usage: Usage,
});
const BatchListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), cursor: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });

export async function prepaidRoutes(app: FastifyInstance, opts: PrepaidRoutesOptions): Promise<void> {
  const { prepaid, vouchers, caps } = opts.ops;
  const changed = () => opts.onChange?.('service');

  // ---- prepaid

  app.post('/api/v1/services/:id/topup', {
    schema: { tags: ['services'], summary: 'Extend a prepaid service by its plan\'s validity (from the later of now and its expiry); records the payment and a paid invoice as receipt', params: IdParams, body: TopupCreate, response: { 201: TopupResult, ...errors } },
  }, async (req, reply) => {
    const { id } = req.params as { id: number };
    const b = (req.body ?? {}) as { source?: 'payment' | 'admin'; count?: number; amount?: number; method?: string; reference?: string | null };
    const r = prepaid.topup(id, { ...b, source: b.source ?? 'payment' }, actorOf(req));
    changed();
    return reply.code(201).send(r);
  });
  app.get('/api/v1/services/:id/topups', {
    schema: { tags: ['services'], summary: 'A prepaid service\'s top-ups, oldest first', params: IdParams, response: { 200: pageOf(Topup), ...errors } },
  }, async (req) => ({ items: prepaid.topups((req.params as { id: number }).id), next: null }));

  // ---- vouchers

  const vt = ['vouchers'];
  app.post('/api/v1/vouchers/batches', {
    schema: { tags: vt, summary: 'Generate a batch of unique random voucher codes for a prepaid plan (codes only through the CSV and PDF exports)', body: BatchCreate, response: { 201: Batch, ...errors } },
  }, async (req, reply) => {
    const { codes: _codes, ...batch } = vouchers.createBatch(req.body as never, actorOf(req));
    return reply.code(201).header('location', `/api/v1/vouchers/batches/${batch.id}`).send({ ...batch, redeemed: 0 });
  });
  app.get('/api/v1/vouchers/batches', {
    schema: { tags: vt, summary: 'Voucher batches with how many were redeemed', querystring: BatchListQuery, response: { 200: pageOf(Batch), ...errors } },
  }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string };
    const limit = q.limit ?? 50;
    const rows = vouchers.batches(q.cursor ? decodeCursor(q.cursor) : 0, limit + 1);
    const items = rows.slice(0, limit);
    return { items, next: rows.length > limit ? encodeCursor(items[items.length - 1]!.id) : null };
  });
  app.get('/api/v1/vouchers/batches/:id', {
    schema: { tags: vt, summary: 'A voucher batch', params: IdParams, response: { 200: Batch, ...errors } },
  }, async (req) => {
    const { batch, vouchers: list } = vouchers.batchWithVouchers((req.params as { id: number }).id);
    return { ...batch, redeemed: list.filter((v) => v.redeemedAt !== null).length };
  });
  app.get('/api/v1/vouchers/batches/:id/vouchers.csv', {
    schema: { tags: vt, summary: 'The batch\'s codes as CSV, for printing or a reseller', params: IdParams, response: { 200: fileResponse('text/csv', 'One row per voucher'), 404: ProblemSchema } },
  }, async (req, reply) => {
    const { id } = req.params as { id: number };
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="vouchers-${id}.csv"`).send(csv(vouchers.csvRows(id)));
  });
  app.get('/api/v1/vouchers/batches/:id/vouchers.pdf', {
    schema: { tags: vt, summary: 'A printable PDF sheet of the batch\'s unredeemed vouchers', params: IdParams, response: { 200: fileResponse('application/pdf', 'The printable sheet'), 404: ProblemSchema } },
  }, async (req, reply) => {
    const { id } = req.params as { id: number };
    const pdf = await vouchers.pdf(id);
    return reply.type('application/pdf').header('content-disposition', `inline; filename="vouchers-${id}.pdf"`).send(pdf);
  });
  app.post('/api/v1/vouchers/redeem', {
    schema: { tags: vt, summary: 'Redeem a voucher once: top up a service, or create one for a customer (new or existing)', body: RedeemBody, response: { 201: Redemption, ...errors } },
  }, async (req, reply) => {
    const r = vouchers.redeem(req.body as never, actorOf(req));
    changed();
    return reply.code(201).send(r);
  });

  // ---- data caps

  app.get('/api/v1/plans/:id/cap-tiers', {
    schema: { tags: ['plans'], summary: 'A plan\'s fair-use tiers (besides its dataCapBytes and capAction)', params: IdParams, response: { 200: Tiers, ...errors } },
  }, async (req) => {
    const { id } = req.params as { id: number };
    return { planId: id, tiers: caps.planTiers(id) };
  });
  app.put('/api/v1/plans/:id/cap-tiers', {
    schema: { tags: ['plans'], summary: 'Replace a plan\'s fair-use tiers: up to three (from N bytes in the period on, this rate)', params: IdParams, body: TiersBody, response: { 200: Tiers, ...errors } },
  }, async (req) => {
    const { id } = req.params as { id: number };
    const tiers = caps.setPlanTiers(id, (req.body as { tiers: never[] }).tiers, actorOf(req));
    opts.onChange?.('plan');
    return { planId: id, tiers };
  });
  app.get('/api/v1/services/:id/usage', {
    schema: { tags: ['services'], summary: 'Data used in the current cap period (anchored to the billing day), the cap and the tier', params: IdParams, response: { 200: Usage, ...errors } },
  }, async (req) => caps.usage((req.params as { id: number }).id));
  app.post('/api/v1/services/:id/data-topup', {
    schema: { tags: ['services'], summary: 'Add data to the current cap period; a throttled or blocked service gets its rate back at once', params: IdParams, body: DataTopupBody, response: { 201: DataTopup, ...errors } },
  }, async (req, reply) => {
    const r = caps.topupData((req.params as { id: number }).id, (req.body as { bytes: number }).bytes, actorOf(req));
    changed();
    return reply.code(201).send(r);
  });
}
