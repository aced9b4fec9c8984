// Pure helpers of the forms that send nested bodies (a role's permission grid, a credit note's chosen
// lines): flat form fields in, the API's body out, and the API's field names back to the form's.
import { f, t } from './i18n.js';

export type Access = 'none' | 'read' | 'write';

/** The form field that shows an API error on `apiField`: the exact name when the form has it, else its top name. */
export function fieldFor(apiField: string, known: ReadonlySet<string>): string | undefined {
  if (known.has(apiField)) return apiField;
  const parts = apiField.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const prefix = parts.slice(0, i).join('.');
    if (known.has(prefix)) return prefix;
  }
  return undefined;
}

/** Form fields `permissions.<area>` (a select each) into `{ permissions: { area: access } }`, every area named. */
export function roleBody(form: Record<string, unknown>, areas: readonly string[]): { name?: string; description?: string; permissions: Record<string, Access> } {
  const permissions: Record<string, Access> = {};
  for (const a of areas) {
    const v = form[`permissions.${a}`];
    permissions[a] = v === 'read' || v === 'write' ? v : 'none';
  }
  const out: { name?: string; description?: string; permissions: Record<string, Access> } = { permissions };
  if (typeof form.name === 'string') out.name = form.name;
  if (typeof form.description === 'string') out.description = form.description;
  else if (form.description === undefined && 'description' in form) out.description = '';
  return out;
}

/** A role's permissions as the form's flat values. */
export function roleValues(role: { name: string; description?: string; permissions?: Record<string, string> }): Record<string, unknown> {
  const v: Record<string, unknown> = { name: role.name, description: role.description ?? '' };
  for (const [a, p] of Object.entries(role.permissions ?? {})) v[`permissions.${a}`] = p;
  return v;
}

export interface CreditableLine { key: string; amount: number }

/**
 * Form fields `lines.<i>` (credit this invoice line) and `lines.<i>.amount` (part of it; empty: the
 * rest) into the API's `lines`, with the invoice line index of each entry (to name errors back).
 * No line chosen: the whole invoice (no `lines`).
 */
export function creditNoteLines(form: Record<string, unknown>, lines: readonly CreditableLine[]): { lines?: Array<{ key: string; amount?: number }>; index: number[] } {
  const chosen: Array<{ key: string; amount?: number }> = [];
  const index: number[] = [];
  lines.forEach((l, i) => {
    if (form[`lines.${i}`] !== true) return;
    const amount = form[`lines.${i}.amount`];
    chosen.push(typeof amount === 'number' ? { key: l.key, amount } : { key: l.key });
    index.push(i);
  });
  return chosen.length ? { lines: chosen, index } : { index };
}

/** The API names `lines.<n>…` by position in the request; the form by position on the invoice. */
export function renameLineErrors(fields: Record<string, string>, index: readonly number[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, m] of Object.entries(fields)) {
    const hit = /^lines\.(\d+)(\..*)?$/.exec(k);
    const i = hit ? index[Number(hit[1])] : undefined;
    const name = hit && i !== undefined ? `lines.${i}${hit[2] === '.key' ? '' : (hit[2] ?? '')}` : k;
    out[name] = out[name] ? `${out[name]}; ${m}` : m;
  }
  return out;
}

/** Client check of a partial credit: a part of the line, with its sign, no larger than the line. */
export function checkLinePart(part: number, line: CreditableLine): string | undefined {
  if (part === 0) return t('form.notZero');
  if (line.amount >= 0 ? part < 0 || part > line.amount : part > 0 || part < line.amount) return t('form.between', { min: f().money(0), max: f().money(line.amount) });
  return undefined;
}

/** Which one of the redeem targets the form names; an error on the field at fault. */
export function redeemTarget(form: { serviceId?: unknown; customerId?: unknown; customerName?: unknown }): { field?: string; error?: string; body?: Record<string, unknown> } {
  const given = [form.serviceId, form.customerId, form.customerName].filter((v) => v !== undefined && v !== null && v !== '').length;
  if (given === 0) return { field: 'customerId', error: t('redeem.targetRequired') };
  if (form.serviceId !== undefined && form.serviceId !== null && form.customerName) return { field: 'customerName', error: t('redeem.nameWithService') };
  if (form.customerId !== undefined && form.customerId !== null && form.customerName) return { field: 'customerName', error: t('redeem.nameWithCustomer') };
  if (typeof form.serviceId === 'number') return { body: { serviceId: form.serviceId } };
  if (typeof form.customerId === 'number') return { body: { customerId: form.customerId } };
  return { body: { customer: { name: String(form.customerName) } } };
}

export interface Reminder { afterDays: number; channels: string[]; template: string }
/** ISO weekdays 1 (Monday) to 7 (Sunday), named in the UI's language. */
export const weekdayName = (isoDay: number): string => f().weekday(isoDay);

