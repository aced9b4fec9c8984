// Imports only typebox and the other schema modules: the web's typecheck reads this file for the API's types.
import { Type, type TSchema } from 'typebox';
import { ListQuery } from './schemas.js';
import { sortParam } from './list-schemas.js';

/** Schemas of the billing API: invoices, payments, credit notes, statements, contract facts, runs. */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Id = Type.Integer({ minimum: 1 });
const Instant = Type.String({ format: 'date-time', description: 'ISO 8601 instant in UTC' });
const CalendarDate = Type.String({ format: 'date', description: 'YYYY-MM-DD in the billing time zone' });
const Amount = Type.Integer({ minimum: -1e13, maximum: 1e13, description: 'integer minor units (cents); negative for a credit' });
const Positive = Type.Integer({ minimum: 1, maximum: 1e13, description: 'integer minor units (cents), > 0' });
const NonNegative = Type.Integer({ minimum: 0, maximum: 1e13, description: 'integer minor units (cents), ≥ 0' });
const RateBp = Type.Integer({ minimum: 0, maximum: 10_000, description: 'tax rate in basis points: 2200 = 22 %' });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
/** FatturaPA exemption natures in force (src/domain/billing/document-tax.ts VAT_NATURES). */
const VatNature = Type.String({ pattern: '^N(1|2\\.[12]|3\\.[1-6]|4|5|6\\.[1-9]|7)$', description: 'exemption nature of a 0 % price (FatturaPA Natura): N1, N2.1, N2.2, N3.1 … N3.6, N4, N5, N6.1 … N6.9, N7' });

/** Beside customerId in lists: the customer's name, so a list can show and link it; null when the customer is gone. */
const CustomerName = Type.Optional(Nullable(Type.String({ description: "the customer's name (lists); null when the customer no longer exists" })));

const PeriodFilter = {
  from: Type.Optional(CalendarDate),
  to: Type.Optional(CalendarDate),
};

export const InvoiceLine = Type.Object({
  id: Id,
  position: Type.Integer(),
  key: Type.String({ description: 'the fact this line bills; unique across all invoices' }),
  kind: Type.String({ description: 'recurring, item, setup, plan_change_credit, plan_change_charge, end_credit, item_end_credit, one_off, discount, early_termination' }),
  serviceId: Nullable(Id),
  description: Type.String(),
  periodStart: Nullable(CalendarDate),
  periodEnd: Nullable(CalendarDate),
  billDate: CalendarDate,
  amount: Amount,
  taxRateBp: RateBp,
  taxInclusive: Type.Boolean(),
  vatNature: Nullable(VatNature),
  vatLegalRef: Nullable(Type.String()),
  net: Amount,
  tax: Amount,
  gross: Amount,
  appliesTo: Nullable(Type.String({ description: 'for a discount: the key of the line it discounts' })),
});

const TaxSummary = Type.Object({
  taxRateBp: RateBp, vatNature: Type.Optional(Nullable(VatNature)), net: Amount, tax: Amount, gross: Amount,
}, { description: 'one entry per rate (and exemption nature): the tax computed once on the rate\'s taxable total' });

const invoiceFields = {
  id: Id,
  customerId: Id,
  customerName: CustomerName,
  number: Type.String({ description: 'gapless per series and year, given at issue: INV-2026-000123' }),
  issueDate: CalendarDate,
  dueDate: CalendarDate,
  currency: Type.String(),
  net: Amount,
  tax: Amount,
  total: Amount,
  paid: NonNegative,
  credited: NonNegative,
  open: Type.Integer({ minimum: 0, description: 'still owed' }),
  status: Type.Union([Type.Literal('open'), Type.Literal('paid'), Type.Literal('credited')]),
  createdAt: Instant,
};
export const InvoiceSummary = Type.Object(invoiceFields);
export const Invoice = Type.Object({
  ...invoiceFields,
  lines: Type.Array(InvoiceLine),
  taxes: Type.Array(TaxSummary, { description: 'totals per tax rate' }),
  allocations: Type.Array(Type.Object({ id: Id, paymentId: Nullable(Id), amount: Amount, date: CalendarDate }), { description: 'what settled it: payments, or credit when paymentId is null' }),
});
export const InvoiceListQuery = Type.Object(
  {
    ...ListQuery.properties,
    customerId: Type.Optional(Id),
    ...PeriodFilter,
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('paid')])),
    sort: Type.Optional(sortParam(['id', 'issueDate', 'dueDate', 'number', 'total', 'open'])),
  },
  { additionalProperties: false },
);
export const ExportQuery = Type.Object({ customerId: Type.Optional(Id), ...PeriodFilter }, { additionalProperties: false });

