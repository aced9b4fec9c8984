/**
 * Prepaid top-ups, vouchers and data caps over HTTP. Every write audits in its own transaction (the
 * services do it). A change the RADIUS side caches (a service's expiry, plan tiers) is announced by
 * build.ts's hook for every write under /services/:id and /plans/:id; a voucher redeemed into a
 * service, outside those paths, through `onChange`, so the next login sees it.
 */
import type { FastifyInstance } from 'fastify';
import type { PrepaidOps } from '../../billing/prepaid-ops.js';
import { decodeCursor, encodeCursor } from '../../db/crud.js';
import { Batch, BatchCreate, BatchListQuery, DataTopup, DataTopupBody, DataTopupListQuery, DataTopupRecord, RedeemBody, Redemption, Tiers, TiersBody, Topup, TopupCreate, TopupResult, Usage } from '../prepaid-schemas.js';
import { DocumentQuery, fileResponse, IdParams, pageOf, ProblemSchema } from '../schemas.js';
import { rowsOf, type Change } from '../../lib/topic.js';
import type { Locale } from '../../i18n/locales.js';
import { csv } from './billing-export.js';
import { actorOf } from './crud.js';

export interface PrepaidRoutesOptions {
  ops: PrepaidOps;
  onChange?: ((change: Change) => void) | undefined;
}

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };

