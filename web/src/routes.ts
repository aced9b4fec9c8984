// The screens of the admin UI: one line each, its URL pattern and its title (a catalogue key). The
// shell (main.ts) routes by this table and sets `document.title` to "<title> · Tollgate" from it, so a
// new screen is declared here once, with its title; tests/unit/web/routes.test.ts fails on a screen
// without a title or without a case in the shell, and tests/e2e/accessibility.test.ts visits every
// screen listed here. Order matters where patterns overlap: the first match wins.
import type { MessageKey } from './i18n.js';

export interface Screen {
  /** A pattern such as /customers/:id (`:id` is the id of the record the screen shows). */
  path: string;
  /** The screen's name in the catalogue: the page title is "<title> · Tollgate". */
  title: MessageKey;
}

export const screens = {
  dashboard: { path: '/', title: 'nav.dashboard' },
  customers: { path: '/customers', title: 'nav.customers' },
  'customer-new': { path: '/customers/new', title: 'customers.new' },
  customer: { path: '/customers/:id', title: 'title.customer' },
  'service-new': { path: '/customers/:id/services/new', title: 'service.new' },
  why: { path: '/services/:id/why', title: 'customer.whyOffline' },
  'service-contract': { path: '/services/:id/contract', title: 'title.contract' },
  service: { path: '/services/:id', title: 'title.service' },
  plans: { path: '/plans', title: 'nav.plans' },
  'plan-new': { path: '/plans/new', title: 'plans.new' },
  plan: { path: '/plans/:id', title: 'title.plan' },
  promotions: { path: '/promotions', title: 'promos.title' },
  promotion: { path: '/promotions/:id', title: 'title.promotion' },
  nases: { path: '/nas', title: 'nav.nas' },
  'nas-new': { path: '/nas/new', title: 'nas.new' },
  nas: { path: '/nas/:id', title: 'nav.nas' },
  sessions: { path: '/sessions', title: 'nav.online' },
  invoices: { path: '/invoices', title: 'nav.invoices' },
  invoice: { path: '/invoices/:id', title: 'title.invoice' },
  einvoices: { path: '/einvoices', title: 'nav.einvoices' },
  einvoice: { path: '/einvoices/:id', title: 'invoice.einvoice' },
  payments: { path: '/payments', title: 'nav.payments' },
  'payment-new': { path: '/payments/new', title: 'payments.record' },
  'payments-report': { path: '/payments/report', title: 'payments.reportTitle' },
  dunning: { path: '/dunning', title: 'nav.dunning' },
  vouchers: { path: '/vouchers', title: 'nav.vouchers' },
  notifications: { path: '/notifications', title: 'nav.notifications' },
  profiles: { path: '/billing-profiles', title: 'nav.profiles' },
  admins: { path: '/admins', title: 'nav.admins' },
  settings: { path: '/settings', title: 'nav.settings' },
  audit: { path: '/audit', title: 'nav.audit' },
  account: { path: '/account', title: 'account.title' },
} satisfies Record<string, Screen>;

export type ScreenName = keyof typeof screens;

/** Outside the table: the sign-in steps and an unknown path. */
export const SIGN_IN_TITLE: MessageKey = 'title.signIn';
export const NOT_FOUND_TITLE: MessageKey = 'app.notFound';

/** The URL patterns by screen name, as the router takes them. */
export const patterns = (): Record<string, string> => Object.fromEntries(Object.entries(screens).map(([name, s]) => [name, s.path]));

/** The title key of a screen by name (a name outside the table is the not-found page). */
export function titleKey(name: string): MessageKey {
  return (screens as Record<string, Screen>)[name]?.title ?? NOT_FOUND_TITLE;
}

/** "<screen> · <product>": the screen first, so a browser's tabs tell the screens apart. */
export const documentTitle = (screen: string, product: string): string => `${screen} · ${product}`;
