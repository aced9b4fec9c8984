import type { Dictionary } from '../dict/dictionary.js';
import type { AttributeDef } from '../dict/types.js';

/**
 * The attributes the server reads or writes, resolved from the dictionary once at start-up, so the
 * handlers never carry attribute numbers and a missing dictionary entry fails at boot, not mid-request.
 */
const NAMES = {
  UserName: 'User-Name',
  UserPassword: 'User-Password',
  ChapPassword: 'CHAP-Password',
  ChapChallenge: 'CHAP-Challenge',
  NasIpAddress: 'NAS-IP-Address',
  NasIdentifier: 'NAS-Identifier',
  NasPort: 'NAS-Port',
  NasPortId: 'NAS-Port-Id',
  FramedIpAddress: 'Framed-IP-Address',
  CallingStationId: 'Calling-Station-Id',
  CalledStationId: 'Called-Station-Id',
  ReplyMessage: 'Reply-Message',
  ProxyState: 'Proxy-State',
  AcctStatusType: 'Acct-Status-Type',
  AcctSessionId: 'Acct-Session-Id',
  AcctSessionTime: 'Acct-Session-Time',
  AcctInputOctets: 'Acct-Input-Octets',
  AcctOutputOctets: 'Acct-Output-Octets',
  AcctInputGigawords: 'Acct-Input-Gigawords',
  AcctOutputGigawords: 'Acct-Output-Gigawords',
  AcctTerminateCause: 'Acct-Terminate-Cause',
  AcctInterimInterval: 'Acct-Interim-Interval',
  MsChapChallenge: 'MS-CHAP-Challenge',
  MsChapResponse: 'MS-CHAP-Response',
  MsChap2Response: 'MS-CHAP2-Response',
  MsChap2Success: 'MS-CHAP2-Success',
  MsChapError: 'MS-CHAP-Error',
  MsChapMppeKeys: 'MS-CHAP-MPPE-Keys',
  MsMppeSendKey: 'MS-MPPE-Send-Key',
  MsMppeRecvKey: 'MS-MPPE-Recv-Key',
  MsMppeEncryptionPolicy: 'MS-MPPE-Encryption-Policy',
  MsMppeEncryptionTypes: 'MS-MPPE-Encryption-Types',
} as const;

export type ServerAttrs = { readonly [K in keyof typeof NAMES]: AttributeDef };

export function resolveServerAttrs(dict: Dictionary): ServerAttrs {
  const out: Record<string, AttributeDef> = {};
  for (const [key, name] of Object.entries(NAMES)) {
    const def = dict.attr(name);
    if (!def) throw new Error(`the RADIUS dictionary lacks ${name}`);
    out[key] = def;
  }
  return out as ServerAttrs;
}
