// RADIUS requests dropped before any check of the subscriber, for reasons fixed on the router: per
// NAS on its page (with the RouterOS command), per service on "Why offline?".
import { LitElement, css, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { nasDrops, serviceDrops, type DropCounters, type DroppedRequests } from '../data/operator.js';
import { base, errorText, when } from '../ui.js';

const t = {
  nasTitle: 'Dropped requests',
  nasNone: 'No request from this router was dropped since the server started.',
  since: (at: string) => `Counted since ${at} (the server keeps these in memory).`,
  reasons: {
    missing_message_authenticator: 'No Message-Authenticator',
    bad_message_authenticator: 'Wrong shared secret (Message-Authenticator)',
    bad_authenticator: 'Wrong shared secret (accounting)',
    unknown_client: 'Unknown address',
    eap_without_message_authenticator: 'EAP without Message-Authenticator',
  },
  count: (n: number) => `${n} time${n === 1 ? '' : 's'}`,
  last: 'last',
  user: 'user',
  fix: 'Fix on the router:',
  serviceTitle: 'Requests dropped before the login was checked',
  serviceHint: 'These never reached the subscriber checks: the router, not the subscriber, needs fixing.',
  messageAuthHelp: '"Require Message-Authenticator" makes this server drop Access-Requests the router did not sign (protection against BlastRADIUS, CVE-2024-3596); RouterOS 7.15 and later sign them with /radius set [find] require-message-auth=yes.',
};

type Reason = keyof typeof t.reasons;

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
    return html`<section class="card"><h2>${t.nasTitle}</h2>
      <p class="muted">${t.messageAuthHelp}</p>
      ${this.data.render({ complete: (d) => this.list(d), error: (e) => html`<div class="banner error">${errorText(e)}</div>` })}
    </section>`;
  }

  private list(d: DropCounters) {
    if (d.items.length === 0) return html`<p>${t.nasNone}</p><p class="muted">${t.since(when(d.since))}</p>`;
    return html`<ul>${d.items.map((c) => html`<li>
        <strong>${t.reasons[c.reason as Reason] ?? c.reason}</strong>: ${t.count(c.count)}, ${t.last} ${when(c.lastAt)}
        ${c.lastUsername ? html`· ${t.user} ${c.lastUsername}` : nothing} · ${c.source}
        <div>${c.hint.text}</div>
        ${c.hint.routeros ? html`<div>${t.fix} <code>${c.hint.routeros}</code></div>` : nothing}
      </li>`)}</ul>
      <p class="muted">${t.since(when(d.since))}</p>`;
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
    return html`<section class="banner error" role="status"><h2>${t.serviceTitle}</h2><p>${t.serviceHint}</p>
      <ul>${d.items.slice(0, 10).map((x) => html`<li>${when(x.at)}: <strong>${t.reasons[x.reason as Reason] ?? x.reason}</strong>
        ${x.nasId ? html`(<a href="/nas/${x.nasId}">NAS ${x.nasId}</a>)` : html`(${x.source})`}
        ${x.hint.routeros ? html` · <code>${x.hint.routeros}</code>` : nothing}</li>`)}</ul></section>`;
  }
}
customElements.define('tg-service-drops', TgServiceDrops);
