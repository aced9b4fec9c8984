// Settings: the daily jobs (how their last runs went), the seller's fiscal data for e-invoices as the
// config file holds them (read only), and the message templates held in the database.
import { LitElement, html, nothing } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import type { Body } from '../data/http.js';
import { listJobs } from '../data/jobs.js';
import { listTemplates, revertTemplate, saveTemplate, type Template } from '../data/notifications.js';
import '../components/form.js';
import '../components/seller-fiscal.js';
import type { Field } from '../components/form.js';
import { badge, base, day, errorText, toast, when } from '../ui.js';
import { LOCALES, LOCALE_NAMES, isLocale, isMessageKey, locale, t, type Locale } from '../i18n.js';
import { channelName, failureText, templateName } from '../names.js';

/** A daily job's name in the UI's language (a job the catalogue does not know: its code). */
const jobName = (name: string): string => {
  const key = `job.${name}`;
  return isMessageKey(key) ? t(key) : name;
};

const HHMM = '([01]\\d|2[0-3]):[0-5]\\d';

export function templateFields(tpl: Pick<Template, 'channel'>): Field[] {
  const hours = (v: unknown, all: Record<string, unknown>, other: string) =>
    (v === null || v === undefined) !== (all[other] === null || all[other] === undefined) ? t('settings.hoursBoth') : undefined;
  return [
    ...(tpl.channel === 'email' ? [{ name: 'subject', label: t('col.subject'), required: true, maxLength: 500 } as Field] : []),
    { name: 'body', label: tpl.channel === 'email' ? t('settings.bodyHtml') : t('settings.text'), type: 'textarea', required: true, maxLength: 20000 },
    { name: 'delayMinutes', label: t('settings.delay'), type: 'number', min: 0, max: 10080 },
    { name: 'sendFrom', label: t('settings.sendFrom'), nullable: true, pattern: HHMM, patternMessage: t('profile.hhmm'), validate: (v, all) => hours(v, all, 'sendUntil') },
    { name: 'sendUntil', label: t('settings.sendUntil'), nullable: true, pattern: HHMM, patternMessage: t('profile.hhmm'),
      validate: (v, all) => hours(v, all, 'sendFrom') ?? (v != null && v === all.sendFrom ? t('settings.differFromStart') : undefined) },
    { name: 'enabled', label: t('settings.enabled'), type: 'checkbox' },
  ];
}

