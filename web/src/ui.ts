// What every page shares: the styles, formatting of money, dates, sizes and speeds, the billing
// time zone's today, and the toast line. Widgets live in components/, API calls in data/.
import { css, html } from 'lit';
import { ApiError } from './data/http.js';
import { f, isMessageKey, setFormatContext, t } from './i18n.js';

export const base = css`
  :host { display: block; }
  * { box-sizing: border-box; }
  h1 { font-size: 1.35rem; margin: 0 0 1rem; }
  h2 { font-size: 1.1rem; margin: 1.5rem 0 0.6rem; }
  a { color: #1f5fa8; }
  /* A ring on whatever has the keyboard's focus, on every control of every screen (contrast over 3:1 on white and grey). */
  :focus-visible { outline: 3px solid #1f5fa8; outline-offset: 2px; }
  input:focus-visible, select:focus-visible, textarea:focus-visible { outline-offset: 0; border-color: #1f5fa8; }
  details > summary { cursor: pointer; }
  details > summary > h2 { display: inline; }
  details[open] > summary { margin-bottom: 0.8rem; }
  .card { background: #fff; border: 1px solid #dde3ea; border-radius: 8px; padding: 1rem; margin-bottom: 1rem; }
  .row { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; }
  .grow { flex: 1 1 auto; }
  .muted { color: #5b6b7c; font-size: 0.9em; }
  .grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); }
  button, .button { font: inherit; padding: 0.45rem 0.9rem; border-radius: 6px; border: 1px solid #1f5fa8; background: #1f5fa8; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; min-height: 2.2rem; }
  button.secondary, .button.secondary { background: #fff; color: #1f5fa8; }
  button.danger { background: #b42318; border-color: #b42318; }
  button:disabled { opacity: 0.55; cursor: default; }
  input, select, textarea { font: inherit; padding: 0.45rem 0.55rem; border: 1px solid #b8c4d0; border-radius: 6px; width: 100%; background: #fff; min-height: 2.2rem; }
  input[type='checkbox'] { width: auto; min-height: 0; }
  input[aria-invalid='true'], select[aria-invalid='true'] { border-color: #b42318; }
  label { display: block; font-weight: 600; font-size: 0.9rem; margin-bottom: 0.2rem; }
  .field { margin-bottom: 0.8rem; }
  .err { color: #b42318; font-size: 0.85rem; margin-top: 0.2rem; }
  .help { color: #5b6b7c; font-size: 0.8rem; margin-top: 0.15rem; }
  .banner { padding: 0.6rem 0.8rem; border-radius: 6px; margin-bottom: 0.8rem; }
  .banner.error { background: #fdecea; color: #8a1c12; border: 1px solid #f3b8b0; }
  .banner.ok { background: #e8f5ec; color: #1d5c33; border: 1px solid #b5dfc2; }
  .banner.warn { background: #fff5e0; color: #7a4b00; border: 1px solid #f1d39a; }
  .table-wrap { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { text-align: left; padding: 0.45rem 0.55rem; border-bottom: 1px solid #e6ebf0; white-space: nowrap; }
  th { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.03em; color: #5b6b7c; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.link { cursor: pointer; }
  tr.link:hover td { background: #f2f6fb; }
  .badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.8rem; background: #e6ebf0; }
  .badge.ok, .badge.active, .badge.accept, .badge.up, .badge.online, .badge.sent, .badge.paid, .badge.ack { background: #dff3e6; color: #1d5c33; }
  .badge.suspended, .badge.reject, .badge.down, .badge.failed, .badge.overdue, .badge.nak { background: #fdecea; color: #8a1c12; }
  .badge.proposal, .badge.pending, .badge.unknown, .badge.open, .badge.timeout { background: #fff5e0; color: #7a4b00; }
  .kpi { font-size: 1.8rem; font-weight: 700; }
  .pager { display: flex; gap: 0.5rem; align-items: center; margin-top: 0.5rem; }
  dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
  dl.kv dt { color: #5b6b7c; }
  dl.kv dd { margin: 0; }
  @media (max-width: 700px) {
    th, td { padding: 0.4rem; }
    .hide-sm { display: none; }
    /* Tables a page writes itself keep their key columns (hide-sm drops the others) and wrap their
       text rather than run off the screen; tg-table's lists turn into cards instead. */
    th, td { white-space: normal; overflow-wrap: anywhere; }
    /* Headers and buttons break between words only ("E|dit" reads as nothing): their words are short. */
    th { overflow-wrap: normal; text-transform: none; letter-spacing: 0; }
    td button, td .button { white-space: nowrap; overflow-wrap: normal; }
    .kpi { font-size: 1.4rem; }
  }
`;

/**
 * Wider than a phone (the base styles' breakpoint): pages open their secondary sections (<details>)
 * only then, so a screen on a phone starts short.
 */
export const wide = (): boolean => typeof matchMedia === 'undefined' || matchMedia('(min-width: 701px)').matches;

// ---- Formatting: the formatter of the UI's language (i18n.ts, on src/i18n/format.ts)

let currency = 'EUR';
export function setCurrency(c: string): void {
  currency = c;
  setFormatContext(billingZone ?? f().timeZone, c);
}
/** The configured currency (ISO 4217), for a form to say what its amounts are in. */
export const currencyCode = (): string => currency;
export function money(minor: number | null | undefined, cur = currency): string {
  return minor === null || minor === undefined ? '—' : f().money(minor, cur);
}
/** An instant as date and time in the billing time zone. */
export function when(iso: string | null | undefined): string {
  return iso ? f().dateTime(iso) : '—';
}
/** A calendar date (YYYY-MM-DD) as it is. */
export function day(date: string | null | undefined): string {
  return date ? f().date(date) : '—';
}
export function ago(iso: string | null | undefined, now = Date.now()): string {
  return iso ? f().ago(iso, now) : '—';
}
export function bytes(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : f().bytes(n);
}
export const duration = (seconds: number): string => f().duration(seconds);
export const speed = (kbps: number): string => f().speed(kbps);
/** A status as a badge: the class is the status, the text its name in the UI's language. */
export const badge = (s: string | null | undefined) => html`<span class="badge ${s ?? ''}" data-status=${s ?? ''}>${statusName(s)}</span>`;
/** A status value's name in the UI's language (the value itself when the catalogue has none). */
export function statusName(s: string | null | undefined): string {
  if (!s) return '—';
  const key = `status.${s}`;
  return isMessageKey(key) ? t(key) : s;
}
let billingZone: string | undefined;
/** The billing time zone (from /auth/me): billing dates the server checks are dates there. */
export function setBillingZone(tz: string): void {
  billingZone = tz;
  setFormatContext(tz, currency);
}
/** `at`'s calendar date (YYYY-MM-DD) in `tz`, else in the browser's zone (never UTC's, a day off at night). */
export function dateIn(at: Date, tz?: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  } catch {
    return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  }
}
/** Today in the billing time zone: the default of every billing date field. */
export const todayIso = () => dateIn(new Date(), billingZone);

/** Announces a change to the app shell (the toast line). */
export function toast(message: string, kind: 'ok' | 'error' = 'ok'): void {
  window.dispatchEvent(new CustomEvent('tg-toast', { detail: { message, kind } }));
}
export function errorText(err: unknown): string {
  return err instanceof ApiError ? err.message : String((err as Error)?.message ?? err);
}
