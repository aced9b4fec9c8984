import type { Dictionary } from '../dict/dictionary.js';
import type { AttributeDef } from '../dict/types.js';

/**
 * The attributes the server reads or writes, resolved from the dictionary once at start-up, so the
 * handlers never carry attribute numbers and a missing dictionary entry fails at boot, not mid-request.
 */
export type ServerAttrs = ReturnType<typeof resolveServerAttrs>;

export function resolveServerAttrs(dict: Dictionary) {
  const d = (name: string): AttributeDef => {
    const def = dict.attr(name);
    if (!def) throw new Error(`the RADIUS dictionary lacks ${name}`);
    return def;
  };
  // One literal, not keys added in a loop: past a dozen added keys V8 keeps an object as a hash
  // table, and every A.X on the hot path would be a dictionary lookup.
  return {
    UserName: d('User-Name'),
    UserPassword: d('User-Password'),
    ChapPassword: d('CHAP-Password'),
    ChapChallenge: d('CHAP-Challenge'),
    NasIpAddress: d('NAS-IP-Address'),
    NasIdentifier: d('NAS-Identifier'),
    NasPort: d('NAS-Port'),
    NasPortId: d('NAS-Port-Id'),
    FramedIpAddress: d('Framed-IP-Address'),
    CallingStationId: d('Calling-Station-Id'),
    CalledStationId: d('Called-Station-Id'),
    ReplyMessage: d('Reply-Message'),
    ProxyState: d('Proxy-State'),
    AcctStatusType: d('Acct-Status-Type'),
    AcctSessionId: d('Acct-Session-Id'),
    AcctSessionTime: d('Acct-Session-Time'),
    AcctInputOctets: d('Acct-Input-Octets'),
    AcctOutputOctets: d('Acct-Output-Octets'),
    AcctInputGigawords: d('Acct-Input-Gigawords'),
    AcctOutputGigawords: d('Acct-Output-Gigawords'),
    AcctTerminateCause: d('Acct-Terminate-Cause'),
    AcctInterimInterval: d('Acct-Interim-Interval'),
    MsChapChallenge: d('MS-CHAP-Challenge'),
    MsChapResponse: d('MS-CHAP-Response'),
    MsChap2Response: d('MS-CHAP2-Response'),
    MsChap2Success: d('MS-CHAP2-Success'),
    MsChapError: d('MS-CHAP-Error'),
    MsChapMppeKeys: d('MS-CHAP-MPPE-Keys'),
    MsMppeSendKey: d('MS-MPPE-Send-Key'),
    MsMppeRecvKey: d('MS-MPPE-Recv-Key'),
    MsMppeEncryptionPolicy: d('MS-MPPE-Encryption-Policy'),
    MsMppeEncryptionTypes: d('MS-MPPE-Encryption-Types'),
  } as const;
}