export const Payment = Type.Object({
  id: Id,
  customerId: Id,
  customerName: CustomerName,
  amount: Positive,
  method: Type.String(),
  reference: Nullable(Type.String()),
  receivedAt: Instant,
  date: CalendarDate,
  refunded: NonNegative,
  createdAt: Instant,
});
export const PaymentCreate = Type.Object(
  {
    customerId: Id,
    amount: Positive,
    method: Type.String({ minLength: 1, maxLength: 40, description: 'cash, bank, card, …' }),
    receivedAt: Instant,
    reference: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    invoiceId: Type.Optional(Type.Integer({ minimum: 1, description: "an open invoice of the customer, issued on or before the payment's date, settled first; the rest goes oldest first, then to credit" })),
  },
  { additionalProperties: false },
);
const PaymentFilters = {
  customerId: Type.Optional(Id),
  ...PeriodFilter,
  method: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'exact method, as recorded' })),
};
export const PaymentListQuery = Type.Object({ ...ListQuery.properties, ...PaymentFilters }, { additionalProperties: false });
export const PaymentTotalsQuery = Type.Object(PaymentFilters, { additionalProperties: false });
const MethodTotal = Type.Object({
  method: Type.String(),
  count: Type.Integer({ minimum: 0 }),
  amount: NonNegative,
  refunded: NonNegative,
  net: Type.Integer({ description: 'amount − refunded' }),
});
export const PaymentTotals = Type.Object({
  currency: Type.String(),
  from: Nullable(CalendarDate),
  to: Nullable(CalendarDate),
  total: MethodTotal,
  byMethod: Type.Array(MethodTotal, { description: 'per method, largest amount first' }),
}, { description: "the list's filters summed over every matching payment (not one page)" });
export const Refund = Type.Object({ id: Id, customerId: Id, paymentId: Nullable(Id), amount: Positive, date: CalendarDate, reason: Nullable(Type.String()), createdAt: Instant });
export const RefundCreate = Type.Object(
  {
    amount: Type.Optional(Positive),
    date: Type.Optional(CalendarDate),
    reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    reopenInvoices: Type.Optional(Type.Boolean({
      description: 'true: pay the money back even though it settled invoices: credit first, then the settlement is reversed newest invoice first and those invoices are open again',
    })),
  },
  { additionalProperties: false, description: 'without amount: all of the payment that the customer still holds as credit (with reopenInvoices: all of the payment not yet refunded)' },
);
export const PaymentWithRefunds = Type.Object({ ...Payment.properties, refunds: Type.Array(Refund) });

const CreditNoteLine = Type.Object({
  creditsKey: Type.String({ description: 'the invoice line it reverses' }),
  description: Type.String(),
  amount: Amount,
  taxRateBp: RateBp,
  taxInclusive: Type.Boolean(),
  vatNature: Type.Optional(Nullable(VatNature)),
  vatLegalRef: Type.Optional(Nullable(Type.String())),
  net: Amount,
  tax: Amount,
  gross: Amount,
});
const noteFields = {
  id: Id,
  customerId: Id,
  customerName: CustomerName,
  invoiceId: Id,
  number: Type.String(),
  issueDate: CalendarDate,
  currency: Type.String(),
  net: Amount,
  tax: Amount,
  total: Positive,
  reason: Nullable(Type.String()),
  createdAt: Instant,
};
export const CreditNoteSummary = Type.Object(noteFields);
export const CreditNote = Type.Object({ ...noteFields, lines: Type.Array(CreditNoteLine) });
export const CreditNoteCreate = Type.Object(
  {
    invoiceId: Id,
    lines: Type.Optional(
      Type.Array(
        Type.Object(
          { key: Type.String({ minLength: 1, maxLength: 300 }), amount: Type.Optional(Type.Integer({ minimum: -1e13, maximum: 1e13, description: 'part of the line, as priced; omitted: the rest of the line' })) },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 500 },
      ),
    ),
    date: Type.Optional(CalendarDate),
    reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  },
  { additionalProperties: false, description: 'without lines: the whole invoice (what earlier notes left)' },
);
export const CreditNoteListQuery = Type.Object({ ...ListQuery.properties, customerId: Type.Optional(Id), invoiceId: Type.Optional(Id), ...PeriodFilter }, { additionalProperties: false });

