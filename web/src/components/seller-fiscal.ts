// The seller's fiscal data for e-invoices as the config file holds them ([company], [einvoice]), read
// only: each value beside its config key, and what is missing or invalid said first, by key, so the
// operator sees why nothing goes to SDI and what to edit in the file.
import { LitElement, css, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { getEinvoiceSettings, type EinvoiceSettings, type SellerProblem, type SellerSetting } from '../data/einvoice.js';
import { base, errorText, money } from '../ui.js';
import { isMessageKey, t, type MessageKey } from '../i18n.js';

/** Each config key's label in the UI's language (the customer's labels where the meaning is the same). */
const labels: Record<string, MessageKey> = {
  '[company] name': 'customer.field.name',
  '[company] vat_country': 'einvoices.seller.vatCountry',
  '[company] vat_number': 'customer.field.vatNumber',
  '[company] tax_code': 'customer.field.taxCode',
  '[company] regime_fiscale': 'einvoices.seller.regime',
  '[company] street': 'customer.field.street',
  '[company] street_number': 'customer.field.streetNumber',
  '[company] postal_code': 'customer.field.postalCode',
  '[company] city': 'customer.field.city',
  '[company] province': 'customer.field.province',
  '[company] country': 'customer.field.country',
  '[company] rea_office': 'einvoices.seller.reaOffice',
  '[company] rea_number': 'einvoices.seller.reaNumber',
  '[company] rea_capital': 'einvoices.seller.reaCapital',
  '[company] rea_sole_shareholder': 'einvoices.seller.reaSole',
  '[company] rea_liquidation': 'einvoices.seller.reaLiquidation',
  '[company] email': 'customer.field.email',
  '[company] iban': 'einvoices.seller.iban',
  '[einvoice] channel': 'einvoices.seller.channel',
  '[einvoice] transmitter_country': 'einvoices.seller.transmitterCountry',
  '[einvoice] transmitter_code': 'einvoices.seller.transmitterCode',
  '[einvoice] payment_method': 'einvoices.seller.paymentMethod',
  '[einvoice] attach_pdf': 'einvoices.seller.attachPdf',
  '[einvoice] accountant_email': 'einvoices.seller.accountantEmail',
  '[einvoice] alert_email': 'einvoices.seller.alertEmail',
  '[einvoice] pec_address': 'einvoices.seller.pecAddress',
  '[einvoice] pec_smtp_url': 'einvoices.seller.pecSmtp',
  '[einvoice] pec_imap_url': 'einvoices.seller.pecImap',
  '[einvoice] acube_api_url': 'einvoices.seller.acubeApi',
  '[einvoice] acube_email': 'einvoices.seller.acubeEmail',
  '[einvoice] acube_password': 'einvoices.seller.acubePassword',
  '[einvoice] acube_webhook_header': 'einvoices.seller.acubeHeader',
  '[einvoice] acube_webhook_token': 'einvoices.seller.acubeToken',
};

/** A config key's label; the key itself for one this screen does not know yet. */
const label = (key: string): string => {
  const k = labels[key];
  return k ? t(k) : key;
};

function shown(s: SellerSetting) {
  if (s.value === null) return html`<span class="muted">${t('einvoices.seller.notSet')}</span>`;
  if (typeof s.value === 'boolean') return s.value ? t('common.on') : t('common.off');
  if (s.key === '[company] rea_capital' && typeof s.value === 'number') return s.value === 0 ? html`<span class="muted">${t('einvoices.seller.notSet')}</span>` : money(s.value);
  return html`<code>${s.value}</code>`;
}

function problemLine(p: SellerProblem) {
  return html`<li data-test="seller-problem" data-key=${p.key}>${t(p.code === 'missing' ? 'einvoices.seller.missing' : 'einvoices.seller.invalid', { label: label(p.key) })}
    <code>${p.key}</code>${p.code === 'invalid' ? html`<div class="muted">${p.reasonCode && isMessageKey(p.reasonCode) ? t(p.reasonCode, p.reasonValues ?? undefined) : p.message}</div>` : nothing}</li>`;
}

export class TgSellerFiscal extends LitElement {
  // Label and value side by side, stacked on a phone; the config key after the value, quieter.
  static override styles = [base, css`
    dl.seller dd { overflow-wrap: anywhere; }
    dl.seller .key { font-family: monospace; font-size: 0.85em; white-space: nowrap; }
    @media (max-width: 640px) { dl.seller { grid-template-columns: 1fr; } dl.seller dd { margin-bottom: 0.4rem; } }
  `];
  private readonly data = new Task(this, { task: () => getEinvoiceSettings(), args: () => [] });

  override render() {
    return html`<h2>${t('einvoices.seller.title')}</h2>${this.data.render({
      pending: () => html`<p class="muted">${t('common.loading')}</p>`,
      complete: (d) => this.view(d),
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    })}`;
  }

  private view(d: EinvoiceSettings) {
    const seller = d.problems.filter((p) => p.kind === 'seller');
    const channel = d.problems.filter((p) => p.kind === 'channel');
    const wrong = new Map(d.problems.map((p) => [p.key, p] as const));
    return html`<div class="card" data-test="seller-fiscal">
      <p class="muted">${t('einvoices.seller.intro')}</p>
      ${d.ready ? html`<div class="banner ok" data-test="seller-ready">${t('einvoices.seller.ready')}</div>` : nothing}
      ${seller.length ? html`<div class="banner error" role="alert" data-test="seller-blocked">${t('einvoices.seller.blocked')}<ul>${seller.map(problemLine)}</ul></div>` : nothing}
      ${channel.length ? html`<div class="banner warn" data-test="seller-not-sent">${t('einvoices.seller.notSent')}<ul>${channel.map(problemLine)}</ul></div>` : nothing}
      ${d.channel === 'pec' ? html`<p class="muted" data-test="sdi-address">${t('einvoices.seller.sdiAddress', { address: d.sdiAddress })}</p>` : nothing}
      <dl class="kv seller">${d.settings.map((s) => html`<dt data-key=${s.key}>${label(s.key)}${wrong.has(s.key)
          ? html` <span class="badge failed" data-test="seller-field-problem">${t(wrong.get(s.key)!.code === 'missing' ? 'einvoices.seller.badgeMissing' : 'einvoices.seller.badgeInvalid')}</span>` : nothing}</dt>
        <dd data-key=${s.key}>${shown(s)} <span class="muted key" title=${t('einvoices.seller.key')}>${s.key}</span></dd>`)}</dl></div>`;
  }
}
customElements.define('tg-seller-fiscal', TgSellerFiscal);
