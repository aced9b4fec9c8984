// The app shell: who is signed in, the navigation, and which page the URL names.
import { LitElement, css, html, nothing } from 'lit';
import { logout, me as whoAmI, type Me } from './data/auth.js';
import { setCsrf } from './data/http.js';
import { Router, setRouter, navigate, type Match } from './router.js';
import { SIGN_IN_TITLE, documentTitle, patterns, titleKey } from './routes.js';
import { base, errorText, setBillingZone, setCurrency, toast } from './ui.js';
import { chooseLocale, pickedBeforeSignIn, setLocale, t, type MessageKey } from './i18n.js';
import './components/language-picker.js';
import './pages/login.js';
import './pages/account.js';
import './pages/dashboard.js';
import './pages/customers.js';
import './pages/customer-new.js';
import './pages/customer.js';
import './pages/service-edit.js';
import './pages/why.js';
import './pages/service-contract.js';
import './pages/plans.js';
import './pages/plan-edit.js';
import './pages/promotions.js';
import './pages/promotion.js';
import './pages/nas-list.js';
import './pages/nas-edit.js';
import './pages/sessions.js';
import './pages/invoices.js';
import './pages/invoice.js';
import './pages/einvoices.js';
import './pages/einvoice.js';
import './pages/payments.js';
import './pages/payment-new.js';
import './pages/payments-report.js';
import './pages/dunning.js';
import './pages/vouchers.js';
import './pages/notifications.js';
import './pages/billing-profiles.js';
import './pages/admins.js';
import './pages/settings.js';
import './pages/audit.js';

const nav: Array<[string, MessageKey, string]> = [
  ['/', 'nav.dashboard', 'sessions'],
  ['/customers', 'nav.customers', 'customers'],
  ['/sessions', 'nav.online', 'sessions'],
  ['/invoices', 'nav.invoices', 'billing'],
  ['/einvoices', 'nav.einvoices', 'billing'],
  ['/payments', 'nav.payments', 'payments'],
  ['/plans', 'nav.plans', 'billing'],
  ['/promotions', 'promos.nav', 'billing'],
  ['/nas', 'nav.nas', 'nas'],
  ['/dunning', 'nav.dunning', 'billing'],
  ['/vouchers', 'nav.vouchers', 'billing'],
  ['/notifications', 'nav.notifications', 'customers'],
  ['/billing-profiles', 'nav.profiles', 'billing'],
  ['/admins', 'nav.admins', 'admins'],
  ['/settings', 'nav.settings', 'settings'],
  ['/audit', 'nav.audit', 'audit'],
];

