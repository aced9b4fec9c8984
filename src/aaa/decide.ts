/**
 * The authorization decision, pure: who may connect, and with which attributes. The server gathers
 * the facts (service row, password check, open sessions, usage) and sends what this returns.
 * Reasons are plain language: support staff read them in the auth log and customers in Reply-Message.
 */

import { tierAt, type CapPolicy } from '../domain/billing/caps.js';
import { translate, type MessageKey } from '../i18n/messages.js';
import { mikrotikRateLimit, type Rate } from '../radius/dict/mikrotik.js';

export type AuthMethod = 'pap' | 'chap' | 'mschap' | 'mschapv2';

export interface ServiceFacts {
  id: number;
  status: 'proposal' | 'active' | 'suspended' | 'ended' | 'free';
  startDate: string;
  macAddress: string | null;
  staticIp: string | null;
  ipv6Prefix: string | null;
  delegatedIpv6Prefix: string | null;
  simultaneousUse: number;
  expiresAt: string | null;
  planType: 'recurring' | 'prepaid';
  downloadKbps: number;
  uploadKbps: number;
  burstDownloadKbps: number | null;
  burstUploadKbps: number | null;
  burstThresholdDownloadKbps: number | null;
  burstThresholdUploadKbps: number | null;
  burstTimeSeconds: number | null;
  dataCapBytes: number | null;
  capAction: 'block' | 'throttle' | null;
  throttleDownloadKbps: number | null;
  throttleUploadKbps: number | null;
  framedPool: string | null;
  /** The plan's own suspension mode; null or absent: the policy's. */
  suspensionMode?: 'reject' | 'walled-garden' | null;
}

export interface RequestFacts {
  passwordOk: boolean;
  /** Calling-Station-Id normalised to AA:BB:CC:DD:EE:FF where it is a MAC, else as sent. */
  callingStationId: string | null;
  nasId: number;
  vendor: 'mikrotik' | 'generic';
}

export interface Policy {
  /** Acct-Interim-Interval sent in every Accept, seconds. */
  interimInterval: number;
  /** What a suspended service gets: a reject, or an Accept into the walled garden. */
  suspendedMode: 'reject' | 'walled-garden';
  walledGardenList: string;
  walledGardenDownloadKbps: number;
  walledGardenUploadKbps: number;
  /** What an expired prepaid service gets: a reject (default), or an Accept into the walled garden. */
  expiredMode?: 'reject' | 'walled-garden' | undefined;
}

export interface Context {
  now: Date;
  /** The service's open sessions (after stale ones were closed). */
  openSessions: readonly { nasId: number | null; callingStationId: string | null }[];
  /** Bytes used in the current cap period, when the plan has a cap. */
  usageBytes?: number;
  /** The data-cap facts of the period (fair-use tiers, block, top-ups): when given, they decide over usageBytes. */
  cap?: { policy: CapPolicy; usedBytes: number; extraBytes: number } | undefined;
  policy: Policy;
}

/** Reply attributes by dictionary name, in the order they go on the wire. */
export type ReplyAttr = readonly [name: string, value: string | number];

/** A refusal worded for the customer: a catalogue message, put in their language in the Reply-Message. */
export interface ReplyText {
  key: MessageKey;
  values?: Readonly<Record<string, string>>;
}

export type Decision =
  | { accept: true; attributes: ReplyAttr[]; note?: ReplyText }
  | { accept: false; reason: string; reply?: ReplyText };

/**
 * A refusal: the reason in English for the auth log (support staff read it, whatever the customer's
 * language) and the same message by key for the Reply-Message. Values are text, never formatted.
 */
export function refuse(key: MessageKey, values?: Readonly<Record<string, string>>): Decision {
  return { accept: false, reason: translate('en', key, values), reply: values ? { key, values } : { key } };
}

export function planRate(s: ServiceFacts): Rate {
  const hasBurst =
    s.burstDownloadKbps != null && s.burstUploadKbps != null && s.burstThresholdDownloadKbps != null &&
    s.burstThresholdUploadKbps != null && s.burstTimeSeconds != null;
  return {
    downloadKbps: s.downloadKbps,
    uploadKbps: s.uploadKbps,
    ...(hasBurst
      ? { burst: { downloadKbps: s.burstDownloadKbps!, uploadKbps: s.burstUploadKbps!, thresholdDownloadKbps: s.burstThresholdDownloadKbps!, thresholdUploadKbps: s.burstThresholdUploadKbps!, seconds: s.burstTimeSeconds! } }
      : {}),
  };
}

function rateAttributes(vendor: RequestFacts['vendor'], rate: Rate): ReplyAttr[] {
  // Generic NAS have no standard rate attribute; WISPr's bandwidth attributes (bit/s) are the common one.
  if (vendor === 'mikrotik') return [['Mikrotik-Rate-Limit', mikrotikRateLimit(rate)]];
  return [
    ['WISPr-Bandwidth-Max-Down', rate.downloadKbps * 1000],
    ['WISPr-Bandwidth-Max-Up', rate.uploadKbps * 1000],
  ];
}

