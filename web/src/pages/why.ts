// "Why is this customer offline?": the verdict on a service from its recent history, and that
// history (logins, sessions, network actions, invoices, payments, dunning, messages, changes).
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { listActions } from '../data/actions.js';
import { listAudit, type AuditEntry } from '../data/audit.js';
import { listDunningEvents } from '../data/dunning.js';
import type { Page } from '../data/http.js';
import { listInvoices } from '../data/invoices.js';
import { listMessages } from '../data/notifications.js';
import { listPayments } from '../data/payments.js';
import { getService, type Service } from '../data/services.js';
import { listAuthLog, listSessions } from '../data/sessions.js';
import { base, bytes, day, duration, errorText, money, statusName, todayIso, when } from '../ui.js';
import { locale, t } from '../i18n.js';
import { actionErrorText, actionKind, actionOutcome, actorName, auditActionName, channelName, errorCauseText, methodName, reasonText, templateName, terminateCauseText } from '../names.js';
import type { NasAction } from '../data/actions.js';
import { verdict, type Verdict } from '../verdict.js';
import '../components/radius-drops.js';

interface TimelineItem { at: string; kind: string; level: 'ok' | 'warn' | 'error' | ''; text: string }
interface WhyPage { service: Service; verdict: Verdict; items: TimelineItem[] }

/** The service, the verdict on it and its history, newest first. */
async function findOut(id: number): Promise<WhyPage> {
  const service = await getService(id);
  // The history is what could be read: a part that fails to load is left out, not an error.
  const soft = <T>(p: Promise<Page<T>>) => p.then((r) => r.items).catch((): T[] => []);
  const [auth, sessions, actions, invoices, payments, dunning, notes, audit] = await Promise.all([
    // Reasons in the UI's language, from the code the server sends beside its English text.
    soft(listAuthLog({ serviceId: id, limit: 100 })).then((items) => items.map((a) => ({ ...a, reason: reasonText(a) }))),
    soft(listSessions({ serviceId: id, limit: 50 })),
    soft(listActions({ serviceId: id, limit: 50 })).then((items) => items.map((a) => ({ ...a, reason: reasonText(a) }))),
    soft(listInvoices({ customerId: service.customerId, limit: 24 })),
    soft(listPayments({ customerId: service.customerId, limit: 24 })),
    soft(listDunningEvents({ customerId: service.customerId, limit: 50 })),
    soft(listMessages({ customerId: service.customerId, limit: 50 })),
    soft(listAudit({ entity: 'service', entityId: String(id), limit: 50 })),
  ]);
  const invNo = new Map(invoices.map((i) => [i.id, i.number]));
  const today = todayIso();
  const v = verdict({
    now: Date.now(),
    service,
    auth,
    sessions,
    suspensions: dunning.filter((d) => d.kind === 'suspend' || d.kind === 'resume').map((d) => ({ at: d.at, kind: d.kind as 'suspend', invoiceNumber: d.invoiceId ? invNo.get(d.invoiceId) ?? null : null })),
    overdue: invoices.filter((i) => i.open > 0 && i.dueDate < today).map((i) => ({ number: i.number, dueDate: i.dueDate, open: i.open })),
  });
  const items: TimelineItem[] = [
    ...auth.map((a) => ({ at: a.at, kind: t('why.kind.login'), level: a.outcome === 'accept' ? 'ok' : 'error', text: `${a.outcome === 'accept' ? t('why.accepted') : t('why.rejected')}${a.reason ? `: ${a.reason}` : ''}${a.callingStationId ? ` · MAC ${a.callingStationId}` : ''}` }) as TimelineItem),
    ...sessions.flatMap((s) => [
      { at: s.startedAt, kind: t('why.kind.session'), level: 'ok', text: `${t('why.sessionStarted')} · IP ${s.framedIpAddress ?? '—'}${s.callingStationId ? ` · MAC ${s.callingStationId}` : ''}` } as TimelineItem,
      ...(s.stoppedAt ? [{ at: s.stoppedAt, kind: t('why.kind.session'), level: '', text: `${t('why.sessionEnded')}${s.terminateCause ? ` (${terminateCauseText(s.terminateCause)})` : ''} · ${duration(s.sessionTime)} · ${t('why.down', { bytes: bytes(s.outputOctets) })}` } as TimelineItem] : []),
    ]),
    ...actions.map((a) => ({ at: a.createdAt, kind: a.kind === 'coa' ? 'CoA' : t('why.kind.disconnect'), level: a.outcome === 'acked' || a.outcome === 'confirmed' ? 'ok' : a.outcome === 'pending' || a.outcome === 'unconfirmed' ? 'warn' : 'error', text: actionLine(a) }) as TimelineItem),
    ...invoices.map((i) => ({ at: `${i.issueDate}T00:00:00Z`, kind: t('why.kind.invoice'), level: i.open > 0 && i.dueDate < today ? 'error' : '', text: i.open ? t('why.invoiceOpen', { number: i.number, total: money(i.total, i.currency), due: day(i.dueDate), open: money(i.open, i.currency) }) : t('why.invoicePaid', { number: i.number, total: money(i.total, i.currency), due: day(i.dueDate) }) }) as TimelineItem),
    ...payments.map((p) => ({ at: p.receivedAt, kind: t('why.kind.payment'), level: 'ok', text: t('why.payment', { amount: money(p.amount), method: methodName(p.method) }) }) as TimelineItem),
    ...dunning.map((d) => ({ at: d.at, kind: t('why.kind.dunning'), level: d.kind === 'suspend' ? 'error' : d.kind === 'resume' ? 'ok' : 'warn', text: `${t('why.dunning', { what: statusName(d.kind) })}${d.invoiceId ? ` · ${invNo.get(d.invoiceId) ?? t('why.invoiceN', { id: d.invoiceId })}` : ''}` }) as TimelineItem),
    ...notes.map((n) => ({ at: n.createdAt, kind: t('why.kind.message'), level: n.status === 'failed' ? 'error' : '', text: `${channelName(n.channel)}: ${templateName(n.template)} (${statusName(n.status)})` }) as TimelineItem),
    ...audit.map((a) => ({ at: a.at, kind: t('why.kind.change'), level: '', text: `${sentence(t('why.changeBy', { action: auditActionName(a.action), who: actorName(a.actor) }))}${statusChange(a)}` }) as TimelineItem),
  ];
  return { service, verdict: v, items: items.sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, 200) };
}


