// Settings held in the database: the daily jobs (how their last runs went) and the message templates.
import { LitElement, html, nothing } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import type { Body } from '../data/http.js';
import { listJobs } from '../data/jobs.js';
import { listTemplates, revertTemplate, saveTemplate, type Template } from '../data/notifications.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import { badge, base, day, errorText, toast, when } from '../ui.js';

const HHMM = '([01]\\d|2[0-3]):[0-5]\\d';

export function templateFields(t: Pick<Template, 'channel'>): Field[] {
  const hours = (v: unknown, all: Record<string, unknown>, other: string) =>
    (v === null || v === undefined) !== (all[other] === null || all[other] === undefined) ? 'needs both the start and the end of the sending hours' : undefined;
  return [
    ...(t.channel === 'email' ? [{ name: 'subject', label: 'Subject', required: true, maxLength: 500 } as Field] : []),
    { name: 'body', label: t.channel === 'email' ? 'Body (HTML)' : 'Text', type: 'textarea', required: true, maxLength: 20000 },
    { name: 'delayMinutes', label: 'Delay (minutes)', type: 'number', min: 0, max: 10080 },
    { name: 'sendFrom', label: 'Send from (HH:MM)', nullable: true, pattern: HHMM, patternMessage: 'is HH:MM', validate: (v, all) => hours(v, all, 'sendUntil') },
    { name: 'sendUntil', label: 'Send until (HH:MM)', nullable: true, pattern: HHMM, patternMessage: 'is HH:MM',
      validate: (v, all) => hours(v, all, 'sendFrom') ?? (v != null && v === all.sendFrom ? 'must differ from the start' : undefined) },
    { name: 'enabled', label: 'Send this message', type: 'checkbox' },
  ];
}

export class TgSettings extends LitElement {
  static override styles = [base];
  static override properties = { editing: { state: true } };
  declare editing: Template | undefined;
  private readonly jobs = new Task(this, { task: () => listJobs(), args: () => [] });
  private readonly templates = new Task(this, { task: async () => (await listTemplates()).items, args: () => [] });
  private async loadTemplates(): Promise<void> {
    await this.templates.run();
  }
  private async revert(t: Template): Promise<void> {
    if (!confirm(`Go back to the default ${t.key} (${t.channel})?`)) return;
    try {
      await revertTemplate(t);
      toast('The default template applies again');
      this.editing = undefined;
      await this.loadTemplates();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  private editor(t: Template) {
    return html`<div class="card" data-test="template-editor"><div class="row"><h2 class="grow">${t.key} · ${t.channel}</h2>
        ${t.source === 'custom' ? html`<button class="secondary" @click=${() => this.revert(t)}>Back to the default</button>` : nothing}</div>
      <p class="muted">Variables: ${t.variables.length ? t.variables.map((v) => html`<code>{{${v}}}</code> `) : 'none'}</p>
      <tg-form .fields=${templateFields(t)} .values=${t} submitLabel="Save template"
        .action=${(b: Body) => saveTemplate(t, {
          ...b, sendFrom: b.sendFrom ?? null, sendUntil: b.sendUntil ?? null, ...(t.channel === 'sms' ? { subject: undefined } : {}),
        })}
        @saved=${(e: CustomEvent<Template>) => { this.editing = undefined; toast(`Template ${e.detail.key} (${e.detail.channel}) saved`); void this.loadTemplates(); }}>
        <button type="button" class="secondary" @click=${() => (this.editing = undefined)}>Cancel</button></tg-form></div>`;
  }
  override render() {
    // Either part failing shows its error above both; the part that did load still shows.
    const failed = [this.jobs, this.templates].filter((t) => t.status === TaskStatus.ERROR).map((t) => errorText(t.error));
    const jobs = this.jobs.value;
    const templates = this.templates.value;
    return html`<h1>Settings</h1>
      ${failed.length ? html`<div class="banner error">${failed[failed.length - 1]}</div>` : nothing}
      <p class="muted">Most settings live in the config file (see config.example.toml); here are the daily jobs and the message templates.</p>
      <h2>Daily jobs</h2>
      ${jobs ? html`<p class="muted">Run daily at ${jobs.runAt} (${jobs.timezone}); next ${when(jobs.nextRunAt)}.</p>
        <div class="table-wrap"><table><thead><tr><th>Job</th><th>Last date</th><th>Status</th><th class="hide-sm">Error</th></tr></thead><tbody>
        ${jobs.items.map((j) => html`<tr><td>${j.name}</td><td>${day(j.lastDate)}</td><td>${badge(j.status === 'ok' ? 'ok' : 'failed')}</td><td class="hide-sm">${j.lastError ?? ''}</td></tr>`)}
        </tbody></table></div>` : html`<p class="muted">Loading…</p>`}
      <h2>Message templates</h2>
      ${this.editing ? this.editor(this.editing) : nothing}
      ${templates ? html`<div class="table-wrap"><table data-test="templates"><thead><tr><th>Template</th><th>Channel</th><th>Subject</th><th class="hide-sm">Sent</th><th></th></tr></thead><tbody>
        ${templates.map((t) => html`<tr data-template="${t.key}/${t.channel}"><td>${t.key}</td><td>${t.channel}</td>
          <td style="white-space:normal">${t.subject || html`<span class="muted">${t.body.slice(0, 60)}</span>`}${t.source === 'custom' ? html` <span class="badge">edited</span>` : nothing}</td>
          <td class="hide-sm">${t.enabled ? (t.sendFrom ? `${t.sendFrom}–${t.sendUntil}` : 'any time') : 'off'}${t.delayMinutes ? ` · after ${t.delayMinutes} min` : ''}</td>
          <td><button class="secondary" @click=${() => (this.editing = t)}>Edit</button></td></tr>`)}
        </tbody></table></div>` : html`<p class="muted">Loading…</p>`}`;
  }
}
customElements.define('tg-settings', TgSettings);