export class TgSettings extends LitElement {
  static override styles = [base];
  static override properties = { editing: { state: true }, language: { state: true } };
  declare editing: Template | undefined;
  /** The language whose templates are shown and edited (the UI's at first). */
  declare language: Locale;
  private readonly jobs = new Task(this, { task: () => listJobs(), args: () => [] });
  private readonly templates = new Task(this, { task: async ([lang]: readonly [Locale]) => (await listTemplates(lang)).items, args: (): readonly [Locale] => [this.language] });
  constructor() {
    super();
    this.language = locale();
  }
  private async loadTemplates(): Promise<void> {
    await this.templates.run();
  }
  private async revert(tpl: Template): Promise<void> {
    if (!confirm(t('settings.confirmRevert', { key: tpl.key, channel: channelName(tpl.channel) }))) return;
    try {
      await revertTemplate(tpl);
      toast(t('settings.reverted'));
      this.editing = undefined;
      await this.loadTemplates();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  private editor(tpl: Template) {
    return html`<div class="card" data-test="template-editor"><div class="row"><h2 class="grow">${templateName(tpl.key)} · ${channelName(tpl.channel)} · ${LOCALE_NAMES[tpl.language]}</h2>
        ${tpl.source === 'custom' ? html`<button class="secondary" @click=${() => this.revert(tpl)}>${t('settings.backToDefault')}</button>` : nothing}</div>
      ${tpl.allLanguages ? html`<p class="banner warn">${t('settings.allLanguagesNote', { language: LOCALE_NAMES[tpl.language] })}</p>` : nothing}
      <p class="muted">${t('settings.variables')} ${tpl.variables.length ? tpl.variables.map((v) => html`<code>{{${v}}}</code> `) : t('common.none')}</p>
      <tg-form .fields=${templateFields(tpl)} .values=${tpl} submitLabel=${t('settings.saveTemplate')}
        .action=${(b: Body) => saveTemplate(tpl, {
          ...b, sendFrom: b.sendFrom ?? null, sendUntil: b.sendUntil ?? null, ...(tpl.channel === 'sms' ? { subject: undefined } : {}),
        })}
        @saved=${(e: CustomEvent<Template>) => { this.editing = undefined; toast(t('settings.templateSaved', { key: e.detail.key, channel: channelName(e.detail.channel), language: LOCALE_NAMES[e.detail.language] })); void this.loadTemplates(); }}>
        <button type="button" class="secondary" @click=${() => (this.editing = undefined)}>${t('common.cancel')}</button></tg-form></div>`;
  }
  private pickLanguage(e: Event): void {
    const v = (e.target as HTMLSelectElement).value;
    if (!isLocale(v)) return;
    this.editing = undefined;
    this.language = v;
  }
  override render() {
    // Either part failing shows its error above both; the part that did load still shows.
    const failed = [this.jobs, this.templates].filter((task) => task.status === TaskStatus.ERROR).map((task) => errorText(task.error));
    const jobs = this.jobs.value;
    const templates = this.templates.value;
    return html`<h1>${t('nav.settings')}</h1>
      ${failed.length ? html`<div class="banner error">${failed[failed.length - 1]}</div>` : nothing}
      <p class="muted">${t('settings.hint')}</p>
      <h2>${t('settings.jobs')}</h2>
      ${jobs ? html`<p class="muted">${t('settings.jobsRun', { at: jobs.runAt, zone: jobs.timezone, next: when(jobs.nextRunAt) })}</p>
        <div class="table-wrap"><table><thead><tr><th>${t('settings.job')}</th><th>${t('settings.lastDate')}</th><th>${t('col.status')}</th><th class="hide-sm">${t('settings.error')}</th></tr></thead><tbody>
        ${jobs.items.map((j) => html`<tr><td title=${j.name}>${jobName(j.name)}</td><td>${day(j.lastDate)}</td><td>${badge(j.status === 'ok' ? 'ok' : 'failed')}</td><td class="hide-sm" data-test="job-error">${failureText(j)}</td></tr>`)}
        </tbody></table></div>` : html`<p class="muted">${t('common.loading')}</p>`}
      <tg-seller-fiscal></tg-seller-fiscal>
      <div class="row"><h2 class="grow">${t('settings.templates')}</h2>
        <div><label for="template-language">${t('language.label')}</label><select id="template-language" data-test="template-language" @change=${this.pickLanguage}>
          ${LOCALES.map((l) => html`<option value=${l} ?selected=${l === this.language}>${LOCALE_NAMES[l]}</option>`)}</select></div></div>
      <p class="muted">${t('settings.templatesHint')}</p>
      ${this.editing ? this.editor(this.editing) : nothing}
      ${templates ? html`<div class="table-wrap"><table data-test="templates"><thead><tr><th>${t('settings.template')}</th><th>${t('col.channel')}</th><th>${t('col.subject')}</th><th class="hide-sm">${t('settings.sent')}</th><th></th></tr></thead><tbody>
        ${templates.map((tpl) => html`<tr data-template="${tpl.key}/${tpl.channel}"><td>${templateName(tpl.key)}<div class="muted"><code>${tpl.key}</code></div></td><td>${channelName(tpl.channel)}</td>
          <td style="white-space:normal">${tpl.subject || html`<span class="muted">${tpl.body.slice(0, 60)}</span>`}${tpl.source === 'custom' ? html` <span class="badge">${tpl.allLanguages ? t('settings.editedAll') : t('settings.edited')}</span>` : nothing}</td>
          <td class="hide-sm">${tpl.enabled ? (tpl.sendFrom ? `${tpl.sendFrom}–${tpl.sendUntil}` : t('settings.anyTime')) : t('common.off')}${tpl.delayMinutes ? ` · ${t('settings.afterMin', { n: tpl.delayMinutes })}` : ''}</td>
          <td><button class="secondary" @click=${() => (this.editing = tpl)}>${t('common.edit')}</button></td></tr>`)}
        </tbody></table></div>` : html`<p class="muted">${t('common.loading')}</p>`}`;
  }
}
customElements.define('tg-settings', TgSettings);
