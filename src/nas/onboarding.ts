/**
 * The RouterOS commands that point a MikroTik router at Tollgate, pure: RADIUS for PPP and hotspot
 * with Message-Authenticator required (RouterOS 7.15+, the BlastRADIUS fix), CoA accepted on the
 * NAS's coaPort (RouterOS ships with `accept=no`), accounting with interim updates.
 */

export interface OnboardingInput {
  /** Where the router sends RADIUS: Tollgate's address as the router sees it. */
  serverAddress: string;
  secret: string;
  authPort: number;
  acctPort: number;
  coaPort: number;
  interimSeconds: number;
  /** 7 (default): adds `require-message-auth=yes` (RouterOS 7.15 and later); 6: without it. */
  routerOsMajor: 6 | 7;
  nasName: string;
}

/** A RouterOS CLI string literal: `\`, `"`, `$` and `?` escaped, control characters as `\XX`. */
export function routerOsQuote(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === '"' || ch === '$' || ch === '?') out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += ch;
  }
  return `"${out}"`;
}

/** Seconds as a RouterOS time value: `5m`, `1h`, `90s`. */
export function routerOsDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export function onboardingCommands(i: OnboardingInput): string[] {
  const interim = routerOsDuration(i.interimSeconds);
  const comment = routerOsQuote(`Tollgate (${i.nasName})`);
  const radius = [
    '/radius add',
    `address=${i.serverAddress}`,
    `secret=${routerOsQuote(i.secret)}`,
    'service=ppp,hotspot',
    `authentication-port=${i.authPort}`,
    `accounting-port=${i.acctPort}`,
    'timeout=3s',
    ...(i.routerOsMajor === 7 ? ['require-message-auth=yes'] : []),
    `comment=${comment}`,
  ].join(' ');
  return [
    radius,
    `/radius incoming set accept=yes port=${i.coaPort}`,
    `/ppp aaa set use-radius=yes accounting=yes interim-update=${interim}`,
    `/ip hotspot profile set [find] use-radius=yes radius-accounting=yes radius-interim-update=${interim}`,
  ];
}
