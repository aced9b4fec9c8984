/**
 * Every error code Tollgate raises, with the HTTP status and title an API answer carries and, for an
 * error about one input field, the field named when the thrower names none.
 *
 * It lives in src/lib so that the domain can type its codes against it and the HTTP layer can map
 * them without either importing upward; `TollgateError` takes only these codes, so a new code does
 * not compile until it is catalogued here (and a test keeps this list and the README's in step with
 * what src/ throws).
 *
 * How the statuses are chosen:
 * - 422: the request is well formed but a value in it is not acceptable (it names the field);
 *   this includes a record named in the body that does not exist.
 * - 409: the value is fine, the state of the records refuses it (already credited, already ended,
 *   more than the credit held, a name already taken).
 * - 404: the record the path names does not exist.
 * - 502 and 504: a router we talk to on the caller's behalf failed or did not answer.
 * - 503: the daemon stopped the work (shutting down), or the storage refuses writes (disk full, I/O
 *   error, read-only file); the same request later succeeds.
 * - 500 (`internal`) is never a TollgateError: it is the answer to an error nobody anticipated.
 */

export interface ErrorSpec {
  readonly status: number;
  readonly title: string;
  /** The input field at fault, as the API names it, when the thrower does not say. */
  readonly field?: string;
}

const catalogue = {
  // ---- the API itself
  invalid_input: { status: 422, title: 'Invalid input' },
  bad_request: { status: 400, title: 'Bad request' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  in_use: { status: 409, title: 'Still in use' },
  payload_too_large: { status: 413, title: 'Payload too large', field: 'body' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  storage_unavailable: { status: 503, title: 'Storage unavailable' },
  database_unavailable: { status: 503, title: 'Database unavailable' },

  // ---- configuration and dictionaries (found at start; 422 should a request ever carry them)
  config_invalid: { status: 422, title: 'Invalid configuration' },
  dictionary_invalid: { status: 422, title: 'Invalid RADIUS dictionary' },

  // ---- amounts, dates and times (src/lib)
  invalid_amount: { status: 422, title: 'Invalid amount', field: 'amount' },
  amount_overflow: { status: 422, title: 'Amount out of range', field: 'amount' },
  invalid_rate: { status: 422, title: 'Invalid rate', field: 'rateBp' },
  invalid_ratio: { status: 422, title: 'Invalid ratio' },
  division_by_zero: { status: 422, title: 'Division by zero' },
  invalid_weights: { status: 422, title: 'Invalid weights', field: 'weights' },
  invalid_digits: { status: 422, title: 'Invalid minor-unit digits', field: 'digits' },
  invalid_date: { status: 422, title: 'Invalid date', field: 'date' },
  invalid_time: { status: 422, title: 'Invalid time', field: 'time' },
  invalid_timezone: { status: 422, title: 'Unknown time zone', field: 'timezone' },
  date_in_future: { status: 422, title: 'Date after today', field: 'date' },

  // ---- contracts, schedules and invoicing
  invalid_currency: { status: 422, title: 'Invalid currency', field: 'currency' },
  invalid_period_months: { status: 422, title: 'Invalid billing period', field: 'billingPeriodMonths' },
  invalid_billing_day: { status: 422, title: 'Invalid billing day', field: 'billingDay' },
  invalid_billing_mode: { status: 422, title: 'Invalid billing mode', field: 'billingMode' },
  invalid_trial_end: { status: 422, title: 'Invalid trial end', field: 'trialEndDate' },
  invalid_end_date: { status: 422, title: 'Invalid end date', field: 'endDate' },
  ended_without_end_date: { status: 422, title: 'Ended without an end date', field: 'endDate' },
  invalid_period_days: { status: 422, title: 'Invalid period length', field: 'periodDays' },
  invalid_used_days: { status: 422, title: 'Invalid days used', field: 'usedDays' },
  invalid_tax_rate: { status: 422, title: 'Invalid tax rate', field: 'taxRateBp' },
  invalid_tax_inclusive: { status: 422, title: 'Invalid tax mode', field: 'taxInclusive' },
  invalid_suspension: { status: 422, title: 'Invalid suspension', field: 'suspensions' },
  suspended_without_interval: { status: 422, title: 'Suspended without an interval', field: 'suspensions' },
  plan_changes_out_of_order: { status: 422, title: 'Plan changes out of order', field: 'planChanges' },
  invalid_discount_periods: { status: 422, title: 'Invalid discount periods', field: 'periods' },
  invalid_discount_percent: { status: 422, title: 'Invalid discount percentage', field: 'percentBp' },
  invalid_discount_type: { status: 422, title: 'Invalid discount type' },
  discount_target_unknown: { status: 422, title: 'Unknown discount target', field: 'target' },
  invalid_term: { status: 422, title: 'Invalid contract term', field: 'termMonths' },
  invalid_notice: { status: 422, title: 'Invalid notice period', field: 'noticeDays' },
  invalid_auto_renew: { status: 422, title: 'Invalid auto-renewal', field: 'autoRenew' },
  invalid_series_prefix: { status: 422, title: 'Invalid document series prefix', field: 'prefix' },
  invalid_series_digits: { status: 422, title: 'Invalid document series digits', field: 'digits' },
  invalid_days_until_due: { status: 422, title: 'Invalid payment terms', field: 'daysUntilDue' },
  invalid_last_sequence: { status: 422, title: 'Invalid last sequence', field: 'lastSequenceInYear' },
  billing_run_aborted: { status: 503, title: 'Billing run stopped' },

  // ---- payments, refunds and credit notes
  duplicate_invoice: { status: 409, title: 'Invoice already on the account' },
  invoice_not_found: { status: 422, title: 'Invoice not on the account', field: 'invoiceId' },
  refund_exceeds_credit: { status: 409, title: 'Refund exceeds the credit held', field: 'amount' },
  refund_exceeds_settled: { status: 409, title: 'Refund exceeds what was settled', field: 'amount' },
  refund_reopens_with_credit: { status: 409, title: 'Credit must be refunded first', field: 'amount' },
  credit_note_exceeds_invoice: { status: 409, title: 'Credit note exceeds the invoice', field: 'amount' },
  credit_held_back: { status: 409, title: 'Credit waits for a later invoice', field: 'amount' },
  credit_note_exceeds_line: { status: 409, title: 'Credit note exceeds the line', field: 'amount' },
  credit_note_line_exhausted: { status: 409, title: 'Line already credited', field: 'lines' },
  credit_note_line_unknown: { status: 422, title: 'Unknown invoice line', field: 'lines' },
  credit_note_line_repeated: { status: 422, title: 'Invoice line listed twice', field: 'lines' },
  credit_note_not_positive: { status: 422, title: 'Credit note total not positive', field: 'lines' },

  // ---- fiscal records and e-invoicing (FatturaPA)
  invalid_tax_code: { status: 422, title: 'Invalid tax code', field: 'taxCode' },
  invalid_vat_number: { status: 422, title: 'Invalid VAT number', field: 'vatNumber' },
  einvoice_not_ready: { status: 422, title: 'Not ready for e-invoicing' },
  einvoice_state: { status: 409, title: 'E-invoice state refuses this' },

  // ---- RADIUS packets we build (CoA and Disconnect requests)
  radius_encode: { status: 422, title: 'Cannot encode the RADIUS packet' },
  coa_invalid_request: { status: 422, title: 'Invalid CoA request' },

  // ---- the RouterOS API of a NAS
  routeros_connect: { status: 502, title: 'Router unreachable' },
  routeros_tls: { status: 502, title: 'Router TLS failed' },
  routeros_auth: { status: 502, title: 'Router refused the login' },
  routeros_trap: { status: 502, title: 'Router refused the command' },
  routeros_fatal: { status: 502, title: 'Router ended the session' },
  routeros_closed: { status: 502, title: 'Router connection closed' },
  routeros_protocol: { status: 502, title: 'Router protocol error' },
  routeros_timeout: { status: 504, title: 'Router did not answer' },
  routeros_usage: { status: 422, title: 'Invalid router command' },
} satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof catalogue;

export const errorCodes: Readonly<Record<ErrorCode, ErrorSpec>> = Object.freeze(catalogue);

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCodes, code);
}