export async function prepaidRoutes(app: FastifyInstance, opts: PrepaidRoutesOptions): Promise<void> {
  const { prepaid, vouchers, caps } = opts.ops;

  // ---- prepaid

  app.post('/api/v1/services/:id/topup', {
    schema: { tags: ['services'], summary: 'Extend a prepaid service by its plan\'s validity (from the later of now and its expiry); records the payment and a paid invoice as receipt', params: IdParams, body: TopupCreate, response: { 201: TopupResult, ...errors } },
  }, async (req, reply) => {
    const { id } = req.params as { id: number };
    const b = (req.body ?? {}) as { source?: 'payment' | 'admin'; count?: number; amount?: number; method?: string; reference?: string | null };
    const r = await prepaid.topup(id, { ...b, source: b.source ?? 'payment' }, actorOf(req));
    return reply.code(201).send(r);
  });
  app.get('/api/v1/services/:id/topups', {
    schema: { tags: ['services'], summary: 'A prepaid service\'s top-ups, oldest first', params: IdParams, response: { 200: pageOf(Topup), ...errors } },
  }, async (req) => ({ items: await prepaid.topups((req.params as { id: number }).id), next: null }));

  // ---- vouchers

  const vt = ['vouchers'];
  app.post('/api/v1/vouchers/batches', {
    schema: { tags: vt, summary: 'Generate a batch of unique random voucher codes for a prepaid plan (codes only through the CSV and PDF exports)', body: BatchCreate, response: { 201: Batch, ...errors } },
  }, async (req, reply) => {
    const { codes: _codes, ...batch } = await vouchers.createBatch(req.body as never, actorOf(req));
    return reply.code(201).header('location', `/api/v1/vouchers/batches/${batch.id}`).send({ ...batch, redeemed: 0 });
  });
  app.get('/api/v1/vouchers/batches', {
    schema: { tags: vt, summary: 'Voucher batches with how many were redeemed', querystring: BatchListQuery, response: { 200: pageOf(Batch), ...errors } },
  }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string };
    const limit = q.limit ?? 50;
    const rows = await vouchers.batches(q.cursor ? decodeCursor(q.cursor) : 0, limit + 1);
    const items = rows.slice(0, limit);
    return { items, next: rows.length > limit ? encodeCursor(items[items.length - 1]!.id) : null };
  });
  app.get('/api/v1/vouchers/batches/:id', {
    schema: { tags: vt, summary: 'A voucher batch', params: IdParams, response: { 200: Batch, ...errors } },
  }, async (req) => {
    const { batch, vouchers: list } = await vouchers.batchWithVouchers((req.params as { id: number }).id);
    return { ...batch, redeemed: list.filter((v) => v.redeemedAt !== null).length };
  });
  app.get('/api/v1/vouchers/batches/:id/vouchers.csv', {
    schema: { tags: vt, summary: 'The batch\'s codes as CSV, for printing or a reseller', params: IdParams, response: { 200: fileResponse('text/csv', 'One row per voucher'), 404: ProblemSchema } },
  }, async (req, reply) => {
    const { id } = req.params as { id: number };
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="vouchers-${id}.csv"`).send(csv(await vouchers.csvRows(id)));
  });
  app.get('/api/v1/vouchers/batches/:id/vouchers.pdf', {
    schema: { tags: vt, summary: 'A printable PDF sheet of the batch\'s unredeemed vouchers, in the installation\'s language unless ?lang= asks for another', params: IdParams, querystring: DocumentQuery, response: { 200: fileResponse('application/pdf', 'The printable sheet'), 404: ProblemSchema } },
  }, async (req, reply) => {
    const { id } = req.params as { id: number };
    const pdf = await vouchers.pdf(id, (req.query as { lang?: Locale }).lang);
    return reply.type('application/pdf').header('content-disposition', `inline; filename="vouchers-${id}.pdf"`).send(pdf);
  });
  app.post('/api/v1/vouchers/redeem', {
    schema: { tags: vt, summary: 'Redeem a voucher once: top up a service, or create one for a customer (new or existing)', body: RedeemBody, response: { 201: Redemption, ...errors } },
  }, async (req, reply) => {
    const r = await vouchers.redeem(req.body as never, actorOf(req));
    // Outside /services/:id, where build.ts's hook announces changes: the redeemed service's own.
    opts.onChange?.(rowsOf('service', [r.serviceId]));
    return reply.code(201).send(r);
  });

  // ---- data caps

  app.get('/api/v1/plans/:id/cap-tiers', {
    schema: { tags: ['plans'], summary: 'A plan\'s fair-use tiers (besides its dataCapBytes and capAction)', params: IdParams, response: { 200: Tiers, ...errors } },
  }, async (req) => {
    const { id } = req.params as { id: number };
    return { planId: id, tiers: await caps.planTiers(id) };
  });
  app.put('/api/v1/plans/:id/cap-tiers', {
    schema: { tags: ['plans'], summary: 'Replace a plan\'s fair-use tiers: up to three (from N bytes in the period on, this rate)', params: IdParams, body: TiersBody, response: { 200: Tiers, ...errors } },
  }, async (req) => {
    const { id } = req.params as { id: number };
    const tiers = await caps.setPlanTiers(id, (req.body as { tiers: never[] }).tiers, actorOf(req));
    return { planId: id, tiers };
  });
  app.get('/api/v1/services/:id/usage', {
    schema: { tags: ['services'], summary: 'Data used in the current cap period (anchored to the billing day), the cap and the tier', params: IdParams, response: { 200: Usage, ...errors } },
  }, async (req) => caps.usage((req.params as { id: number }).id));
  app.post('/api/v1/services/:id/data-topup', {
    schema: { tags: ['services'], summary: 'Add data to the current cap period; a throttled or blocked service gets its rate back at once', params: IdParams, body: DataTopupBody, response: { 201: DataTopup, ...errors } },
  }, async (req, reply) => {
    const r = await caps.topupData((req.params as { id: number }).id, (req.body as { bytes: number }).bytes, actorOf(req));
    return reply.code(201).send(r);
  });
  app.get('/api/v1/services/:id/data-topups', {
    schema: { tags: ['services'], summary: 'A service\'s data top-ups, newest first: the period each was added to, how much and by whom', params: IdParams, querystring: DataTopupListQuery, response: { 200: pageOf(DataTopupRecord), ...errors } },
  }, async (req) => ({ items: await caps.dataTopups((req.params as { id: number }).id, (req.query as { limit?: number }).limit ?? 50), next: null }));
}