export const Statement = Type.Object({
  customerId: Id,
  currency: Type.String(),
  openingBalance: Amount,
  entries: Type.Array(
    Type.Object({
      date: CalendarDate,
      type: Type.Union(['invoice', 'payment', 'credit_note', 'refund'].map((t) => Type.Literal(t))),
      id: Id,
      number: Nullable(Type.String()),
      amount: Type.Integer({ description: 'effect on the balance: invoices and refunds +, payments and credit notes −' }),
      balance: Type.Integer(),
    }),
  ),
  closingBalance: Type.Integer(),
  invoiced: Amount,
  paid: Amount,
  creditNoted: Amount,
  refunded: Amount,
  open: Amount,
  credit: Amount,
  balance: Type.Integer({ description: 'invoiced − paid − creditNoted + refunded = open − credit; > 0: the customer owes' }),
});
export const StatementQuery = Type.Object(PeriodFilter, { additionalProperties: false });

const BillingDay = Type.Union([Type.Literal('anniversary'), Type.Literal('last'), Type.Integer({ minimum: 1, maximum: 28 })], {
  description: "'anniversary' of the start, 'last' day of the month, or a day 1..28",
});
const Mode = Type.Union([Type.Literal('advance'), Type.Literal('arrears')]);
const Months = Type.Union([1, 2, 3, 6, 12].map((n) => Type.Literal(n)));
export const Terms = Type.Object({
  serviceId: Id,
  startPlanId: Id,
  billingPeriodMonths: Nullable(Months),
  billingMode: Mode,
  billingDay: BillingDay,
  trialEndDate: Nullable(CalendarDate),
  endDate: Nullable(CalendarDate),
  setupFee: Nullable(NonNegative),
  termMonths: Nullable(Type.Integer({ description: 'contract term in months: the minimum term and the renewal length; null: open-ended' })),
  autoRenew: Type.Boolean({ description: 'renew tacitly for another term unless notice is given in time; false: end after the first term' }),
  noticeDays: Type.Integer({ description: "days of notice before a term's last day needed to end the contract on it" }),
  noticeDate: Nullable(CalendarDate),
  currentTerm: Nullable(Type.Object({ start: CalendarDate, end: CalendarDate }, { description: 'the term running today (the first one before billing starts)' })),
  lastDayOfService: Nullable(CalendarDate),
  endOnNoticeToday: Nullable(CalendarDate),
  planChanges: Type.Array(Type.Object({
    id: Id, planId: Id, effectiveDate: CalendarDate, createdAt: Instant,
    appliedAt: Type.Union([Instant, Type.Null()], { description: 'when the service was switched to this plan (at once, or by the daily plan-changes job on its date); null while pending' }),
  })),
});
export const Cancellation = Type.Object({
  ...Terms.properties,
  earlyTermination: Nullable(Type.Object({ from: CalendarDate, to: CalendarDate }, { description: 'the committed days after the end, charged as early termination' })),
});
export const CancelCreate = Type.Object(
  {
    noticeDate: Type.Optional(CalendarDate),
    endDate: Type.Optional(CalendarDate),
  },
  { additionalProperties: false, description: 'noticeDate defaults to today; without endDate the notice rule gives it' },
);
export const CancelQuoteQuery = Type.Object(
  { noticeDate: Type.Optional(CalendarDate), endDate: Type.Optional(CalendarDate) },
  { additionalProperties: false, description: 'the body a cancellation would take: noticeDate defaults to today; without endDate the notice rule gives it' },
);
export const CancelQuote = Type.Object({
  serviceId: Id,
  noticeDate: CalendarDate,
  endDate: CalendarDate,
  lastDayOfService: CalendarDate,
  earlyTermination: Nullable(Type.Object({ from: CalendarDate, to: CalendarDate }, { description: 'the committed days after the end, charged as early termination' })),
  earlyTerminationCharge: Type.Integer({ description: 'what ending on endDate costs on top of the days served, tax included, in minor units: the early-termination lines and the committed days of the last period not credited; 0 when nothing is committed' }),
  earlyTerminationAmount: Type.Integer({ description: 'the same as the plan prices it (net when its prices exclude tax)' }),
  currency: Type.String(),
}, { description: 'what POST /services/{id}/cancel with the same dates would do; nothing is changed' });
export const TermsPatch = Type.Object(
  {
    billingPeriodMonths: Type.Optional(Nullable(Months)),
    billingMode: Type.Optional(Mode),
    billingDay: Type.Optional(BillingDay),
    trialEndDate: Type.Optional(Nullable(CalendarDate)),
    endDate: Type.Optional(Nullable(CalendarDate)),
    setupFee: Type.Optional(Nullable(NonNegative)),
    termMonths: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 120 }))),
    autoRenew: Type.Optional(Type.Boolean()),
    noticeDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const PlanChangeCreate = Type.Object({ planId: Id, effectiveDate: CalendarDate }, { additionalProperties: false });

