/**
 * The authorizer: answers an Access-Request. It gathers the facts of a login (the service from the
 * cache, a voucher's first use, the credentials' check, the data cap, the open sessions the
 * accounting writer knows) and hands them to the pure `decide`; the transport turns its outcome into
 * a reply through the reply policy. Synchronous when every fact is in memory (a cached service, the
 * usual case); a login whose service missed the cache, or a voucher's first use, answers through a
 * Promise once the database has (the transport waits for it without holding the event loop).
 */
import { isLocale, type Locale } from '../i18n/locales.js';
import { translate } from '../i18n/messages.js';
import type { AcctWriter, AuthLogRecord } from '../db/radius.js';
import { looksLikeVoucher } from '../domain/billing/vouchers.js';
import type { CalDate } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { normalizeMac } from '../lib/net.js';
import { get, type AttributeInput, type Packet } from '../radius/codec/index.js';
import { A } from '../radius/dict/attrs.js';
import type { Dictionary } from '../radius/dict/dictionary.js';
import type { AttributeDef } from '../radius/codec/types.js';
import type { NasClient } from '../radius/server/clients.js';
import type { AccessAnswer, AccessHandler } from '../radius/server/handlers.js';
import type { BillingDay } from './billing-day.js';
import type { CapServiceFacts, LoginCap } from './caps.js';
import { checkCredentials, emptyPapPassword, PlainPassword, type CredentialCheck } from './credentials.js';
import { decide, refuse, type Decision, type Policy, type ReplyText } from './decide.js';
import type { CachedService, ServiceCache } from './service-cache.js';

/**
 * The data-cap facts of a login (LoginCapChecker in caps.ts): at once when they are in memory, or a
 * Promise when they must be read.
 */
export interface LoginCaps {
  check(row: CapServiceFacts, date: CalDate): LoginCap | undefined | Promise<LoginCap | undefined>;
}

/** Hotspot vouchers: an unknown username that is an unredeemed voucher code becomes a service at its first login. */
export interface VoucherRedeemer {
  /** Truthy (or a Promise of it) when the code was redeemed and its service now exists. */
  redeemAtLogin(username: string, password: string | undefined): unknown;
}

export interface AuthorizerOptions {
  /** Names the reply attributes of a decision. */
  dictionary: Dictionary;
  services: Pick<ServiceCache, 'get' | 'forget'>;
  caps: LoginCaps;
  /** Open sessions as of the last commit, and where the auth log goes. */
  writer: Pick<AcctWriter, 'openSessions' | 'authLog' | 'recheckOpenSessions'>;
  policy: Policy;
  clock: Clock;
  days: BillingDay;
  vouchers?: VoucherRedeemer | undefined;
  /** The Reply-Message language of customers without one (the installation's). */
  defaultLanguage?: Locale;
}

/** The answer to one Access-Request, and its auth-log row, written once the reply is on its way. */
export class Authorization implements AccessAnswer {
  constructor(
    readonly outcome: AccessAnswer['outcome'],
    readonly attributes: AttributeInput[],
    readonly log: AuthLogRecord,
  ) {}
}

// Shared: the refusals that need no facts allocate nothing.
const NO_METHOD: Decision = refuse('aaa.noMethod');
const UNKNOWN_USER: Decision = refuse('aaa.unknownUser');

export class Authorizer implements AccessHandler<Authorization> {
  private readonly dictionary: Dictionary;
  private readonly services: Pick<ServiceCache, 'get' | 'forget'>;
  private readonly caps: LoginCaps;
  private readonly writer: Pick<AcctWriter, 'openSessions' | 'authLog' | 'recheckOpenSessions'>;
  private readonly policy: Policy;
  private readonly clock: Clock;
  private readonly days: BillingDay;
  private readonly vouchers: VoucherRedeemer | undefined;
  private readonly defaultLanguage: Locale;
  /** Reply attributes by the names `decide` uses, resolved once each (no lower-casing per reply). */
  private readonly defs = new Map<string, AttributeDef>();

  constructor(opts: AuthorizerOptions) {
    this.dictionary = opts.dictionary;
    this.services = opts.services;
    this.caps = opts.caps;
    this.writer = opts.writer;
    this.policy = opts.policy;
    this.clock = opts.clock;
    this.days = opts.days;
    this.vouchers = opts.vouchers;
    this.defaultLanguage = opts.defaultLanguage ?? 'en';
  }

  handle(request: Packet, nas: NasClient): Authorization | Promise<Authorization> {
    const username = get(request, A.UserName) ?? '';
    const svc = username === '' ? undefined : this.services.get(username);
    // A miss: answered once the database has (a class check, so a hit pays no promise).
    if (svc instanceof Promise) return svc.then((found) => this.withService(request, nas, username, found));
    return this.withService(request, nas, username, svc);
  }