/** A billing profile's reminders (`reminders.<i>.afterDays|channels|template`) and quiet weekdays (`quietWeekdays.<1-7>`) as flat form values. */
export function profileValues<T extends { reminders?: Reminder[]; quietWeekdays?: number[] }>(p: T): Record<string, unknown> {
  const v: Record<string, unknown> = { ...p };
  (p.reminders ?? []).forEach((r, i) => {
    v[`reminders.${i}.afterDays`] = r.afterDays;
    v[`reminders.${i}.channels`] = r.channels.join(',');
    v[`reminders.${i}.template`] = r.template;
  });
  for (let d = 1; d <= 7; d++) v[`quietWeekdays.${d}`] = (p.quietWeekdays ?? []).includes(d);
  return v;
}

/** The flat form values back into the API's body: `reminders` in order, `quietWeekdays` as numbers. */
export function profileBody(form: Record<string, unknown>, slots = 3): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const reminders: Reminder[] = [];
  const quiet: number[] = [];
  for (const [k, v] of Object.entries(form)) if (!k.startsWith('reminders.') && !k.startsWith('quietWeekdays.')) body[k] = v;
  for (let i = 0; i < slots; i++) {
    const afterDays = form[`reminders.${i}.afterDays`];
    if (typeof afterDays !== 'number') continue;
    const channels = String(form[`reminders.${i}.channels`] ?? 'email').split(',').filter(Boolean);
    reminders.push({ afterDays, channels, template: String(form[`reminders.${i}.template`] ?? `invoice.reminder.${i + 1}`) });
  }
  for (let d = 1; d <= 7; d++) if (form[`quietWeekdays.${d}`] === true) quiet.push(d);
  body.reminders = reminders;
  body.quietWeekdays = quiet;
  return body;
}

/**
 * The choices of a reminder's template: every template key in force, once (a key has an email and an
 * SMS text), named in the UI's language (`name`: templateName), the three reminders first and the
 * rest by name; a key the profile holds that is no longer in force stays choosable, so opening a
 * profile never changes it. Whether the key has a text for the reminder's channels is the API's check.
 */
export function reminderTemplateOptions(keys: Iterable<string>, held: Iterable<string>, name: (key: string) => string): Array<[string, string]> {
  const all = new Set([...keys, ...held]);
  const rank = (k: string) => (/^invoice\.reminder\.\d+$/.test(k) ? 0 : 1);
  const label = (k: string) => (name(k) === k ? k : `${name(k)} (${k})`);
  return [...all]
    .sort((a, b) => rank(a) - rank(b) || (rank(a) === 0 ? a.localeCompare(b) : label(a).localeCompare(label(b))))
    .map((k) => [k, label(k)]);
}

/** Reminders are filled in order: slot i needs slot i-1, and each needs a later day than the one before. */
export function checkReminder(i: number, form: Record<string, unknown>): string | undefined {
  const days = form[`reminders.${i}.afterDays`];
  if (typeof days !== 'number' || i === 0) return undefined;
  const before = form[`reminders.${i - 1}.afterDays`];
  if (typeof before !== 'number') return t('profile.reminderNeedsPrevious', { n: i });
  return days <= before ? t('profile.reminderLater', { n: i, days: before }) : undefined;
}

/** A plan's prepaid notice days in the form: "" (no expiry notice) shows as "none", as an empty input means null (the global setting). */
export const NO_NOTICE = 'none';

/** A plan as the plan form's values. */
export function planValues<P extends { prepaidNoticeDays?: string | null | undefined }>(plan: P): Record<string, unknown> {
  return { ...plan, prepaidNoticeDays: plan.prepaidNoticeDays === '' ? NO_NOTICE : (plan.prepaidNoticeDays ?? null) };
}

/** The plan form's body as the API takes it: "none" sent as "" (no notice), anything else as typed. */
export function planBody(form: Record<string, unknown>): Record<string, unknown> {
  const v = form.prepaidNoticeDays;
  return typeof v === 'string' && v.trim().toLowerCase() === NO_NOTICE ? { ...form, prepaidNoticeDays: '' } : form;
}

export type PlanChangeState = { kind: 'pending' } | { kind: 'in-force'; since: string } | { kind: 'replaced'; appliedAt: string };

/**
 * A service's plan changes newest first (by effective date, then by id), each with its state: pending
 * (not applied yet), in force (the newest applied one) or replaced (applied, then followed by another).
 */
export function planChangeRows<C extends { id: number; effectiveDate: string; appliedAt: string | null }>(changes: readonly C[]): Array<C & { state: PlanChangeState }> {
  const sorted = [...changes].sort((a, b) => (a.effectiveDate === b.effectiveDate ? b.id - a.id : a.effectiveDate < b.effectiveDate ? 1 : -1));
  let current = true;
  return sorted.map((c) => {
    if (c.appliedAt === null) return { ...c, state: { kind: 'pending' } };
    const state: PlanChangeState = current ? { kind: 'in-force', since: c.appliedAt } : { kind: 'replaced', appliedAt: c.appliedAt };
    current = false;
    return { ...c, state };
  });
}