const tax = {
  taxRateBp: Type.Optional(RateBp), taxInclusive: Type.Optional(Type.Boolean({ default: true })),
  vatNature: Type.Optional(Nullable(VatNature)), vatLegalRef: Type.Optional(Nullable(Text(200))),
};
export const ItemCreate = Type.Object(
  { serviceId: Id, description: Text(200), amount: NonNegative, ...tax, startDate: Type.Optional(Nullable(CalendarDate)), endDate: Type.Optional(Nullable(CalendarDate)) },
  { additionalProperties: false },
);
export const Item = Type.Object({
  id: Id, serviceId: Id, description: Type.String(), amount: NonNegative, taxRateBp: RateBp, taxInclusive: Type.Boolean(),
  vatNature: Nullable(VatNature), vatLegalRef: Nullable(Type.String()), startDate: Nullable(CalendarDate), endDate: Nullable(CalendarDate), createdAt: Instant,
});
export const ChargeCreate = Type.Object(
  { customerId: Id, serviceId: Type.Optional(Nullable(Id)), description: Text(200), amount: Amount, date: CalendarDate, ...tax },
  { additionalProperties: false },
);
export const Charge = Type.Object({
  id: Id, customerId: Id, serviceId: Nullable(Id), description: Type.String(), amount: Amount, taxRateBp: RateBp, taxInclusive: Type.Boolean(),
  vatNature: Nullable(VatNature), vatLegalRef: Nullable(Type.String()), date: CalendarDate, createdAt: Instant,
});
export const DiscountCreate = Type.Object(
  {
    customerId: Id,
    description: Text(200),
    target: Type.Union([
      Type.Object({ kind: Type.Literal('invoice') }, { additionalProperties: false }),
      Type.Object({ kind: Type.Literal('service'), serviceId: Id }, { additionalProperties: false }),
      Type.Object({ kind: Type.Literal('item'), serviceId: Id, itemId: Id }, { additionalProperties: false }),
    ]),
    percentBp: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: '5000 = 50 %' })),
    amount: Type.Optional(Positive),
    startDate: CalendarDate,
    periods: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1200, description: 'how many billing periods; null: until removed' }))),
  },
  { additionalProperties: false, description: 'exactly one of percentBp and amount (fixed per period)' },
);
export const Discount = Type.Object({
  id: Id, customerId: Id, description: Type.String(), targetKind: Type.String(), serviceId: Nullable(Id), itemId: Nullable(Id),
  valueType: Type.String(), percentBp: Nullable(Type.Integer()), amount: Nullable(Type.Integer()), startDate: CalendarDate,
  periods: Nullable(Type.Integer()), promotionId: Nullable(Id), createdAt: Instant,
});
const PromotionFields = {
  key: Type.String({ minLength: 1, maxLength: 100, pattern: '^[\\x21-\\x7e]+$', description: 'idempotency key: the same key and terms again change nothing' }),
  description: Text(200),
  percentBp: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: '5000 = 50 %' })),
  amount: Type.Optional(Positive),
  startDate: CalendarDate,
  periods: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1200, description: 'billing periods of each service; null: until removed' }))),
};
export const PromotionCreate = Type.Object(
  {
    ...PromotionFields,
    target: Type.Union([
      Type.Object({ planId: Id }, { additionalProperties: false }),
      Type.Object({ serviceIds: Type.Array(Id, { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false }),
    ], { description: 'every service of a plan (not ended, not free), or a list of services' }),
    appliesToNew: Type.Optional(Type.Boolean({ description: 'plan target only: also each new contract on the plan starting on or after startDate' })),
    newUntil: Type.Optional(Nullable(CalendarDate)),
  },
  { additionalProperties: false, description: 'exactly one of percentBp and amount (fixed per period)' },
);
export const Promotion = Type.Object({
  id: Id, key: Type.String(), description: Type.String(), valueType: Type.String(), percentBp: Nullable(Type.Integer()), amount: Nullable(Type.Integer()),
  startDate: CalendarDate, periods: Nullable(Type.Integer()), planId: Nullable(Id), serviceIds: Nullable(Type.Array(Id)),
  appliesToNew: Type.Boolean(), newUntil: Nullable(CalendarDate), createdAt: Instant,
});
export const PromotionEnd = Type.Object(
  { newUntil: Type.String({ ...CalendarDate, description: 'the last start date of a new contract that still gets it' }) },
  { additionalProperties: false },
);
export const PromotionListQuery = Type.Object({ ...ListQuery.properties }, { additionalProperties: false });
export const PromotionWithServices = Type.Object({
  ...Promotion.properties,
  serviceIdsApplied: Type.Array(Id, { description: 'the services that have its discount' }),
  servicesApplied: Type.Array(Type.Object({ serviceId: Id, customerId: Type.Union([Id, Type.Null()]), customerName: Type.Union([Type.String(), Type.Null()]) }), { description: 'the same services with their customers, for lists' }),
});
export const ByCustomerQuery = Type.Object({ customerId: Type.Optional(Id) }, { additionalProperties: false });
export const ByServiceQuery = Type.Object({ serviceId: Type.Optional(Id) }, { additionalProperties: false });

export const RunCreate = Type.Object({ date: CalendarDate }, { additionalProperties: false });
const Day = Type.Object({
  date: CalendarDate,
  invoices: Type.Integer(),
  creditNotes: Type.Integer({ description: 'credit notes issued for credits of charges already invoiced, each linked to the invoice that billed the charge: a plan change gives back the old plan; an end date gives back the days after it, and the exact reversal of periods billed after it when it was recorded late. No invoice is ever negative' }),
  lines: Type.Integer({ description: 'invoice lines issued' }),
  total: Type.Integer({ description: 'the sum of the invoices issued, in minor units (credit notes not deducted)' }),
  problems: Type.Array(Type.Object({}, { additionalProperties: true }), { description: 'contracts that could not be billed, and why (`code`, `message`); `credit_held_back`: a credit no invoice line corrects (a goodwill one-off) that would take the invoice below zero waits, unbilled, for an invoice that can take it' }),
  closed: Type.Array(Id, { description: 'services closed by this run: their last day of service had passed, now ended' }),
});
export const RunResult = Type.Object({
  date: CalendarDate,
  alreadyRun: Type.Boolean({ description: 'the date was run before: nothing was done' }),
  days: Type.Array(Day, { description: 'each day run now, missed days first' }),
});
export const RunRecord = Type.Object({
  runDate: CalendarDate, startedAt: Instant, finishedAt: Nullable(Instant), invoices: Type.Integer(), lines: Type.Integer(), total: Type.Integer(),
  problems: Type.Array(Type.Object({}, { additionalProperties: true })),
});
export const DateParams = Type.Object({ date: CalendarDate });
