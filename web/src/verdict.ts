// "Why is this customer offline?": the plain-language verdict from a service's recent history.
// Pure (no DOM, no fetch) so tests can feed it facts.

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
const fmtDay = (iso: string) => new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
const fmtTime = (iso: string) => new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

export function verdict(f: VerdictFacts): Verdict {
  const details: string[] = [];
  const open = f.sessions.find((s) => s.stoppedAt === null);
  const lastHour = f.auth.filter((a) => f.now - Date.parse(a.at) <= HOUR);
  const rejects = lastHour.filter((a) => a.outcome === 'reject');
  if (f.overdue.length) details.push(`${f.overdue.length} overdue invoice${f.overdue.length === 1 ? '' : 's'} (oldest ${f.overdue[f.overdue.length - 1]!.number}, due ${fmtDay(f.overdue[f.overdue.length - 1]!.dueDate)}).`);

  if (f.service.status === 'suspended') {
    const s = f.suspensions.find((x) => x.kind === 'suspend');
    const why = s ? `for an overdue invoice${s.invoiceNumber ? ` (${s.invoiceNumber})` : ''} since ${fmtDay(s.at)}` : f.overdue.length ? 'with invoices overdue' : 'by hand';
    return { level: 'error', headline: `Suspended ${why}.`, details: [...details, 'Recording a payment that settles the overdue invoices reactivates it; or resume it by hand.'] };
  }
  if (f.service.status === 'ended') return { level: 'error', headline: 'The service has ended: logins are refused.', details };
  if (f.service.status === 'proposal') return { level: 'warn', headline: 'The service is not active yet (proposal): logins are refused until it is activated.', details };
  if (f.service.expiresAt && Date.parse(f.service.expiresAt) <= f.now) {
    return { level: 'error', headline: `Prepaid time ran out on ${fmtDay(f.service.expiresAt)}.`, details: [...details, 'A top-up or a voucher extends it.'] };
  }
  if (open) {
    const from = [open.callingStationId && `MAC ${open.callingStationId}`, open.framedIpAddress && `IP ${open.framedIpAddress}`].filter(Boolean).join(', ');
    const also = rejects.length ? [`${rejects.length} rejected login${rejects.length === 1 ? '' : 's'} in the last hour (${rejects[0]!.reason ?? 'no reason'}).`] : [];
    return { level: 'ok', headline: `Online now, since ${fmtTime(open.startedAt)}${from ? ` (${from})` : ''}.`, details: [...details, ...also] };
  }
  if (rejects.length) {
    const counts = new Map<string, number>();
    for (const r of rejects) counts.set(r.reason ?? 'no reason given', (counts.get(r.reason ?? 'no reason given') ?? 0) + 1);
    const [reason] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const mac = rejects.find((r) => r.callingStationId)?.callingStationId;
    const more = counts.size > 1 ? [`Other reasons: ${[...counts.entries()].filter(([r]) => r !== reason).map(([r, n]) => `${r} (${n})`).join(', ')}.`] : [];
    return { level: 'error', headline: `Rejected ${rejects.length} time${rejects.length === 1 ? '' : 's'} in the last hour: ${reason}${mac ? ` from MAC ${mac}` : ''}.`, details: [...more, ...details] };
  }
  const lastAccept = f.auth.find((a) => a.outcome === 'accept');
  const lastSession = f.sessions[0];
  if (lastAccept && (!lastSession || Date.parse(lastAccept.at) > Date.parse(lastSession.stoppedAt ?? lastSession.startedAt) + 60_000)) {
    return { level: 'warn', headline: `Login accepted at ${fmtTime(lastAccept.at)} but no session followed: the router may not be sending accounting, or the connection dropped at once.`, details };
  }
  if (lastSession?.stoppedAt) {
    return { level: 'warn', headline: `Offline since ${fmtTime(lastSession.stoppedAt)}${lastSession.terminateCause ? ` (${lastSession.terminateCause})` : ''}, and no login attempt since.`, details: [...details, 'The customer\'s router is not trying to connect: power, cabling or the radio link.'] };
  }
  if (!f.auth.length) {
    return { level: 'warn', headline: `No login attempt from ${f.service.username} has ever reached Tollgate.`, details: [...details, 'Check the username in the customer\'s router and that the NAS sends RADIUS here.'] };
  }
  const last = f.auth[0]!;
  return { level: 'warn', headline: `Not online. Last login attempt ${fmtTime(last.at)}: ${last.outcome}${last.reason ? ` (${last.reason})` : ''}.`, details };
}