export class TgApp extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: flex; min-height: 100vh; }
      nav { width: 210px; background: #17324f; color: #fff; padding: 0.8rem 0; flex: none; }
      nav a { display: block; color: #dbe6f2; text-decoration: none; padding: 0.5rem 1rem; }
      nav a[aria-current='page'] { background: #1f5fa8; color: #fff; }
      nav .brand { font-weight: 700; font-size: 1.1rem; padding: 0 1rem 0.8rem; display: flex; justify-content: space-between; align-items: center; }
      nav .me { padding: 0.8rem 1rem; font-size: 0.85rem; color: #a9bdd3; }
      /* Underlined: the only thing that tells the link from the text around it. */
      nav .me a { padding: 0.2rem 0; display: inline; text-decoration: underline; }
      nav .me button { margin-top: 0.4rem; background: transparent; border-color: #a9bdd3; color: #dbe6f2; }
      main { flex: 1; padding: 1.2rem; min-width: 0; max-width: 1200px; }
      /* Focus lands on main from the skip link; the ring would frame the whole screen. */
      main:focus { outline: none; }
      /* Out of sight until it has the focus: the first Tab on every screen. */
      .skip { position: absolute; left: 0.5rem; top: -4rem; z-index: 20; background: #fff; color: #1f5fa8; padding: 0.5rem 0.9rem; border-radius: 6px; font-weight: 600; }
      .skip:focus { top: 0.5rem; }
      /* On the dark menu the blue ring of the page would vanish: a light one. */
      nav :focus-visible { outline-color: #ffd166; }
      .menu { display: none; background: transparent; border: 1px solid #a9bdd3; }
      .toast { position: fixed; bottom: 1rem; left: 50%; transform: translateX(-50%); z-index: 10; min-width: 240px; text-align: center; box-shadow: 0 2px 8px #0003; }
      @media (max-width: 800px) {
        :host { flex-direction: column; }
        nav { width: auto; padding: 0.5rem 0; }
        nav .links, nav .me { display: none; }
        nav.open .links, nav.open .me { display: block; }
        nav .brand { padding-bottom: 0; }
        .menu { display: inline-block; }
        main { padding: 0.8rem; }
      }
    `,
  ];
  static override properties = { me: { state: true }, route: { state: true }, checked: { state: true }, open: { state: true }, note: { state: true } };
  declare me: Me | undefined;
  declare route: Match;
  declare checked: boolean;
  declare open: boolean;
  declare note: { message: string; kind: string } | undefined;
  private router: Router;
  private noteTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.checked = false;
    this.open = false;
    this.router = new Router(patterns(), (m) => {
      this.route = m;
      this.open = false;
    });
    setRouter(this.router);
    this.route = this.router.match();
    window.addEventListener('tg-signed-out', () => {
      this.me = undefined;
      setCsrf(undefined);
    });
    window.addEventListener('tg-toast', (e) => {
      this.note = (e as CustomEvent).detail;
      clearTimeout(this.noteTimer);
      this.noteTimer = setTimeout(() => (this.note = undefined), 5000);
    });
  }

  /** The skip link: past the menu, straight to the screen (the router must not take the click as a navigation). */
  private skip(e: Event): void {
    e.preventDefault();
    const main = this.renderRoot.querySelector<HTMLElement>('main');
    main?.focus();
    main?.scrollIntoView();
  }

  private skipLink() {
    return html`<a class="skip" href="#main" @click=${this.skip}>${t('a11y.skipToContent')}</a>`;
  }

  // Every render (a new screen, a sign-in, a language switch): the tab names the screen.
  protected override updated(): void {
    const key = this.checked && !this.signedIn() ? SIGN_IN_TITLE : titleKey(this.route.name);
    document.title = documentTitle(t(key), t('app.title'));
  }

  override willUpdate(changed: Map<string, unknown>): void {
    // Whoever set `me` (start, login, second factor, password change): billing dates and amounts follow the server's settings.
    if (changed.has('me') && this.me?.billing) {
      setBillingZone(this.me.billing.timezone);
      setCurrency(this.me.billing.currency);
    }
  }

  /**
   * Who is signed in (start, login, second factor, password change, a language picked), taken once
   * their language is loaded: the admin's, else the browser's, else the installation's. The screens
   * that follow are built in it (some, such as the templates on Settings, keep the language they
   * start in).
   */
  private async adopt(me: Me): Promise<void> {
    if (me.locale) {
      await setLocale(chooseLocale(me.locale.language ?? pickedBeforeSignIn(), me.locale.default))
        .catch((err: unknown) => toast(errorText(err), 'error'));
    }
    this.me = me;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    whoAmI().then(
      async (me) => {
        setCsrf(me.csrfToken);
        await this.adopt(me);
      },
      // Signed out: the sign-in page in the browser's language (English when its catalogue cannot be loaded).
      () => setLocale(chooseLocale(undefined, 'en')).catch(() => undefined),
    ).finally(() => (this.checked = true));
  }

  private signedIn(): boolean {
    const me = this.me;
    return !!me && !me.totpRequired && !me.setupRequired && !me.admin?.mustChangePassword;
  }

  private async logout(): Promise<void> {
    try {
      await logout();
    } catch {
      /* already gone */
    }
    this.me = undefined;
    setCsrf(undefined);
    navigate('/');
  }

  private can(area: string): boolean {
    const p = this.me?.permissions?.[area];
    return p === 'read' || p === 'write';
  }

  private page() {
    const { name, params, query } = this.route;
    const id = params.id ?? '';
    const me = this.me!;
    switch (name) {
      case 'dashboard': return html`<tg-dashboard></tg-dashboard>`;
      case 'customers': return html`<tg-customers .q=${query.get('q') ?? ''} .status=${query.get('status') ?? ''}></tg-customers>`;
      case 'customer-new': return html`<tg-customer-edit></tg-customer-edit>`;
      case 'customer': return html`<tg-customer .customerId=${Number(id)} .tab=${query.get('tab') ?? ''}></tg-customer>`;
      case 'service-new': return html`<tg-service-edit .customerId=${Number(id)}></tg-service-edit>`;
      case 'service': return html`<tg-service-edit .serviceId=${Number(id)}></tg-service-edit>`;
      case 'why': return html`<tg-why .serviceId=${Number(id)}></tg-why>`;
      case 'service-contract': return html`<tg-service-contract .serviceId=${Number(id)}></tg-service-contract>`;
      case 'plans': return html`<tg-plans></tg-plans>`;
      case 'plan-new': return html`<tg-plan-edit></tg-plan-edit>`;
      case 'plan': return html`<tg-plan-edit .planId=${Number(id)}></tg-plan-edit>`;
      case 'promotions': return html`<tg-promotions></tg-promotions>`;
      case 'promotion': return html`<tg-promotion .promotionId=${Number(id)}></tg-promotion>`;
      case 'nases': return html`<tg-nas-list></tg-nas-list>`;
      case 'nas-new': return html`<tg-nas-edit></tg-nas-edit>`;
      case 'nas': return html`<tg-nas-edit .nasId=${Number(id)}></tg-nas-edit>`;
      case 'sessions': return html`<tg-sessions></tg-sessions>`;
      case 'invoices': return html`<tg-invoices></tg-invoices>`;
      case 'invoice': return html`<tg-invoice .invoiceId=${Number(id)}></tg-invoice>`;
      case 'einvoices': return html`<tg-einvoices></tg-einvoices>`;
      case 'einvoice': return html`<tg-einvoice .documentId=${Number(id)}></tg-einvoice>`;
      case 'payments': return html`<tg-payments></tg-payments>`;
      case 'payment-new': return html`<tg-payment-new .customerId=${Number(query.get('customerId') ?? 0)}></tg-payment-new>`;
      case 'payments-report': return html`<tg-payments-report></tg-payments-report>`;
      case 'dunning': return html`<tg-dunning></tg-dunning>`;
      case 'vouchers': return html`<tg-vouchers></tg-vouchers>`;
      case 'notifications': return html`<tg-notifications></tg-notifications>`;
      case 'profiles': return html`<tg-profiles></tg-profiles>`;
      case 'admins': return html`<tg-admins></tg-admins>`;
      case 'settings': return html`<tg-settings></tg-settings>`;
      case 'audit': return html`<tg-audit></tg-audit>`;
      case 'account': return html`<tg-account .me=${me}></tg-account>`;
      default: return html`<h1>${t('app.notFound')}</h1><p>${t('app.noPageAt', { path: location.pathname })} <a href="/">${t('app.toDashboard')}</a>.</p>`;
    }
  }

  override render() {
    if (!this.checked) return html`<main id="main" tabindex="-1">${t('common.loading')}</main>`;
    const toast = this.note ? html`<div class="toast banner ${this.note.kind}" role="status">${this.note.message}</div>` : nothing;
    if (!this.signedIn()) {
      return html`${this.skipLink()}<main id="main" tabindex="-1"><tg-login .me=${this.me} @me=${(e: CustomEvent<Me>) => void this.adopt(e.detail)}></tg-login></main>${toast}`;
    }
    const path = location.pathname;
    return html`
      ${this.skipLink()}
      <nav class=${this.open ? 'open' : ''} aria-label=${t('nav.main')}>
        <div class="brand"><span>Tollgate</span><button class="menu" aria-label=${t('nav.menu')} aria-expanded=${this.open ? 'true' : 'false'} aria-controls="nav-links" @click=${() => (this.open = !this.open)}>☰</button></div>
        <div class="links" id="nav-links">
          ${nav.filter(([, , area]) => this.can(area)).map(([href, label]) => {
            const current = href === '/' ? path === '/' : path === href || path.startsWith(href + '/');
            return html`<a href=${href} aria-current=${current ? 'page' : 'false'}>${t(label)}</a>`;
          })}
        </div>
        <div class="me">${t('nav.signedInAs')} <a href="/account">${this.me!.admin?.username ?? this.me!.role}</a> (${this.me!.role})<br>
          <tg-language-picker save></tg-language-picker>
          <button @click=${this.logout}>${t('nav.signOut')}</button></div>
      </nav>
      <main id="main" tabindex="-1" @me=${(e: CustomEvent<Me>) => void this.adopt(e.detail)}>${this.page()}</main>
      ${toast}
    `;
  }
}
customElements.define('tg-app', TgApp);