  private withService(request: Packet, nas: NasClient, username: string, svc: CachedService | undefined): Authorization | Promise<Authorization> {
    if (svc === undefined && this.vouchers !== undefined && looksLikeVoucher(username)) {
      return this.redeemVoucher(request, nas, username, this.vouchers).then((redeemed) => this.decideFor(request, nas, username, redeemed));
    }
    return this.decideFor(request, nas, username, svc);
  }

  private decideFor(request: Packet, nas: NasClient, username: string, svc: CachedService | undefined): Authorization | Promise<Authorization> {
    const check = checkCredentials(request, nas.secret, username, svc);
    const at = this.clock.now();
    const rawMac = get(request, A.CallingStationId);
    const callingStationId = rawMac === undefined ? null : (normalizeMac(rawMac) ?? rawMac);
    if (check.method === 'none') return this.answer(nas, username, svc, check, at, callingStationId, NO_METHOD);
    if (svc === undefined) return this.answer(nas, username, svc, check, at, callingStationId, UNKNOWN_USER);
    const open = this.writer.openSessions(svc.id);
    const decideWith = (cap: LoginCap | undefined, openSessions = open): Authorization => this.answer(nas, username, svc, check, at, callingStationId,
      decide(svc, { passwordOk: check.ok, callingStationId, nasId: nas.id, vendor: nas.vendor }, {
        now: at, openSessions, policy: this.policy, cap,
      }));
    const cap = this.caps.check(svc, this.days.of(at));
    // Several nodes: the index may hold a session another node closed whose notice never came (that
    // node died just after the commit). A login the index would refuse for simultaneous use is
    // decided on the database's open sessions instead; the rest stay answered from memory.
    const recheck = this.writer.recheckOpenSessions;
    if (recheck !== undefined && check.ok && open.length >= svc.simultaneousUse) {
      return Promise.all([cap, recheck.call(this.writer, svc.id)]).then(([c, sessions]) => decideWith(c, sessions));
    }
    // Cap facts that had to be read from the database: answered once they are.
    return cap instanceof Promise ? cap.then(decideWith) : decideWith(cap);
  }

  private answer(
    nas: NasClient, username: string, svc: CachedService | undefined, check: CredentialCheck, at: Date, callingStationId: string | null, decision: Decision,
  ): Authorization {
    const attributes: AttributeInput[] = [];
    if (decision.accept) {
      for (const [name, value] of decision.attributes) attributes.push({ def: this.def(name), value });
      for (const a of check.attributes) attributes.push(a);
    } else {
      // The customer reads the Reply-Message (a hotspot page may show it): in their language.
      const language = isLocale(svc?.language) ? svc.language : this.defaultLanguage;
      attributes.push({ def: A.ReplyMessage, value: decision.reply ? translate(language, decision.reply.key, decision.reply.values) : decision.reason });
      // A method's success attributes (MPPE keys) never ride on a Reject: only its error does.
      if (!check.ok) for (const a of check.attributes) attributes.push(a);
    }
    return new Authorization(decision.accept ? 'accept' : check.method === 'none' ? 'invalid' : 'reject', attributes, {
      at: at.getTime(), nasId: nas.id, serviceId: svc?.id ?? null, username, outcome: decision.accept ? 'accept' : 'reject',
      reason: decision.accept ? (decision.note ? translate('en', decision.note.key, decision.note.values) : null) : decision.reason,
      reasonMessage: reasonMessage(decision.accept ? decision.note : decision.reply), method: check.method, callingStationId,
    });
  }

  answered(answer: Authorization): void {
    this.writer.authLog(answer.log);
  }

  /**
   * A voucher's first hotspot login (rare: a cheap format check first, a write only on a real code).
   * Only a login that proves the code (PAP with an empty password or the code, CHAP or MS-CHAP with
   * the code as password) redeems it: a request without credentials never spends a voucher.
   */
  private async redeemVoucher(request: Packet, nas: NasClient, code: string, vouchers: VoucherRedeemer): Promise<CachedService | undefined> {
    const proves = emptyPapPassword(request, nas.secret) || checkCredentials(request, nas.secret, code, new PlainPassword(code)).ok;
    if (!proves || !(await vouchers.redeemAtLogin(code, ''))) return undefined;
    this.services.forget(code);
    return await this.services.get(code);
  }

  private def(name: string): AttributeDef {
    let def = this.defs.get(name);
    if (def === undefined) {
      def = this.dictionary.attr(name);
      if (def === undefined) throw new Error(`the RADIUS dictionary lacks ${name}, which a decision uses`);
      this.defs.set(name, def);
    }
    return def;
  }
}

/**
 * The auth log's reason as a catalogue message (JSON `{"key","values"}`), so the UI words it in the
 * reader's language; made once per reject or noted accept, nothing for a plain accept.
 */
function reasonMessage(m: ReplyText | undefined): string | null {
  return m ? JSON.stringify(m) : null;
}