export class TgWhy extends LitElement {
  static override styles = [base];
  static override properties = { serviceId: { type: Number } };
  declare serviceId: number;

  private readonly page = new Task(this, {
    task: ([id]: readonly [number]) => findOut(id),
    args: (): readonly [number] => [this.serviceId],
  });

  override render() {
    return this.page.render({
      // Refresh keeps the page until the new facts are in.
      pending: () => (this.page.value ? this.view(this.page.value) : html`<h1>${t('customer.whyOffline')}</h1><p class="muted">${t('why.looking')}</p>`),
      complete: (p) => this.view(p),
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  private view({ service: s, verdict: v, items }: WhyPage) {
    return html`<h1>${t('why.title', { username: s.username })}</h1>
      <p><a href="/customers/${s.customerId}">‹ ${t('why.customer')}</a> · <button class="secondary" @click=${() => this.page.run()}>${t('why.refresh')}</button></p>
      <div class="banner ${v.level === 'ok' ? 'ok' : v.level === 'warn' ? 'warn' : 'error'}" data-test="verdict"><b>${v.headline}</b>
        ${v.details.map((d) => html`<div>${d}</div>`)}</div>
      <tg-service-drops service-id=${s.id}></tg-service-drops>
      <div class="card table-wrap"><table><thead><tr><th>${t('col.when')}</th><th>${t('col.what')}</th><th>${t('why.detail')}</th></tr></thead><tbody>
        ${items.length === 0 ? html`<tr><td colspan="3" class="muted">${t('why.nothing')}</td></tr>` : nothing}
        ${items.map((i) => html`<tr><td>${when(i.at)}</td><td><span class="badge ${i.level === 'ok' ? 'accept' : i.level === 'error' ? 'reject' : i.level === 'warn' ? 'pending' : ''}">${i.kind}</span></td><td style="white-space:normal">${i.text}</td></tr>`)}
      </tbody></table></div>`;
  }
}
customElements.define('tg-why', TgWhy);

/**
 * A network action on the timeline: kind and outcome agreeing ("Disconnessione confermata"), why, who
 * asked, the NAK's Error-Cause and what went wrong, all in the UI's language.
 */
function actionLine(a: Omit<NasAction, 'reason'> & { reason: string | null }): string {
  const cause = a.outcome === 'nak' ? errorCauseText(a.errorCause, a.errorCauseName) : null;
  const error = actionErrorText(a);
  return `${actionKind(a.kind)} ${actionOutcome(a.outcome)}${a.reason ? `: ${a.reason}` : ''} (${t('why.by', { who: actorName(a.by) })})${cause ? ` · ${cause}` : ''}${error ? ` · ${error}` : ''}`;
}

/** A line that starts with a lower-case name ("sospensione da …") as a sentence. */
function sentence(s: string): string {
  return s.charAt(0).toLocaleUpperCase(locale()) + s.slice(1);
}

function statusChange(a: AuditEntry): string {
  const b = a.before as { status?: string } | null;
  const c = a.after as { status?: string } | null;
  return b?.status && c?.status && b.status !== c.status ? `: ${statusName(b.status)} → ${statusName(c.status)}` : '';
}
