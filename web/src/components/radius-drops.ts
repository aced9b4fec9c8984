// RADIUS requests dropped before any check of the subscriber, for reasons fixed on the router: per
// NAS on its page (with the RouterOS command), per service on "Why offline?".
import { LitElement, css, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { nasDrops, serviceDrops, type DropCounters, type DroppedRequests } from '../data/operator.js';
import { base, errorText, when } from '../ui.js';
import { t, type MessageKey } from '../i18n.js';

/** The reasons the server tracks (src/radius/server/drops.ts). */
type Reason = 'missing_message_authenticator' | 'bad_message_authenticator' | 'bad_authenticator' | 'unknown_client' | 'eap_without_message_authenticator';

/**
 * Each reason's name and what fixes it, in the admin's language. The API's `hint.text` is the same
 * sentence in English for API clients; the RouterOS command (`hint.routeros`) is never translated.
 */
const REASONS: Record<Reason, { name: MessageKey; hint: MessageKey }> = {
  missing_message_authenticator: { name: 'drops.reason.missing_message_authenticator', hint: 'drops.hint.missing_message_authenticator' },
  bad_message_authenticator: { name: 'drops.reason.bad_message_authenticator', hint: 'drops.hint.bad_message_authenticator' },
  bad_authenticator: { name: 'drops.reason.bad_authenticator', hint: 'drops.hint.bad_authenticator' },
  unknown_client: { name: 'drops.reason.unknown_client', hint: 'drops.hint.unknown_client' },
  eap_without_message_authenticator: { name: 'drops.reason.eap_without_message_authenticator', hint: 'drops.hint.eap_without_message_authenticator' },
};
/** A reason's name; one this UI does not know yet (a newer server) as the API wrote it. */
const known = (r: string): r is Reason => Object.prototype.hasOwnProperty.call(REASONS, r);
const reasonName = (r: string): string => (known(r) ? t(REASONS[r].name) : r);
const hintText = (r: string, english: string): string => (known(r) ? t(REASONS[r].hint) : english);

/** `<tg-nas-drops nas-id="3">`: a NAS's drops by reason with counts, last seen and the fix. */
export class TgNasDrops extends LitElement {
  static override styles = [base, css`:host { display: block; } code { white-space: pre-wrap; }`];
  static override properties = { nasId: { type: Number, attribute: 'nas-id' } };
  declare nasId: number;

  private readonly data = new Task(this, {
    task: ([id]: readonly [number]) => nasDrops(id),
    args: (): readonly [number] => [this.nasId],
  });

  override render() {
    return html`<section class="card"><h2>${t('drops.nasTitle')}</h2>
      <p class="muted">${t('drops.messageAuthHelp')}</p>
      ${this.data.render({ complete: (d) => this.list(d), error: (e) => html`<div class="banner error">${errorText(e)}</div>` })}
    </section>`;
  }

  private list(d: DropCounters) {
    if (d.items.length === 0) return html`<p>${t('drops.nasNone')}</p><p class="muted">${t('drops.since', { at: when(d.since) })}</p>`;
    return html`<ul>${d.items.map((c) => html`<li>
        <strong>${reasonName(c.reason)}</strong>: ${t('drops.counted', { n: c.count, at: when(c.lastAt) })}
        ${c.lastUsername ? html`· ${t('drops.user', { username: c.lastUsername })}` : nothing} · ${c.source}
        <div>${hintText(c.reason, c.hint.text)}</div>
        ${c.hint.routeros ? html`<div>${t('drops.fix')} <code>${c.hint.routeros}</code></div>` : nothing}
      </li>`)}</ul>
      <p class="muted">${t('drops.since', { at: when(d.since) })}</p>`;
  }
}
customElements.define('tg-nas-drops', TgNasDrops);

/** `<tg-service-drops service-id="7">`: requests with the service's username dropped at the door; nothing when none. */
export class TgServiceDrops extends LitElement {
  static override styles = [base, css`:host { display: block; }`];
  static override properties = { serviceId: { type: Number, attribute: 'service-id' } };
  declare serviceId: number;

  private readonly data = new Task(this, {
    task: ([id]: readonly [number]) => serviceDrops(id),
    args: (): readonly [number] => [this.serviceId],
  });

  override render() {
    return this.data.render({ complete: (d) => this.list(d), error: () => nothing });
  }

  private list(d: DroppedRequests) {
    if (d.items.length === 0) return nothing;
    return html`<section class="banner error" role="status"><h2>${t('drops.serviceTitle')}</h2><p>${t('drops.serviceHint')}</p>
      <ul>${d.items.slice(0, 10).map((x) => html`<li>${when(x.at)}: <strong>${reasonName(x.reason)}</strong>
        ${x.nasId ? html`(<a href="/nas/${x.nasId}">NAS ${x.nasId}</a>)` : html`(${x.source})`}
        ${x.hint.routeros ? html` · <code>${x.hint.routeros}</code>` : nothing}</li>`)}</ul></section>`;
  }
}
customElements.define('tg-service-drops', TgServiceDrops);
