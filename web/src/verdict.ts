// "Why is this customer offline?": the plain-language verdict from a service's recent history.
// Pure (no DOM, no fetch) so tests can feed it facts; worded in the UI's language.
import { f, t } from './i18n.js';
import { terminateCauseText } from './names.js';

export interface VerdictFacts {
  now: number;
  service: { status: string; expiresAt: string | null; macAddress: string | null; username: string };
  /** Newest first. */
  auth: Array<{ at: string; outcome: 'accept' | 'reject'; reason: string | null; callingStationId: string | null }>;
  /** Newest first. */
  sessions: Array<{ startedAt: string; stoppedAt: string | null; callingStationId: string | null; framedIpAddress: string | null; terminateCause: string | null }>;
  /** Newest first: the dunning suspensions and resumptions of the customer. */
  suspensions: Array<{ at: string; kind: 'suspend' | 'resume'; invoiceNumber?: string | null }>;
  /** Open invoices past their due date. */
  overdue: Array<{ number: string; dueDate: string; open: number }>;
}

export interface Verdict {
  level: 'ok' | 'warn' | 'error';
  headline: string;
  details: string[];
}

const HOUR = 3_600_000;
// Dates and times in the billing time zone, like every other date on screen.
const fmtDay = (iso: string) => f().day(iso);
const fmtTime = (iso: string) => f().dayTime(iso);

export function verdict(fa: VerdictFacts): Verdict {
  const details: string[] = [];
  const open = fa.sessions.find((s) => s.stoppedAt === null);
  const lastHour = fa.auth.filter((a) => fa.now - Date.parse(a.at) <= HOUR);
  const rejects = lastHour.filter((a) => a.outcome === 'reject');
  const oldest = fa.overdue[fa.overdue.length - 1];
  if (oldest) details.push(t('verdict.overdue', { n: fa.overdue.length, number: oldest.number, due: fmtDay(oldest.dueDate) }));

  if (fa.service.status === 'suspended') {
    const s = fa.suspensions.find((x) => x.kind === 'suspend');
    const headline = s
      ? s.invoiceNumber ? t('verdict.suspendedForInvoice', { number: s.invoiceNumber, since: fmtDay(s.at) }) : t('verdict.suspendedOverdueSince', { since: fmtDay(s.at) })
      : fa.overdue.length ? t('verdict.suspendedWithOverdue') : t('verdict.suspendedByHand');
    return { level: 'error', headline, details: [...details, t('verdict.suspendedHint')] };
  }
  if (fa.service.status === 'ended') return { level: 'error', headline: t('verdict.ended'), details };
  if (fa.service.status === 'proposal') return { level: 'warn', headline: t('verdict.proposal'), details };
  if (fa.service.expiresAt && Date.parse(fa.service.expiresAt) <= fa.now) {
    return { level: 'error', headline: t('verdict.expired', { on: fmtDay(fa.service.expiresAt) }), details: [...details, t('verdict.expiredHint')] };
  }
  if (open) {
    const from = [open.callingStationId && `MAC ${open.callingStationId}`, open.framedIpAddress && `IP ${open.framedIpAddress}`].filter(Boolean).join(', ');
    const also = rejects.length ? [t('verdict.alsoRejected', { n: rejects.length, reason: rejects[0]!.reason ?? t('verdict.noReason') })] : [];
    return { level: 'ok', headline: from ? t('verdict.onlineFrom', { since: fmtTime(open.startedAt), from }) : t('verdict.online', { since: fmtTime(open.startedAt) }), details: [...details, ...also] };
  }
  if (rejects.length) {
    const counts = new Map<string, number>();
    const noReason = t('verdict.noReasonGiven');
    for (const r of rejects) counts.set(r.reason ?? noReason, (counts.get(r.reason ?? noReason) ?? 0) + 1);
    const [reason] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const mac = rejects.find((r) => r.callingStationId)?.callingStationId;
    const more = counts.size > 1 ? [t('verdict.otherReasons', { list: [...counts.entries()].filter(([r]) => r !== reason).map(([r, n]) => `${r} (${n})`).join(', ') })] : [];
    const headline = mac ? t('verdict.rejectedFromMac', { n: rejects.length, reason, mac }) : t('verdict.rejected', { n: rejects.length, reason });
    return { level: 'error', headline, details: [...more, ...details] };
  }
  const lastAccept = fa.auth.find((a) => a.outcome === 'accept');
  const lastSession = fa.sessions[0];
  if (lastAccept && (!lastSession || Date.parse(lastAccept.at) > Date.parse(lastSession.stoppedAt ?? lastSession.startedAt) + 60_000)) {
    return { level: 'warn', headline: t('verdict.acceptedNoSession', { at: fmtTime(lastAccept.at) }), details };
  }
  if (lastSession?.stoppedAt) {
    const headline = lastSession.terminateCause
      ? t('verdict.offlineSinceCause', { since: fmtTime(lastSession.stoppedAt), cause: terminateCauseText(lastSession.terminateCause) })
      : t('verdict.offlineSince', { since: fmtTime(lastSession.stoppedAt) });
    return { level: 'warn', headline, details: [...details, t('verdict.offlineHint')] };
  }
  if (!fa.auth.length) {
    return { level: 'warn', headline: t('verdict.neverSeen', { username: fa.service.username }), details: [...details, t('verdict.neverSeenHint')] };
  }
  const last = fa.auth[0]!;
  const outcome = last.outcome === 'accept' ? t('status.accept') : t('status.reject');
  const headline = last.reason ? t('verdict.lastAttemptReason', { at: fmtTime(last.at), outcome, reason: last.reason }) : t('verdict.lastAttempt', { at: fmtTime(last.at), outcome });
  return { level: 'warn', headline, details };
}
