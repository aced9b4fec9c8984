// The promotion form's flat values into the API's body (pure, tested): a percentage or an amount, a
// plan (and new contracts on it) or a list of service numbers, and the idempotency key of this form.
import { percentToBp } from './units.js';

export type PromotionForm = Record<string, unknown>;

/** "12, 15 31" → [12, 15, 31]; null when it is no list of service numbers. */
export function serviceIdList(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (!parts.length || !parts.every((p) => /^[1-9]\d{0,14}$/.test(p))) return null;
  return parts.map(Number);
}

/** A fresh idempotency key: a form sent twice (a double click, a retry) makes one promotion. */
export function promotionKey(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  return `ui-${[...random(new Uint8Array(12))].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The API's body from the form's values (the fields shown; each already checked by its field). */
export function promotionBody(form: PromotionForm, key: string): Record<string, unknown> {
  const body: Record<string, unknown> = { key, description: form.description, startDate: form.startDate };
  if (form.valueType === 'fixed') body.amount = form.amount;
  else {
    const p = percentToBp(String(form.percentBp ?? ''));
    if (!p.ok) throw new RangeError(`percentBp: ${p.error}`);
    body.percentBp = p.value;
  }
  if (typeof form.periods === 'number') body.periods = form.periods;
  if (form.targetKind === 'services') body.target = { serviceIds: serviceIdList(String(form['target.serviceIds'] ?? '')) ?? [] };
  else {
    body.target = { planId: form['target.planId'] };
    if (form.appliesToNew === true) {
      body.appliesToNew = true;
      if (typeof form.newUntil === 'string') body.newUntil = form.newUntil;
    }
  }
  return body;
}
