// Charts as inline SVG: logins per minute, two bars to compare, a ring of parts, a sparkline.
import { html, nothing, svg, type TemplateResult } from 'lit';
import { t } from '../i18n.js';

/** Stacked bars per bucket: accepts (green) under rejects (red). */
export function authChart(points: Array<{ minute: string; accept: number; reject: number }>, endIso: string, minutes = 60): TemplateResult {
  const end = Math.floor(Date.parse(endIso) / 60_000);
  const byMin = new Map(points.map((p) => [Math.floor(Date.parse(`${p.minute}:00Z`) / 60_000), p]));
  const buckets = Array.from({ length: minutes }, (_, i) => byMin.get(end - minutes + 1 + i) ?? { minute: '', accept: 0, reject: 0 });
  const max = Math.max(1, ...buckets.map((b) => b.accept + b.reject));
  const w = 600;
  const h = 120;
  const bw = w / minutes;
  return html`<svg viewBox="0 0 ${w} ${h}" width="100%" height="120" preserveAspectRatio="none" role="img" aria-label=${t('chart.authLabel')}>
    ${buckets.map((b, i) => {
      const ha = (b.accept / max) * h;
      const hr = (b.reject / max) * h;
      return svg`<rect x=${i * bw + 1} y=${h - ha} width=${bw - 2} height=${ha} fill="#2e8b57"><title>${t('chart.accepted', { n: b.accept })}</title></rect>
        <rect x=${i * bw + 1} y=${h - ha - hr} width=${bw - 2} height=${hr} fill="#c0392b"><title>${t('chart.rejected', { n: b.reject })}</title></rect>`;
    })}
    <line x1="0" x2=${w} y1=${h} y2=${h} stroke="#b8c4d0" />
  </svg>
  <div class="row muted"><span class="grow">−${minutes} min</span><span>${t('chart.nowPeak', { max })}</span></div>`;
}

/** Two horizontal bars to compare (this month against last). */
export function compareBars(items: Array<{ label: string; value: number; text: string; color: string }>): TemplateResult {
  const max = Math.max(1, ...items.map((i) => i.value));
  return html`<svg viewBox="0 0 300 ${items.length * 34}" width="100%" role="img" aria-label=${items.map((it) => `${it.label}: ${it.text}`).join(', ')}>
    ${items.map((it, i) => svg`<text x="0" y=${i * 34 + 21} font-size="15" fill="#1d2733">${it.label}</text>
      <rect x="100" y=${i * 34 + 6} height="20" width=${Math.max(2, (it.value / max) * 110)} fill=${it.color} rx="3" />
      <text x=${106 + Math.max(2, (it.value / max) * 110)} y=${i * 34 + 21} font-size="15" fill="#1d2733">${it.text}</text>`)}
  </svg>`;
}

/** A ring split into parts (NAS up / down / unknown). */
export function ring(parts: Array<{ value: number; color: string; label: string }>, size = 96): TemplateResult {
  const total = parts.reduce((s, p) => s + p.value, 0);
  const r = 38;
  const c = 2 * Math.PI * r;
  let offset = 0;
  return html`<svg viewBox="0 0 100 100" width=${size} height=${size} role="img" aria-label=${parts.map((p) => `${p.value} ${p.label}`).join(', ')}>
    <circle cx="50" cy="50" r=${r} fill="none" stroke="#e6ebf0" stroke-width="14" />
    ${total === 0 ? nothing : parts.map((p) => {
      const len = (p.value / total) * c;
      const el = svg`<circle cx="50" cy="50" r=${r} fill="none" stroke=${p.color} stroke-width="14" stroke-dasharray="${len} ${c - len}" stroke-dashoffset=${-offset} transform="rotate(-90 50 50)"><title>${p.value} ${p.label}</title></circle>`;
      offset += len;
      return el;
    })}
    <text x="50" y="56" font-size="18" text-anchor="middle" fill="#1d2733">${total}</text>
  </svg>`;
}

/** A line of samples (a NAS's traffic, sessions online), named for screen readers by `label` (what it shows). */
export function sparkline(values: number[], label: string, w = 600, h = 100): TemplateResult {
  if (values.length < 2) return html`<p class="muted">${t('chart.fewSamples')}</p>`;
  const max = Math.max(1, ...values);
  const pts = values.map((v, i) => `${((i / (values.length - 1)) * w).toFixed(1)},${(h - (v / max) * h).toFixed(1)}`).join(' ');
  return html`<svg viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label=${label}><polyline points=${pts} fill="none" stroke="#1f5fa8" stroke-width="2" /></svg>`;
}
