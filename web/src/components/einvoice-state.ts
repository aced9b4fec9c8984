// An e-invoice's delivery state to SDI as a badge, and SDI's receipt types, named in the UI's language:
// the same on the e-invoices screen, a document's page and the invoice's page.
import { html, nothing } from 'lit';
import type { EinvoiceState, FiscalDocument } from '../data/einvoice.js';
import { isMessageKey, t, type MessageKey } from '../i18n.js';
import { fiscalFieldLabel } from '../fields.js';

const stateKeys: Record<EinvoiceState, MessageKey> = {
  to_send: 'einvoice.state.to_send',
  sent: 'einvoice.state.sent',
  delivered: 'einvoice.state.delivered',
  not_delivered: 'einvoice.state.not_delivered',
  rejected: 'einvoice.state.rejected',
  accepted: 'einvoice.state.accepted',
  refused: 'einvoice.state.refused',
};

/** The badge's colour: done, waiting on someone, or for the operator to act on. */
const tones: Record<EinvoiceState, string> = {
  to_send: 'pending', sent: 'pending', delivered: 'ok', not_delivered: 'pending', rejected: 'failed', accepted: 'ok', refused: 'failed',
};

/** The states in the order a document goes through them (the API's EINVOICE_STATES, without bundling typebox). */
export const einvoiceStates = Object.keys(stateKeys) as EinvoiceState[];

export const einvoiceStateName = (s: EinvoiceState): string => t(stateKeys[s]);

/** The state as a badge, with SDI's code beside a rejection or refusal. */
export const einvoiceBadge = (d: Pick<FiscalDocument, 'state' | 'stateCode'>) => html`<span class="badge ${tones[d.state]}" data-state=${d.state}>${einvoiceStateName(d.state)}</span>${
  d.stateCode && (d.state === 'rejected' || d.state === 'refused') ? html` <code data-test="state-code">${d.stateCode}</code>` : nothing}`;

/**
 * Whether the operator can send the document again (a rejection once corrected, or one never sent):
 * the server's rule (src/domain/einvoice/receipts.ts resendable), not imported because that module
 * brings the XML parser into the bundle. The server checks again and answers 409 otherwise.
 */
export const resendable = (s: EinvoiceState): boolean => s === 'rejected' || s === 'to_send';

const receiptKeys: Record<string, MessageKey> = {
  RC: 'einvoice.receipt.RC',
  NS: 'einvoice.receipt.NS',
  MC: 'einvoice.receipt.MC',
  NE: 'einvoice.receipt.NE',
  DT: 'einvoice.receipt.DT',
  AT: 'einvoice.receipt.AT',
};

/**
 * The receipt that put a document in its state (RC delivered, MC or AT not delivered, NS rejected,
 * NE accepted or refused, DT deemed accepted: the state's code tells them apart); none before SDI answered.
 */
export function stateReceipt(d: Pick<FiscalDocument, 'state' | 'stateCode'>): string | undefined {
  switch (d.state) {
    case 'delivered': return 'RC';
    case 'not_delivered': return d.stateCode === 'AT' ? 'AT' : 'MC';
    case 'rejected': return 'NS';
    case 'accepted': return d.stateCode === 'DT' ? 'DT' : 'NE';
    case 'refused': return 'NE';
    default: return undefined;
  }
}

/** SDI's receipt type by name (RC: delivery receipt…), its code as is when unknown. */
export function receiptTypeName(type: string): string {
  const key = receiptKeys[type];
  return key ? t(key) : type;
}

/**
 * Why a document is not sent, in the UI's language: each missing fiscal field by its label and the
 * catalogue's message when the run stored keys, else the English text it recorded (a channel's
 * error is the peer's own words either way).
 */
export function einvoiceErrorText(d: Pick<FiscalDocument, 'lastError' | 'lastErrorFields'>): string | null {
  const fields = d.lastErrorFields ?? [];
  const texts = fields.map((f) => (isMessageKey(f.key) ? `${fiscalFieldLabel(f.field)}: ${t(f.key, f.values)}` : undefined));
  return texts.length > 0 && texts.every((x) => x !== undefined) ? texts.join('; ') : d.lastError;
}
