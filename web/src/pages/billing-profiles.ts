// Billing profiles: due dates, grace before suspension, late fees, reminders and quiet days.
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { createProfile, listProfiles, updateProfile, type Profile } from '../data/billing-profiles.js';
import type { Body } from '../data/http.js';
import { listTemplates } from '../data/notifications.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { checkReminder, profileBody, profileValues, reminderTemplateOptions, weekdayName } from '../forms.js';
import { templateName } from '../names.js';
import { base, money, toast } from '../ui.js';
import { locale, t } from '../i18n.js';

const both = (other: string, what: () => string) => (v: unknown, all: Record<string, unknown>) =>
  (v === null || v === undefined) !== (all[other] === null || all[other] === undefined) ? t('profile.needsToo', { what: what() }) : undefined;

/**
 * The form. `templates`: the reminder templates to choose from (reminderTemplateOptions); without
 * them (the list could not be read, say by a role that may not see notifications) the key is typed.
 */
const profileFields = (templates?: Array<[string, string]>): Field[] => [
  { name: 'name', label: t('col.name'), required: true, maxLength: 200 },
  { name: 'isDefault', label: t('profile.isDefault'), type: 'checkbox' },
  { name: 'daysUntilDue', label: t('profile.daysUntilDue'), type: 'number', min: 0, max: 365 },
  { name: 'graceDays', label: t('profile.graceDays'), type: 'number', min: 0, max: 365, nullable: true, help: t('profile.graceHelp') },
  { name: 'lateFeeAmount', label: t('profile.lateFee'), type: 'money', min: 0.01, nullable: true, validate: both('lateFeeAfterDays', () => t('profile.lateFeeDaysToo')) },
  { name: 'lateFeeAfterDays', label: t('profile.lateFeeAfter'), type: 'number', min: 1, max: 365, nullable: true, validate: both('lateFeeAmount', () => t('profile.anAmount')) },
  { name: 'minOverdueAmount', label: t('profile.minOverdue'), type: 'money', min: 0, nullable: true, help: t('profile.minOverdueHelp') },
  { name: 'suspendMode', label: t('dunning.suspension'), type: 'select', nullable: true, options: [['reject', t('plans.rejectLogins')], ['walled-garden', t('plans.walledGarden')]] },
  { name: 'officeHoursStart', label: t('profile.suspendFrom'), nullable: true, pattern: '([01]\\d|2[0-3]):[0-5]\\d', patternMessage: t('profile.hhmm'), validate: both('officeHoursEnd', () => t('profile.anEnd')) },
  { name: 'officeHoursEnd', label: t('profile.suspendUntil'), nullable: true, pattern: '([01]\\d|2[0-3]):[0-5]\\d', patternMessage: t('profile.hhmm'), validate: both('officeHoursStart', () => t('profile.aStart')) },
  { name: 'billSuspended', label: t('profile.billSuspended'), type: 'checkbox' },
  ...[1, 2, 3, 4, 5, 6, 7].map((d): Field => ({ name: `quietWeekdays.${d}`, label: t('profile.noSuspensionOn', { day: weekdayName(d) }), type: 'checkbox' })),
  ...[0, 1, 2].flatMap((i): Field[] => [
    { name: `reminders.${i}.afterDays`, label: t('profile.reminderDays', { n: i + 1 }), type: 'number', min: 1, max: 365, validate: (_v, all) => checkReminder(i, all) },
    { name: `reminders.${i}.channels`, label: t('profile.reminderBy', { n: i + 1 }), type: 'select', required: true, options: [['email', t('channel.email')], ['sms', t('channel.sms')], ['email,sms', t('profile.emailAndSms')]] },
    templates
      ? { name: `reminders.${i}.template`, label: t('profile.reminderTemplate', { n: i + 1 }), type: 'select', required: true, options: templates }
      : { name: `reminders.${i}.template`, label: t('profile.reminderTemplate', { n: i + 1 }), maxLength: 100, pattern: '[a-z0-9_.-]+', patternMessage: t('profile.templatePattern') },
  ]),
];

export class TgProfiles extends LitElement {
  static override styles = [base];
  static override properties = { editing: { state: true } };
  declare editing: Profile | 'new' | undefined;
  /** The template keys in force, read once for the page; the names follow the UI's language. */
  private readonly templates = new Task(this, { task: async () => (await listTemplates(locale())).items.map((tpl) => tpl.key), args: () => [] });
  override render() {
    const cols: Array<Column<Profile>> = [
      { label: t('col.name'), render: (p) => html`<a href="#" @click=${(e: Event) => { e.preventDefault(); this.editing = p; }}>${p.name}</a>${p.isDefault ? html` <span class="badge">${t('profile.default')}</span>` : nothing}` },
      { label: t('profile.dueAfter'), render: (p) => t('plans.days', { n: p.daysUntilDue }) },
      { label: t('profile.suspendAfter'), render: (p) => (p.graceDays === null ? t('dunning.never') : t('profile.graceN', { n: p.graceDays })) },
      { label: t('profile.lateFee'), render: (p) => (p.lateFeeAmount ? t('profile.lateFeeAfterN', { amount: money(p.lateFeeAmount), n: p.lateFeeAfterDays ?? 0 }) : '—'), hideSmall: true },
      { label: t('profile.dunningFrom'), render: (p) => (p.minOverdueAmount === null ? t('profile.oneUnit') : money(p.minOverdueAmount)), hideSmall: true },
      { label: t('profile.reminders'), render: (p) => (p.reminders.length ? p.reminders.map((r) => t('profile.daysShort', { n: r.afterDays })).join(', ') : '—'), hideSmall: true },
    ];
    const e = this.editing;
    const defaults = Object.fromEntries([0, 1, 2].flatMap((i) => [[`reminders.${i}.channels`, 'email'], [`reminders.${i}.template`, `invoice.reminder.${i + 1}`]]));
    const values = e === 'new' ? { ...defaults, ...profileValues({ daysUntilDue: 14, graceDays: 7, quietWeekdays: [6, 7] }) } : e ? { ...defaults, ...profileValues(e) } : {};
    const keys = this.templates.value;
    // The keys the form shows stay choosable: the defaults, and the profile's own.
    const held = [0, 1, 2].map((i) => String(values[`reminders.${i}.template`]));
    const templates = keys ? reminderTemplateOptions(keys, held, templateName) : undefined;
    return html`<div class="row"><h1 class="grow">${t('nav.profiles')}</h1><button @click=${() => (this.editing = 'new')}>${t('profile.new')}</button></div>
      ${e ? html`<div class="card" data-test="profile-editor"><h2>${e === 'new' ? t('profile.new') : e.name}</h2><tg-form .fields=${profileFields(templates)}
        .values=${values}
        submitLabel=${e === 'new' ? t('common.create') : t('common.save')}
        .action=${(b: Body) => (e === 'new' ? createProfile(profileBody(b)) : updateProfile(e.id, profileBody(b)))}
        @saved=${() => { this.editing = undefined; toast(t('profile.saved')); void this.renderRoot.querySelector('tg-table')?.reload(); }}>
        <button type="button" class="secondary" @click=${() => (this.editing = undefined)}>${t('common.cancel')}</button></tg-form></div>` : nothing}
      <tg-table .load=${listProfiles} .columns=${cols} empty=${t('profile.empty')}></tg-table>`;
  }
}
customElements.define('tg-profiles', TgProfiles);
