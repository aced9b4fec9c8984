// Billing profiles: due dates, grace before suspension, late fees, reminders and quiet days.
import { LitElement, html, nothing } from 'lit';
import { createProfile, listProfiles, updateProfile, type Profile } from '../data/billing-profiles.js';
import type { Body } from '../data/http.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { checkReminder, profileBody, profileValues, WEEKDAYS } from '../forms.js';
import { base, money, toast } from '../ui.js';

const both = (other: string, what: string) => (v: unknown, all: Record<string, unknown>) =>
  (v === null || v === undefined) !== (all[other] === null || all[other] === undefined) ? `needs ${what} too` : undefined;

const profileFields: Field[] = [
  { name: 'name', label: 'Name', required: true, maxLength: 200 },
  { name: 'isDefault', label: 'Default profile', type: 'checkbox' },
  { name: 'daysUntilDue', label: 'Days until due', type: 'number', min: 0, max: 365 },
  { name: 'graceDays', label: 'Grace days before suspension', type: 'number', min: 0, max: 365, nullable: true, help: 'empty: never suspend' },
  { name: 'lateFeeAmount', label: 'Late fee', type: 'money', min: 0.01, nullable: true, validate: both('lateFeeAfterDays', 'the days after which it is charged') },
  { name: 'lateFeeAfterDays', label: 'Late fee after (days)', type: 'number', min: 1, max: 365, nullable: true, validate: both('lateFeeAmount', 'an amount') },
  { name: 'minOverdueAmount', label: 'Dunning from (amount overdue)', type: 'money', min: 0, nullable: true, help: 'no reminder, late fee or suspension while less is overdue; empty: one unit of the currency' },
  { name: 'suspendMode', label: 'Suspension', type: 'select', nullable: true, options: [['reject', 'reject logins'], ['walled-garden', 'walled garden']] },
  { name: 'officeHoursStart', label: 'Suspend from (HH:MM)', nullable: true, pattern: '([01]\\d|2[0-3]):[0-5]\\d', patternMessage: 'is HH:MM', validate: both('officeHoursEnd', 'an end') },
  { name: 'officeHoursEnd', label: 'Suspend until (HH:MM)', nullable: true, pattern: '([01]\\d|2[0-3]):[0-5]\\d', patternMessage: 'is HH:MM', validate: both('officeHoursStart', 'a start') },
  { name: 'billSuspended', label: 'Keep invoicing while suspended', type: 'checkbox' },
  ...WEEKDAYS.map((d, i): Field => ({ name: `quietWeekdays.${i + 1}`, label: `No suspension on ${d}`, type: 'checkbox' })),
  ...[0, 1, 2].flatMap((i): Field[] => [
    { name: `reminders.${i}.afterDays`, label: `Reminder ${i + 1}: days after due`, type: 'number', min: 1, max: 365, validate: (_v, all) => checkReminder(i, all) },
    { name: `reminders.${i}.channels`, label: `Reminder ${i + 1}: by`, type: 'select', required: true, options: [['email', 'email'], ['sms', 'SMS'], ['email,sms', 'email and SMS']] },
    { name: `reminders.${i}.template`, label: `Reminder ${i + 1}: template`, maxLength: 100, pattern: '[a-z0-9_.-]+', patternMessage: 'is a template key such as invoice.reminder.1' },
  ]),
];

export class TgProfiles extends LitElement {
  static override styles = [base];
  static override properties = { editing: { state: true } };
  declare editing: Profile | 'new' | undefined;
  override render() {
    const cols: Array<Column<Profile>> = [
      { label: 'Name', render: (p) => html`<a href="#" @click=${(e: Event) => { e.preventDefault(); this.editing = p; }}>${p.name}</a>${p.isDefault ? html` <span class="badge">default</span>` : nothing}` },
      { label: 'Due after', render: (p) => `${p.daysUntilDue} days` },
      { label: 'Suspend after', render: (p) => (p.graceDays === null ? 'never' : `${p.graceDays} days grace`) },
      { label: 'Late fee', render: (p) => (p.lateFeeAmount ? `${money(p.lateFeeAmount)} after ${p.lateFeeAfterDays} days` : '—'), hideSmall: true },
      { label: 'Dunning from', render: (p) => (p.minOverdueAmount === null ? 'one unit' : money(p.minOverdueAmount)), hideSmall: true },
      { label: 'Reminders', render: (p) => (p.reminders.length ? p.reminders.map((r) => `${r.afterDays} d`).join(', ') : '—'), hideSmall: true },
    ];
    const e = this.editing;
    const defaults = Object.fromEntries([0, 1, 2].flatMap((i) => [[`reminders.${i}.channels`, 'email'], [`reminders.${i}.template`, `invoice.reminder.${i + 1}`]]));
    return html`<div class="row"><h1 class="grow">Billing profiles</h1><button @click=${() => (this.editing = 'new')}>New profile</button></div>
      ${e ? html`<div class="card" data-test="profile-editor"><h2>${e === 'new' ? 'New profile' : e.name}</h2><tg-form .fields=${profileFields}
        .values=${e === 'new' ? { ...defaults, ...profileValues({ daysUntilDue: 14, graceDays: 7, quietWeekdays: [6, 7] }) } : { ...defaults, ...profileValues(e) }}
        submitLabel=${e === 'new' ? 'Create' : 'Save'}
        .action=${(b: Body) => (e === 'new' ? createProfile(profileBody(b)) : updateProfile(e.id, profileBody(b)))}
        @saved=${() => { this.editing = undefined; toast('Profile saved'); void this.renderRoot.querySelector('tg-table')?.reload(); }}>
        <button type="button" class="secondary" @click=${() => (this.editing = undefined)}>Cancel</button></tg-form></div>` : nothing}
      <tg-table .load=${listProfiles} .columns=${cols} empty="No profile: the configured defaults apply."></tg-table>`;
  }
}
customElements.define('tg-profiles', TgProfiles);