export function decide(service: ServiceFacts | undefined, req: RequestFacts, ctx: Context): Decision {
  if (!service) return refuse('aaa.unknownUser');
  if (!req.passwordOk) return refuse('aaa.wrongPassword');
  switch (service.status) {
    case 'proposal':
      return refuse('aaa.proposal');
    case 'ended':
      return refuse('aaa.ended');
    case 'suspended':
      if ((service.suspensionMode ?? ctx.policy.suspendedMode) === 'reject') return refuse('aaa.suspended');
      break;
    case 'active':
    case 'free':
      break;
  }
  let sessionTimeout: number | undefined;
  let expired = false;
  if (service.expiresAt !== null || service.planType === 'prepaid') {
    const left = service.expiresAt === null ? 0 : Math.floor((Date.parse(service.expiresAt) - ctx.now.getTime()) / 1000);
    if (left > 0) sessionTimeout = left;
    else if (ctx.policy.expiredMode === 'walled-garden') expired = true;
    else return service.expiresAt ? refuse('aaa.prepaidExpired', { at: service.expiresAt }) : refuse('aaa.noCredit');
  }
  if (service.macAddress && req.callingStationId !== service.macAddress) {
    return req.callingStationId ? refuse('aaa.macMismatch', { sent: req.callingStationId, bound: service.macAddress }) : refuse('aaa.macMissing', { bound: service.macAddress });
  }
  // The same device re-dialling while its old session has not closed yet (the Stop is still in
  // flight) is the commonest false "already connected": sessions from the same MAC do not count.
  let others = 0;
  for (const s of ctx.openSessions) if (!(req.callingStationId && s.callingStationId === req.callingStationId)) others++;
  if (others >= service.simultaneousUse) {
    return refuse('aaa.alreadyConnected', { open: String(others), limit: String(service.simultaneousUse) });
  }

  const attributes: ReplyAttr[] = [];
  let note: ReplyText | undefined;
  if (service.status === 'suspended' || expired) {
    // Walled garden: the router puts the customer in an address list it redirects to a "please pay" page.
    attributes.push(...rateAttributes(req.vendor, { downloadKbps: ctx.policy.walledGardenDownloadKbps, uploadKbps: ctx.policy.walledGardenUploadKbps }));
    if (req.vendor === 'mikrotik') attributes.push(['Mikrotik-Address-List', ctx.policy.walledGardenList]);
    note = { key: expired ? 'reason.walledGarden.expired' : 'reason.walledGarden.suspended' };
  } else if (ctx.cap) {
    const tier = tierAt(ctx.cap.policy, ctx.cap.usedBytes, ctx.cap.extraBytes);
    if (tier.blocked) return refuse('aaa.dataCap', { bytes: String(ctx.cap.policy.blockAtBytes! + ctx.cap.extraBytes) });
    attributes.push(...rateAttributes(req.vendor, tier.rate ?? planRate(service)));
    if (tier.level > 0) note = { key: 'reason.throttledTier', values: { tier: String(tier.level) } };
  } else if (service.dataCapBytes != null && (ctx.usageBytes ?? 0) >= service.dataCapBytes) {
    if (service.capAction !== 'throttle') return refuse('aaa.dataCap', { bytes: String(service.dataCapBytes) });
    attributes.push(...rateAttributes(req.vendor, { downloadKbps: service.throttleDownloadKbps!, uploadKbps: service.throttleUploadKbps! }));
    note = { key: 'reason.throttled' };
  } else {
    attributes.push(...rateAttributes(req.vendor, planRate(service)));
  }
  if (service.staticIp) attributes.push(['Framed-IP-Address', service.staticIp]);
  else if (service.framedPool) attributes.push(['Framed-Pool', service.framedPool]);
  if (service.ipv6Prefix) attributes.push(['Framed-IPv6-Prefix', service.ipv6Prefix]);
  if (service.delegatedIpv6Prefix) attributes.push(['Delegated-IPv6-Prefix', service.delegatedIpv6Prefix]);
  attributes.push(['Acct-Interim-Interval', ctx.policy.interimInterval]);
  if (sessionTimeout !== undefined) attributes.push(['Session-Timeout', sessionTimeout]);
  return note ? { accept: true, attributes, note } : { accept: true, attributes };
}

/**
 * The first day of the data-cap period containing `today`: periods are anchored to the day of month
 * of the service's start (its billing anniversary), clamped to short months, not to the calendar month.
 */
export function capPeriodStart(startDate: string, today: string): string {
  const anchor = Number(startDate.slice(8, 10));
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const clamp = (yy: number, mm: number) => Math.min(anchor, new Date(Date.UTC(yy, mm, 0)).getUTCDate());
  let year = y;
  let month = m;
  if (d < clamp(y, m)) {
    month -= 1;
    if (month === 0) {
      month = 12;
      year -= 1;
    }
  }
  const day = clamp(year, month);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
